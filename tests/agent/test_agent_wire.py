"""The agent's wire dataclasses say exactly what the shared pydantic models say: same inputs,
same JSON text (field order, float/int and timestamp spelling included), and every body valid
for the control plane's models. The agent never imports pydantic; this test is what keeps its
vocabulary the shared one."""

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psutil
import pytest
from pydantic import TypeAdapter, ValidationError

from agent import wire
from agent.collectors.hardware import HardwareCollector
from agent.collectors.host import HostPaths
from agent.collectors.registry import Registry
from agent.collectors.usage import UsageCollector
from agent.metrics import create_metrics
from agent.state import NODE_SECRET_MAX_LENGTH, NODE_SECRET_MIN_LENGTH, load_node_secret
from shared.wire import nodes as shared
from shared.wire.base import WireModel

FIXTURES = Path(__file__).parent / "fixtures" / "host-amd64"
HOST = HostPaths(proc=FIXTURES / "proc", sys=FIXTURES / "sys", root=FIXTURES / "root")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def sample(**changes: Any) -> wire.UsageSample:
    fields: dict[str, Any] = {
        "seq": 7,
        "timestamp": NOW,
        "cpu_percent": 12,  # an int where the wire has a float: must still say 12.0
        "memory_used": 2048,
        "disk_used": 10_000,
        "load1": 0,
        "load5": 0.25,
        "load15": 1.5,
    } | changes
    return wire.UsageSample(**fields)


CONDITIONS = [
    wire.NodeCondition(type="Ready", status=True, reason="KubeletReady"),
    wire.NodeCondition(type="DiskPressure", status=False, message=" 12.0% used \n"),
]
FACTS = wire.NodeFacts(
    name="worker-7",
    hostname=" worker-7 ",
    ip_address="10.0.10.7",
    cpu_cores=4,
    cpu_architecture="x86_64",
    total_memory=16_000,
    total_storage=500_000,
    architecture="amd64",
    operating_system="Ubuntu",
    max_pods=250,
    labels={"topology.kubernetes.io/zone": "eu-1a", " padded ": " value "},
    taints=[
        wire.Taint(key="dedicated", value="db", effect="NoSchedule"),
        wire.Taint(key="node.kubernetes.io/unreachable", effect="NoExecute"),
    ],
    kubelet_version="v1.30.2+k3s1",
    container_runtime="containerd://1.7.17-k3s1",
    kernel_version="6.1.0-18-amd64",
    os_image="Ubuntu 22.04.4 LTS",
    agent_version="0.1.0",
)
CASES = [
    (sample(), shared.UsageSample),
    (sample(timestamp=NOW + timedelta(microseconds=1234)), shared.UsageSample),
    (sample(timestamp=datetime(2026, 3, 1, 14, tzinfo=timezone(timedelta(hours=2)))), None),
    (CONDITIONS[1], shared.NodeCondition),
    (wire.Taint(key="k", effect="PreferNoSchedule", value=" v "), shared.Taint),
    (FACTS, shared.NodeFacts),
    (wire.NodeFacts(**(asdict(FACTS) | {"labels": {}, "taints": []})), shared.NodeFacts),
    (wire.Heartbeat(sample=sample(), conditions=CONDITIONS), shared.Heartbeat),
    (wire.Heartbeat(sample=sample(seq=8), shutting_down=True), shared.Heartbeat),
    (
        wire.ResourceReport(
            allocated_cpu=2, allocated_memory=512, allocated_storage=0, current_pods=3
        ),
        shared.ResourceReport,
    ),
]


def text(body: dict) -> str:
    return json.dumps(body)


@pytest.mark.parametrize(("value", "model"), CASES)
def test_the_same_inputs_give_the_same_json_as_the_shared_models(value, model):
    model = model or shared.UsageSample

    from_shared = model(**asdict(value)).wire()

    assert text(value.wire()) == text(from_shared)


@pytest.mark.parametrize(("value", "model"), CASES)
def test_every_body_the_agent_builds_is_valid_for_the_control_plane(value, model):
    model = model or shared.UsageSample
    body = value.wire()

    assert text(model.model_validate(body).wire()) == text(body)


def test_a_registration_is_the_shared_registration_with_the_secret_write_only(tmp_path):
    secret = load_node_secret(tmp_path / "node-secret")
    registration = wire.NodeRegistration(FACTS, secret)
    body = registration.wire()

    parsed = shared.NodeRegistration.model_validate(body)

    assert text(body) == text(FACTS.wire() | {"nodeSecret": secret})
    assert parsed.node_secret.get_secret_value() == secret
    # The shared model never writes the secret back out: the rest is the same JSON.
    assert text(parsed.wire()) == text({k: v for k, v in body.items() if k != "nodeSecret"})
    assert secret not in repr(registration) and secret not in repr(parsed)
    assert secret not in parsed.model_dump_json()


@pytest.mark.parametrize(
    ("length", "accepted"),
    [
        (NODE_SECRET_MIN_LENGTH - 1, False),
        (NODE_SECRET_MIN_LENGTH, True),
        (NODE_SECRET_MAX_LENGTH, True),
        (NODE_SECRET_MAX_LENGTH + 1, False),
    ],
)
def test_node_secret_lengths_are_judged_as_the_shared_type_judges_them(length, accepted):
    body = wire.NodeRegistration(FACTS, "s" * length).wire()

    try:
        shared.NodeRegistration.model_validate(body)
        shared_accepts = True
    except ValidationError:
        shared_accepts = False

    assert shared_accepts is accepted
    assert (shared.NODE_SECRET_MIN_LENGTH, shared.NODE_SECRET_MAX_LENGTH) == (
        NODE_SECRET_MIN_LENGTH,
        NODE_SECRET_MAX_LENGTH,
    )


