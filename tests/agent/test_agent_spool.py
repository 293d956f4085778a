"""The spool: bounded, replayed in seq order, durable across reopen, oldest dropped when full."""

from datetime import UTC, datetime, timedelta

import pytest

from agent.spool import Spool
from agent.wire import UsageSample

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def sample(seq: int) -> UsageSample:
    return UsageSample(
        seq=seq,
        timestamp=START + timedelta(seconds=10 * seq),
        cpu_percent=seq % 100,
        memory_used=1000 + seq,
        disk_used=5000,
        load1=0.5,
        load5=0.4,
        load15=0.3,
    )


def seqs(samples: list[UsageSample]) -> list[int]:
    return [s.seq for s in samples]


def test_samples_replay_in_seq_order_across_segments(tmp_path):
    spool = Spool(tmp_path, max_samples=100, segment_size=4)
    for seq in range(1, 11):
        spool.append(sample(seq))

    assert spool.depth == 10
    assert seqs(spool.peek(500)) == list(range(1, 11))
    assert seqs(spool.peek(3)) == [1, 2, 3]
    assert len(list(tmp_path.glob("*.jsonl"))) == 3


def test_spooled_samples_survive_reopening_unchanged(tmp_path):
    spool = Spool(tmp_path, max_samples=100, segment_size=4)
    for seq in (3, 4, 9, 12, 13):
        spool.append(sample(seq))

    reopened = Spool(tmp_path, max_samples=100, segment_size=4)

    assert reopened.depth == 5
    assert reopened.peek(10) == [sample(s) for s in (3, 4, 9, 12, 13)]


def test_acknowledged_samples_are_dropped_and_stay_dropped(tmp_path):
    spool = Spool(tmp_path, max_samples=100, segment_size=4)
    for seq in range(1, 11):
        spool.append(sample(seq))

    dropped = spool.drop_through(6)

    assert dropped == 6
    assert spool.depth == 4
    assert seqs(spool.peek(10)) == [7, 8, 9, 10]
    assert seqs(Spool(tmp_path, max_samples=100, segment_size=4).peek(10)) == [7, 8, 9, 10]


def test_a_full_spool_drops_the_oldest_and_says_how_many(tmp_path, caplog):
    spool = Spool(tmp_path, max_samples=5, segment_size=2)
    dropped = [spool.append(sample(seq)) for seq in range(1, 9)]

    assert dropped == [0, 0, 0, 0, 0, 1, 1, 1]
    assert spool.depth == 5
    assert seqs(spool.peek(10)) == [4, 5, 6, 7, 8]
    assert "spool full (5 samples): dropped the 1 oldest (seq 3..3)" in caplog.text


def test_the_bound_holds_when_reopened_with_a_smaller_limit(tmp_path):
    spool = Spool(tmp_path, max_samples=50, segment_size=3)
    for seq in range(1, 21):
        spool.append(sample(seq))

    smaller = Spool(tmp_path, max_samples=8, segment_size=3)

    assert smaller.depth == 8
    assert seqs(smaller.peek(100)) == list(range(13, 21))


def test_a_torn_last_append_is_discarded_on_reopen(tmp_path):
    spool = Spool(tmp_path, max_samples=100, segment_size=10)
    for seq in (1, 2, 3):
        spool.append(sample(seq))
    segment = next(tmp_path.glob("*.jsonl"))
    with segment.open("ab") as f:
        f.write(b'{"seq":4,"timestamp":"2026-03-01T12:00')  # the crash came mid-write

    reopened = Spool(tmp_path, max_samples=100, segment_size=10)
    reopened.append(sample(5))

    assert reopened.depth == 4
    assert seqs(reopened.peek(10)) == [1, 2, 3, 5]


def test_an_unreadable_line_is_skipped_and_dropped_with_its_neighbours(tmp_path):
    spool = Spool(tmp_path, max_samples=100, segment_size=10)
    spool.append(sample(1))
    segment = next(tmp_path.glob("*.jsonl"))
    with segment.open("ab") as f:
        f.write(b"garbage that is not a sample\n")
    reopened = Spool(tmp_path, max_samples=100, segment_size=10)
    reopened.append(sample(2))

    assert seqs(reopened.peek(10)) == [1, 2]
    assert reopened.depth == 3
    reopened.drop_through(2)
    assert reopened.depth == 0
    assert list(tmp_path.glob("*.jsonl")) == []


def test_an_empty_spool_peeks_nothing(tmp_path):
    spool = Spool(tmp_path / "spool", max_samples=10)

    assert spool.depth == 0
    assert spool.peek(500) == []
    assert spool.drop_through(100) == 0


def test_nonsense_bounds_are_refused(tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        Spool(tmp_path, max_samples=0)


def test_a_sample_held_when_the_agent_died_is_spooled_at_the_next_start(tmp_path):
    spool = Spool(tmp_path, max_samples=10)
    spool.append(sample(1))
    spool.hold(sample(2))  # sent, then kill -9 before any answer
    reopened = Spool(tmp_path, max_samples=10)
    assert seqs(reopened.peek(10)) == [1, 2]
    assert Spool(tmp_path, max_samples=10).depth == 2, "recovered once, not at every start"


def test_a_released_sample_is_not_spooled(tmp_path):
    spool = Spool(tmp_path, max_samples=10)
    spool.hold(sample(1))
    spool.release()  # the control plane stored it
    assert Spool(tmp_path, max_samples=10).depth == 0


def test_a_held_sample_that_was_not_delivered_joins_the_spool_in_order(tmp_path):
    spool = Spool(tmp_path, max_samples=10)
    spool.append(sample(1))
    spool.hold(sample(2))
    assert spool.keep_held() == 0
    assert spool.depth == 2
    assert seqs(Spool(tmp_path, max_samples=10).peek(10)) == [1, 2]


def test_a_held_sample_already_spooled_is_not_spooled_twice(tmp_path):
    spool = Spool(tmp_path, max_samples=10)
    spool.hold(sample(3))
    spool.append(sample(3))  # killed after spooling it, before clearing the hold
    assert seqs(Spool(tmp_path, max_samples=10).peek(10)) == [3]


def test_a_torn_in_flight_record_is_discarded(tmp_path):
    Spool(tmp_path, max_samples=10).hold(sample(4))
    path = tmp_path / "in-flight.json"
    path.write_bytes(path.read_bytes()[:20])
    assert Spool(tmp_path, max_samples=10).depth == 0
    assert path.read_bytes() == b""
