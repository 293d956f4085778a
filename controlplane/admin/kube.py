"""`minispod snapshots take --kubeconfig`: a snapshot of any cluster the kubeconfig reaches.

Read with the official Kubernetes client, cluster-wide, each kind page by page; Secrets
are listed as metadata only (PartialObjectMetadataList), so their data never leaves the
API server. The document is assembled by the same recipe the control plane uses for its
own cluster (`shared.snapshot_document`). Needs list on those kinds (a read-only
ClusterRole such as `view` plus nodes, namespaces and secrets' metadata).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shared import kube_call
from shared.snapshot_document import CLUSTER_WIDE_PATHS, METADATA_ONLY, SECRETS_PATH

PAGE_SIZE = 500
TIMEOUT = 30.0


class KubeError(Exception):
    """The kubeconfig is unusable, or the API server refused or did not answer."""


@dataclass(frozen=True)
class Exported:
    objects: dict[str, list[dict[str, Any]]]
    secret_names: list[tuple[str, str]]
    kubernetes_version: str | None
    context: str


class Kube:
    def __init__(self, kubeconfig: str, context: str | None = None) -> None:
        from kubernetes import config
        from kubernetes.config.config_exception import ConfigException

        try:
            contexts, active = config.list_kube_config_contexts(config_file=kubeconfig)
            chosen = context or (active or {}).get("name")
            if context and context not in {c["name"] for c in contexts}:
                raise KubeError(f"no context {context!r} in {kubeconfig}")
            self._api = config.new_client_from_config(config_file=kubeconfig, context=chosen)
        except (ConfigException, OSError, ValueError) as exc:
            raise KubeError(f"cannot use {kubeconfig}: {exc}") from None
        self.context = str(chosen or "")

    def export(self) -> Exported:
        try:
            objects = {plural: self._list(path) for plural, path in CLUSTER_WIDE_PATHS.items()}
            secrets = [
                (str(s["metadata"].get("namespace", "")), str(s["metadata"]["name"]))
                for s in self._list(SECRETS_PATH, METADATA_ONLY)
            ]
            version = self._get("/version").get("gitVersion")
        finally:
            self._api.close()
        return Exported(objects, secrets, str(version) if version else None, self.context)

    def _list(self, path: str, accept: str = "application/json") -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            query = [("limit", str(PAGE_SIZE))] + ([("continue", token)] if token else [])
            page = self._get(path, query, accept)
            items += page.get("items") or []
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return items

    def _get(
        self,
        path: str,
        query: list[tuple[str, str]] | None = None,
        accept: str = "application/json",
    ) -> dict[str, Any]:
        try:
            status, payload = kube_call.call(
                self._api, "GET", path, headers={"Accept": accept}, timeout=TIMEOUT, query=query
            )
        except kube_call.Unanswered as exc:
            raise KubeError(f"GET {path}: the cluster did not answer ({exc})") from None
        if status >= 400:
            raise KubeError(f"GET {path}: {status} {payload[:300]}")
        try:
            return dict(json.loads(payload)) if payload else {}
        except ValueError:
            raise KubeError(f"GET {path}: not JSON") from None
