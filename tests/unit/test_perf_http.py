"""The fast HTTP stack keeps h11's bounds, and the journal reads without sorting.

httptools has no limit of its own on a request head; the simulator keeps h11's 16 KiB (a 400,
as h11 answered) so a client streaming an endless head cannot grow its memory.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from harness.sim import Simulator
from harness.sim.journal import Exchange, Journal
from harness.sim.loopback import MAX_HEAD_BYTES


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator


def _exchange(head: bytes, sim: Simulator) -> bytes:
    host, port = sim.endpoints.regions["NA"].removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data:
                break
        return data


def test_an_oversized_request_head_is_refused(sim: Simulator) -> None:
    filler = b"X-Filler: " + b"a" * (MAX_HEAD_BYTES + 1024) + b"\r\n"
    answer = _exchange(b"GET /sellers/v1/marketplaceParticipations HTTP/1.1\r\n" + filler, sim)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:100]


def test_a_large_head_within_the_cap_is_served(sim: Simulator) -> None:
    filler = b"X-Filler: " + b"a" * (MAX_HEAD_BYTES // 2) + b"\r\n"
    head = b"GET /sellers/v1/marketplaceParticipations HTTP/1.1\r\nHost: x\r\n" + filler + b"\r\n"
    answer = _exchange(head, sim)
    assert answer.startswith(b"HTTP/1.1 403"), answer[:100]  # no token: Amazon's 403


def _e(seq: int) -> Exchange:
    return Exchange(
        seq, f"r{seq}", 0.0, 0.0, "NA", None, "GET", "/", {}, {}, None, 200, {}, None, 0.0
    )


def test_journal_keeps_seq_order_and_reads_what_is_new() -> None:
    journal = Journal()
    for seq in (1, 2, 4, 3, 5):
        journal.append(_e(seq))
    assert [e.seq for e in journal.all()] == [1, 2, 3, 4, 5]
    assert [e.seq for e in journal.since(2)] == [3, 4, 5]
    assert journal.since(5) == []
    assert journal.next_seq() == 6
    journal.clear()
    assert journal.next_seq() == 1
