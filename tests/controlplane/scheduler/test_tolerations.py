"""Toleration matching follows Kubernetes: key, operator Equal/Exists, value, effect."""

import pytest

from controlplane.scheduler.snapshot import HARD_EFFECTS, Taint, count_untolerated
from tests.controlplane.scheduler.fleets import make_request

GPU = Taint("dedicated", "gpu", "NoSchedule")
BARE = Taint("maintenance", None, "NoExecute")
SPOT = Taint("spot", "cheap", "PreferNoSchedule")


def tolerates(toleration: tuple[str, str, str | None, str | None], taint: Taint) -> bool:
    """Whether a request carrying just `toleration` tolerates `taint`, through the same
    hard/soft split the filter and the scorer use."""
    req = make_request(tolerations=[toleration])
    relevant = req.hard_tolerations if taint.effect in HARD_EFFECTS else req.soft_tolerations
    return count_untolerated([taint], relevant) == 0


@pytest.mark.parametrize("taint", [GPU, BARE, SPOT])
def test_exists_with_an_empty_key_and_effect_tolerates_every_taint(taint: Taint) -> None:
    assert tolerates(("", "Exists", None, None), taint)


def test_exists_with_an_empty_key_is_still_bound_by_its_effect() -> None:
    assert tolerates(("", "Exists", None, "NoSchedule"), GPU)
    assert not tolerates(("", "Exists", None, "NoSchedule"), BARE)


def test_exists_with_a_key_tolerates_any_value_of_that_key() -> None:
    assert tolerates(("dedicated", "Exists", None, "NoSchedule"), GPU)
    assert tolerates(("dedicated", "Exists", None, "NoSchedule"), GPU._replace(value="db"))
    assert not tolerates(("other", "Exists", None, "NoSchedule"), GPU)


def test_equal_needs_the_same_key_and_value() -> None:
    assert tolerates(("dedicated", "Equal", "gpu", "NoSchedule"), GPU)
    assert not tolerates(("dedicated", "Equal", "db", "NoSchedule"), GPU)
    assert not tolerates(("other", "Equal", "gpu", "NoSchedule"), GPU)


def test_an_empty_operator_means_equal() -> None:
    assert tolerates(("dedicated", "", "gpu", "NoSchedule"), GPU)
    assert not tolerates(("dedicated", "", "db", "NoSchedule"), GPU)


def test_a_missing_value_equals_an_empty_value() -> None:
    assert tolerates(("maintenance", "Equal", "", "NoExecute"), BARE)
    assert tolerates(("maintenance", "Equal", None, "NoExecute"), BARE)
    assert not tolerates(("maintenance", "Equal", "x", "NoExecute"), BARE)


@pytest.mark.parametrize("effect", [None, ""])
def test_an_empty_effect_tolerates_every_effect(effect: str | None) -> None:
    assert tolerates(("dedicated", "Equal", "gpu", effect), GPU)
    assert tolerates(("spot", "Exists", None, effect), SPOT)


def test_an_effect_must_match_when_given() -> None:
    assert not tolerates(("dedicated", "Equal", "gpu", "NoExecute"), GPU)
    assert not tolerates(("spot", "Exists", None, "NoSchedule"), SPOT)