def test_a_telemetry_batch_is_the_shared_batch():
    samples = [sample(seq=s, timestamp=NOW + timedelta(seconds=s)) for s in (3, 4, 9)]
    body = wire.telemetry_batch(samples)

    from_shared = shared.TelemetryBatch.model_validate(
        {"samples": [asdict(s) for s in samples]}
    ).wire()

    assert text(body) == text(from_shared)


def test_reports_from_the_real_collectors_are_what_the_shared_models_send():
    registry = Registry(
        create_metrics(),
        hardware=HardwareCollector(HOST, interfaces=lambda: {"eth0": ["10.0.10.7"]}),
        usage=UsageCollector(HOST),
    )
    before = psutil.PROCFS_PATH
    try:
        facts = registry.node_facts("worker-7", "0.1.0")
        heartbeat = registry.heartbeat(11, NOW)
    finally:
        psutil.PROCFS_PATH = before
    assert facts is not None

    for value, model in ((facts, shared.NodeFacts), (heartbeat, shared.Heartbeat)):
        assert text(value.wire()) == text(model(**asdict(value)).wire())
        assert text(model.model_validate(value.wire()).wire()) == text(value.wire())


def test_samples_spooled_by_the_pydantic_agent_read_back_unchanged():
    # A spool line written by earlier versions, which built samples with the shared model.
    for moment in (
        NOW,
        NOW + timedelta(microseconds=5),
        NOW.astimezone(timezone(timedelta(hours=-5))),
    ):
        line = json.dumps(
            shared.UsageSample(**asdict(sample(timestamp=moment))).wire(), separators=(",", ":")
        )

        read_back = wire.UsageSample.from_wire(json.loads(line))

        assert read_back == sample(timestamp=moment)
        assert json.dumps(read_back.wire(), separators=(",", ":")) == line


SAMPLE_FIELDS = (
    '"cpuPercent": 1.0, "memoryUsed": 1, "diskUsed": 1, "load1": 0.0, "load5": 0.0, "load15": 0.0'
)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[]", "not a JSON object"),
        ('{"seq": 1}', "timestamp is not a string"),
        ('{"seq": "1", "timestamp": "2026-03-01T12:00:00Z", ' + SAMPLE_FIELDS + "}", "seq"),
        ('{"seq": 0, "timestamp": "2026-03-01T12:00:00Z", ' + SAMPLE_FIELDS + "}", "at least 1"),
        ('{"seq": 1, "timestamp": "yesterday", ' + SAMPLE_FIELDS + "}", "isoformat"),
        (
            '{"seq": 1, "timestamp": "2026-03-01T12:00:00Z", '
            + SAMPLE_FIELDS.replace('"cpuPercent": 1.0', '"cpuPercent": true')
            + "}",
            "cpuPercent",
        ),
    ],
)
def test_what_is_not_a_sample_is_refused_when_read_back(line, reason):
    with pytest.raises(ValueError, match=reason):
        wire.UsageSample.from_wire(json.loads(line))


def results() -> list[tuple[WireModel, type]]:
    return [
        (
            shared.RegisterResult(
                node_id="node-1",
                node_token="nt_secret",
                heartbeat_interval=10,
                resource_interval=60.0,
                last_seq=41,
            ),
            wire.RegisterResult,
        ),
        (shared.IngestResult(accepted=3, duplicates=1, last_seq=44), wire.IngestResult),
    ]


@pytest.mark.parametrize(("result", "parser"), results())
def test_results_of_the_control_plane_are_read_and_new_fields_ignored(result, parser):
    body = result.wire() | {"someFieldAddedLater": [1, 2]}

    parsed = parser.from_wire(body)

    assert asdict(parsed) == result.model_dump()


@pytest.mark.parametrize(("result", "parser"), results())
def test_results_missing_or_mistyped_fields_are_refused(result, parser):
    body = result.wire()
    first = next(iter(body))

    with pytest.raises(ValueError, match=first):
        parser.from_wire({k: v for k, v in body.items() if k != first})
    with pytest.raises(ValueError, match=first):
        parser.from_wire(body | {first: True})
    with pytest.raises(ValueError, match="not a JSON object"):
        parser.from_wire([body])


def test_the_node_token_never_shows_in_a_register_result_repr():
    parsed = wire.RegisterResult.from_wire(results()[0][0].wire())

    assert "nt_secret" not in repr(parsed)


NAMES = [
    "worker-7",
    "a",
    "0",
    "node.example.com",
    "a" * 253,
    "a" * 254,
    "",
    "Worker-7",
    "worker_7",
    "-worker",
    "worker-",
    "worker.",
    ".worker",
    "wörker",
    "worker 7",
    "worker\n",
]


@pytest.mark.parametrize("name", NAMES)
def test_node_names_are_judged_as_the_shared_type_judges_them(name):
    try:
        TypeAdapter(shared.NodeName).validate_python(name)
        shared_accepts = True
    except ValidationError:
        shared_accepts = False

    assert wire.is_node_name(name) is shared_accepts
