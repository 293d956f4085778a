"""Deployable service templates: what a catalog entry runs, and the resources it sells."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from shared.units import parse_cores, parse_mb
from shared.wire.base import WireModel

# Placeholders an env value may contain; the cluster gateway fills them in when
# it renders an instance. Customer-supplied values are taken literally.
#   {url}       public URL of the instance, e.g. https://blog.apps.example.com
#   {host}      public host name, e.g. blog.apps.example.com
#   {protocol}  "https" when the instance gets a TLS certificate, else "http"
#   {tls}       "true" when the instance gets a TLS certificate, else "false"
#   {port}      the main container's port, e.g. 5678
PLACEHOLDERS = frozenset({"url", "host", "protocol", "tls", "port"})
PLACEHOLDER_PATTERN = re.compile(r"\{([a-z_]+)\}")

C_IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"
DNS_LABEL = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"
SECRET_KEY = r"^[-._a-zA-Z0-9]+$"  # noqa: S105 (the pattern of a Secret key name)
# The name of the main container in every pod; companions may not take it.
MAIN_CONTAINER = "app"

_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def _pinned_image(image: str) -> str:
    """An image reference must say which build it runs: a tag other than latest, or a digest."""
    if not image or any(c.isspace() for c in image):
        raise ValueError("image must be a non-empty reference without spaces")
    name, at, digest = image.partition("@")
    if at:
        if not _DIGEST.match(digest):
            raise ValueError("image digest must be sha256:<64 hex>")
        return image
    last = name.rsplit("/", 1)[-1]
    repo, colon, tag = last.partition(":")
    if not colon or not repo:
        raise ValueError(f"image {image!r} must carry a tag, e.g. {image}:1.2.3")
    if not _TAG.match(tag) or tag == "latest":
        raise ValueError(f"image {image!r} must be pinned to a tag other than 'latest'")
    return image


Image = Annotated[str, Field(min_length=3, max_length=255), AfterValidator(_pinned_image)]
Port = Annotated[int, Field(ge=1, le=65535)]
MountPath = Annotated[str, Field(min_length=2, max_length=255, pattern=r"^/[^\x00]*[^/]$")]
UserId = Annotated[int, Field(ge=0, le=2**31 - 1)]


class EnvVar(WireModel):
    """One environment variable of a container.

    `generated` values are created once per instance and kept in the instance's
    Secret under `secret_key` (default: the variable's name); variables naming
    the same key share one value, which is how an app and its database agree
    on a password.
    """

    name: str = Field(pattern=C_IDENTIFIER, max_length=128)
    value: str = Field(default="", max_length=4096)
    customer_settable: bool = False
    generated: Literal["password", "hex32"] | None = None
    secret_key: str | None = Field(default=None, pattern=SECRET_KEY, max_length=253)

    @model_validator(mode="after")
    def _consistent(self) -> EnvVar:
        if self.generated is not None:
            if self.value:
                raise ValueError(f"{self.name}: a generated variable has no fixed value")
            if self.customer_settable:
                raise ValueError(f"{self.name}: a generated secret is not customer-settable")
        elif self.secret_key is not None:
            raise ValueError(f"{self.name}: secret_key is only for generated variables")
        unknown = set(PLACEHOLDER_PATTERN.findall(self.value)) - PLACEHOLDERS
        if unknown:
            raise ValueError(
                f"{self.name}: unknown placeholder(s) {sorted(unknown)}; "
                f"known: {sorted(PLACEHOLDERS)}"
            )
        return self

    @property
    def key(self) -> str:
        """The Secret key of a generated variable."""
        return self.secret_key or self.name


class ResourceAmounts(WireModel):
    cpu: float = Field(gt=0, le=64, description="CPU cores")
    memory: int = Field(ge=4, le=1 << 20, description="MB")


class ContainerResources(WireModel):
    requests: ResourceAmounts
    limits: ResourceAmounts

    @model_validator(mode="after")
    def _requests_within_limits(self) -> ContainerResources:
        if self.requests.cpu > self.limits.cpu:
            raise ValueError("requests.cpu exceeds limits.cpu")
        if self.requests.memory > self.limits.memory:
            raise ValueError("requests.memory exceeds limits.memory")
        return self


class Volume(WireModel):
    """A ReadWriteOnce persistent volume mounted into one container."""

    size_mb: int = Field(ge=1, le=1 << 24)
    mount_path: MountPath


class Toleration(WireModel):
    key: str | None = Field(default=None, max_length=316)
    operator: Literal["Exists", "Equal"] = "Equal"
    value: str | None = Field(default=None, max_length=63)
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: int | None = Field(default=None, ge=0)


def _unique_env(env: list[EnvVar], where: str) -> None:
    names = [e.name for e in env]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{where}: duplicate env names {duplicates}")


class CompanionContainer(WireModel):
    """A helper container in the same pod, reached by the app on 127.0.0.1 (e.g. its database)."""

    name: str = Field(pattern=DNS_LABEL, max_length=40)
    image: Image
    env: list[EnvVar] = Field(default_factory=list)
    port: Port | None = None
    volume: Volume | None = None
    resources: ContainerResources
    run_as_user: UserId | None = None
    run_as_group: UserId | None = None

    @model_validator(mode="after")
    def _valid(self) -> CompanionContainer:
        if self.name == MAIN_CONTAINER:
            raise ValueError(
                f"companion name {MAIN_CONTAINER!r} is reserved for the main container"
            )
        _unique_env(self.env, f"companion {self.name}")
        return self


class ServiceTemplate(WireModel):
    """How one catalog service runs: its image, port, env, resources, storage and helpers.

    `run_as_user`/`run_as_group`/`fs_group` describe the image's own user; leave
    them unset for images whose entrypoint starts as root and drops privileges
    itself (the official WordPress and MariaDB images).
    """

    image: Image
    container_port: Port
    env: list[EnvVar] = Field(default_factory=list)
    resources: ContainerResources
    volume: Volume | None = None
    health_check_path: str | None = Field(
        default=None, min_length=1, max_length=255, pattern=r"^/[^\s]*$"
    )
    companions: list[CompanionContainer] = Field(default_factory=list, max_length=4)
    node_selector: dict[str, str] = Field(default_factory=dict)
    tolerations: list[Toleration] = Field(default_factory=list)
    run_as_user: UserId | None = None
    run_as_group: UserId | None = None
    fs_group: UserId | None = None

    @model_validator(mode="after")
    def _valid(self) -> ServiceTemplate:
        _unique_env(self.env, "template")
        names = [c.name for c in self.companions]
        if len(names) != len(set(names)):
            raise ValueError("companion names must be unique")
        # One pod shares one network namespace: two containers cannot listen on one port.
        ports = [self.container_port] + [c.port for c in self.companions if c.port is not None]
        if len(ports) != len(set(ports)):
            raise ValueError("container ports must be unique within the pod")
        kinds: dict[str, str] = {}
        for var in self.all_env():
            if var.generated is None:
                continue
            if kinds.setdefault(var.key, var.generated) != var.generated:
                raise ValueError(f"secret {var.key!r} is generated with two different kinds")
        return self

    def all_env(self) -> list[EnvVar]:
        """The env of the main container followed by every companion's."""
        return [*self.env, *(e for c in self.companions for e in c.env)]

    def secret_kinds(self) -> dict[str, str]:
        """Secret key → how to generate it, for every generated variable of the pod."""
        return {v.key: v.generated for v in self.all_env() if v.generated is not None}

    def customer_settable(self) -> frozenset[str]:
        return frozenset(v.name for v in self.all_env() if v.customer_settable)


class CatalogResources(WireModel):
    """The resources a catalog entry sells (the seed's `resources`): cores, MB, MB."""

    cpu: float = Field(ge=0, description="CPU cores")
    memory: int = Field(ge=0, description="MB")
    storage: int = Field(ge=0, description="MB")


def _cores(value: Any) -> Any:
    return parse_cores(value) if isinstance(value, str) else value


def _mb(value: Any) -> Any:
    return parse_mb(value) if isinstance(value, str) else value


# The bounds sit inside the parsed type so the schema shows them on the number,
# beside the text the seed's clients send.
_Cores = Annotated[float, Field(gt=0, le=1024)]
_Memory = Annotated[int, Field(gt=0, le=1 << 24)]
_Storage = Annotated[int, Field(ge=0, le=1 << 30)]
_SIZE_TEXT = 'or text in binary units, "1GB" being 1024 MB'
GivenCores = Annotated[
    _Cores,
    BeforeValidator(_cores, json_schema_input_type=_Cores | str),
    Field(
        description='CPU cores: a number, or text such as "1 vCPU", "2 cores" or "500m"',
        examples=[1, "1 vCPU", "500m"],
    ),
]
GivenMemory = Annotated[
    _Memory,
    BeforeValidator(_mb, json_schema_input_type=_Memory | str),
    Field(
        description=f'Memory in MB: a number, {_SIZE_TEXT} ("1GB RAM", "512MB")',
        examples=[1024, "1GB RAM", "512MB"],
    ),
]
GivenStorage = Annotated[
    _Storage,
    BeforeValidator(_mb, json_schema_input_type=_Storage | str),
    Field(
        description=f'Storage in MB: a number, {_SIZE_TEXT} ("10GB SSD", "2 TB HDD")',
        examples=[10240, "10GB SSD"],
    ),
]


class GivenResources(CatalogResources):
    """The resources an administrator says a service sells, as numbers or in the seed's text.

    Read into the same figures the catalog shows (cores, MB, MB), so a
    service's `resources` come back as numbers whichever way they were given.
    """

    cpu: GivenCores
    memory: GivenMemory
    storage: GivenStorage


def _containers(template: ServiceTemplate) -> list[tuple[ContainerResources, Volume | None]]:
    return [(template.resources, template.volume)] + [
        (c.resources, c.volume) for c in template.companions
    ]


def catalog_resources(template: ServiceTemplate) -> CatalogResources:
    """What the customer gets: the pod's limits and its storage, summed over all containers."""
    parts = _containers(template)
    return CatalogResources(
        cpu=round(sum(r.limits.cpu for r, _ in parts), 3),
        memory=sum(r.limits.memory for r, _ in parts),
        storage=sum(v.size_mb for _, v in parts if v is not None),
    )


def requested_resources(template: ServiceTemplate) -> CatalogResources:
    """What a node must set aside for one instance: the pod's requests and its storage."""
    parts = _containers(template)
    return CatalogResources(
        cpu=round(sum(r.requests.cpu for r, _ in parts), 3),
        memory=sum(r.requests.memory for r, _ in parts),
        storage=sum(v.size_mb for _, v in parts if v is not None),
    )
