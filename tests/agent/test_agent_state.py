"""The agent's durable state: a sequence counter that never goes back, a private identity and
a node secret made once and kept."""

import os
import signal
import stat
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from agent.state import (
    IdentityStore,
    NodeIdentity,
    SequenceCounter,
    StateError,
    load_node_secret,
)

REPO = Path(__file__).resolve().parents[2]

ISSUE_FOREVER = """
import sys
from pathlib import Path
from agent.state import SequenceCounter
counter = SequenceCounter(Path(sys.argv[1]), block=int(sys.argv[2]))
while True:
    print(counter.next(), flush=True)
"""


def issue_until_killed(path: Path, block: int, count: int) -> list[int]:
    """Run a real process handing out numbers and SIGKILL it after `count` of them."""
    proc = subprocess.Popen(
        [sys.executable, "-c", ISSUE_FOREVER, str(path), str(block)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert proc.stdout is not None
    issued = [int(proc.stdout.readline()) for _ in range(count)]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return issued


def from_zero() -> int:
    return 0


def test_sequence_never_reuses_a_value_after_a_crash(tmp_path):
    path = tmp_path / "sequence"
    first_life = issue_until_killed(path, block=7, count=40)
    second_life = issue_until_killed(path, block=7, count=40)

    after = SequenceCounter(path, block=7)

    assert first_life == list(range(first_life[0], first_life[0] + 40))
    assert min(second_life) > max(first_life)
    assert after.next() > max(second_life)
    assert after.found_on_disk


def test_sequence_resumes_above_everything_handed_out_after_a_clean_restart(tmp_path):
    path = tmp_path / "sequence"
    counter = SequenceCounter(path, block=3, origin=from_zero)
    handed_out = [counter.next() for _ in range(5)]

    again = SequenceCounter(path, block=3, origin=from_zero)

    assert handed_out == [1, 2, 3, 4, 5]
    assert again.next() > 5


def test_advancing_past_the_servers_last_seq_is_written_ahead(tmp_path):
    path = tmp_path / "sequence"
    counter = SequenceCounter(path, block=100, origin=from_zero)
    counter.next()

    counter.advance_past(5000)
    # a crash here, before another number is handed out, must not resume below 5000
    restarted = SequenceCounter(path, block=100)

    assert counter.next() == 5001
    assert restarted.next() > 5000


def test_advancing_to_a_lower_seq_changes_nothing(tmp_path):
    counter = SequenceCounter(tmp_path / "sequence", origin=from_zero)
    for _ in range(10):
        counter.next()

    counter.advance_past(3)

    assert counter.next() == 11


def test_a_fresh_state_dir_has_no_sequence_on_disk(tmp_path):
    counter = SequenceCounter(tmp_path / "sequence")

    assert not counter.found_on_disk
    assert not (tmp_path / "sequence").exists()


def test_a_new_counter_numbers_above_everything_an_earlier_agent_could_have_sent(tmp_path):
    # The node's earlier agent, reinstalled away: it started an hour ago and sent a sample
    # every 10 s (and lost a reservation block in each of a few crashes).
    now_ms = 1_800_000_000_000
    earlier = SequenceCounter(tmp_path / "old", block=100, origin=lambda: now_ms - 3_600_000)
    sent = [earlier.next() for _ in range(360 + 5 * 100)]

    successor = SequenceCounter(tmp_path / "new", origin=lambda: now_ms)

    assert successor.next() > max(sent)
    assert successor.next() == now_ms + 2


def test_a_counter_starts_at_the_wall_clock_in_milliseconds(tmp_path):
    before = time.time_ns() // 1_000_000
    first = SequenceCounter(tmp_path / "sequence").next()
    after = time.time_ns() // 1_000_000

    assert before < first <= after + 1


def test_a_corrupt_sequence_file_is_refused_rather_than_guessed(tmp_path):
    path = tmp_path / "sequence"
    path.write_text("12ab\n")

    with pytest.raises(StateError, match="corrupt"):
        SequenceCounter(path)


def identity() -> NodeIdentity:
    return NodeIdentity(
        node_id="node-1",
        node_token="nt_secret_value_123",
        node_name="worker-7",
        server_url="https://cp.example.com",
        heartbeat_interval=10.0,
        resource_interval=60.0,
    )


def test_identity_is_stored_readable_by_the_agent_only(tmp_path):
    store = IdentityStore(tmp_path / "node.json")

    store.save(identity())

    mode = stat.S_IMODE(os.stat(tmp_path / "node.json").st_mode)
    assert mode == 0o600
    assert store.load("worker-7", "https://cp.example.com") == identity()
    assert "nt_secret_value_123" not in repr(identity())


def test_identity_of_another_node_name_or_server_is_not_reused(tmp_path):
    store = IdentityStore(tmp_path / "node.json")
    store.save(identity())

    assert store.load("worker-8", "https://cp.example.com") is None
    assert store.load("worker-7", "https://other.example.com") is None


def test_unreadable_or_cleared_identity_means_register_again(tmp_path):
    store = IdentityStore(tmp_path / "node.json")
    (tmp_path / "node.json").write_text("{not json")
    assert store.load("worker-7", "https://cp.example.com") is None

    store.save(identity())
    store.clear()

    assert store.load("worker-7", "https://cp.example.com") is None


def test_an_identity_from_before_node_secrets_is_not_taken_for_a_claimed_one(tmp_path):
    store = IdentityStore(tmp_path / "node.json")
    store.save(identity())
    legacy = store.load("worker-7", "https://cp.example.com")
    # What an agent from before node secrets wrote: no "claimed" at all.
    (tmp_path / "node.json").write_text(
        (tmp_path / "node.json").read_text().replace(', "claimed": false', "")
    )
    older = store.load("worker-7", "https://cp.example.com")

    store.save(replace(identity(), claimed=True))

    assert legacy is not None and older is not None
    assert (legacy.claimed, older.claimed) == (False, False)
    assert older.node_token == "nt_secret_value_123"
    assert store.load("worker-7", "https://cp.example.com") == replace(identity(), claimed=True)


def test_the_node_secret_is_made_once_private_and_kept(tmp_path):
    path = tmp_path / "node-secret"

    first = load_node_secret(path)
    written = path.read_bytes()
    again = load_node_secret(path)

    assert again == first
    assert path.read_bytes() == written == f"{first}\n".encode()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not (tmp_path / "node-secret.tmp").exists()
    assert load_node_secret(tmp_path / "another") != first
    assert len(first) >= 32


def test_a_node_secret_written_by_hand_is_read_as_it_is(tmp_path):
    path = tmp_path / "node-secret"
    path.write_text("  restored-from-backup-" + "b" * 20 + "\n\n")

    assert load_node_secret(path) == "restored-from-backup-" + "b" * 20


@pytest.mark.parametrize("content", [b"", b"short\n", b"x" * 257, b"\xff" * 40])
def test_a_node_secret_file_without_a_secret_is_refused_not_replaced(tmp_path, content):
    path = tmp_path / "node-secret"
    path.write_bytes(content)

    with pytest.raises(StateError, match="node secret"):
        load_node_secret(path)

    assert path.read_bytes() == content
