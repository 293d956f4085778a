"""The intake checks a document's shape while it streams, whatever the chunk boundaries."""

from __future__ import annotations

import json

import pytest

from controlplane.services.errors import Invalid
from controlplane.services.snapshots.intake import Intake

DOC = {
    "secrets": [{"namespace": "a", "name": "s1"}, {"namespace": "a", "name": "s2"}],
    "objects": {
        "pods": [
            {
                "kind": "Pod",
                "spec": {"metadata": {"name": "not-this-one"}},
                "metadata": {
                    "labels": {"name": {"deep": ["x"]}},
                    "namespace": "a",
                    "name": "web-1",
                },
            },
            {"metadata": {"name": "web-2", "annotations": {}}, "status": {"phase": "Running"}},
        ],
        "events": [],
    },
    "metadata": {"clusterName": "c1", "takenAt": "2026-12-01T00:00:00Z"},
}


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_counts_objects_and_secrets_across_any_chunking(chunk: int) -> None:
    raw = json.dumps(DOC).encode()
    intake = Intake()
    for start in range(0, len(raw), chunk):
        intake.feed(raw[start : start + chunk])
    summary = intake.finish()
    assert summary.object_counts == {"pods": 2, "events": 0}
    assert summary.secret_count == 2
    assert summary.metadata.cluster_name == "c1"
    assert summary.metadata.kubernetes_version is None


def take_in(raw: bytes) -> None:
    intake = Intake()
    intake.feed(raw)
    intake.finish()


def test_a_name_deeper_than_metadata_does_not_count() -> None:
    doc = {
        "metadata": DOC["metadata"],
        "objects": {"pods": [{"metadata": {"labels": {"name": "x"}}}]},
    }
    with pytest.raises(Invalid) as refused:
        take_in(json.dumps(doc).encode())
    assert refused.value.errors[0].field == "objects.pods.0.metadata.name"


def test_metadata_that_is_not_an_object_is_refused() -> None:
    doc = {"metadata": DOC["metadata"], "objects": {"pods": [{"metadata": "web"}]}}
    with pytest.raises(Invalid) as refused:
        take_in(json.dumps(doc).encode())
    assert refused.value.errors[0].field == "objects.pods.0.metadata"
