"""Every process an action starts ends with the action: its session, its tree, its marker.

An integration's command or adapter may leave children behind: ``cmd &``, ``nohup cmd &``,
``setsid cmd &``, a daemon that double-forks. Left alone they hold ACORN's pipes open (a read
that waits for EOF then waits for them) and outlive the run. So each action gets a token,
``ACORN_ACTION_TOKEN=<uuid>`` in the environment it starts with, and runs in a session of its
own (``start_new_session=True``). When the action ends or times out, :func:`end_processes`
sends SIGTERM, waits a moment, then SIGKILL, to every process that

- carries the token in its environment (``/proc/<pid>/environ``, inherited by default: it
  finds ``setsid`` and ``nohup`` children, and orphans that double-forked to init), or
- is in the action's session or process group (children that cleared their environment), or
- descends from the action's root process (the same, while their parent lives).

A process that leaves the session, drops the token from its environment *and* is orphaned
escapes; only a cgroup would hold it, and ACORN does not ask for root. /proc is Linux's: on
other systems only the session's process group is signalled. No extra dependency (psutil):
the walk is a few lines over /proc and costs milliseconds.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "TOKEN_VAR",
    "Finished",
    "Proc",
    "end_processes",
    "has_exited",
    "marked",
    "new_token",
    "run_isolated",
    "snapshot",
]

TOKEN_VAR = "ACORN_ACTION_TOKEN"
"""The environment variable that marks every process of one action."""
GRACE_S = 1.0
"""How long SIGTERM has before SIGKILL: enough to flush a log, short next to any timeout."""
SETTLE_S = 2.0
"""How long past ``GRACE_S`` the walk may go on finding processes (forks while dying)."""
_STEP_S = 0.02
_PROC = Path("/proc")


def new_token() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    pgid: int
    sid: int
    zombie: bool


def _stat(pid: int) -> Proc | None:
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
    fields = text[text.rfind(")") + 2 :].split()
    try:
        return Proc(pid, int(fields[1]), int(fields[2]), int(fields[3]), fields[0] in "ZX")
    except (IndexError, ValueError):
        return None


def snapshot() -> dict[int, Proc]:
    """Every live (non-zombie) process this user can see, by pid."""
    found: dict[int, Proc] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir(_PROC):
            if entry.name.isdigit():
                proc = _stat(int(entry.name))
                if proc is not None and not proc.zombie:
                    found[proc.pid] = proc
    return found


def _carries(pid: int, needle: bytes) -> bool:
    try:
        environ = (_PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return False
    return needle in environ.split(b"\0")


def marked(token: str, procs: dict[int, Proc] | None = None) -> list[int]:
    """The live processes whose environment carries ``token``."""
    needle = f"{TOKEN_VAR}={token}".encode()
    procs = snapshot() if procs is None else procs
    return sorted(pid for pid in procs if _carries(pid, needle))


def _targets(tokens: tuple[str, ...], root: int | None, keep: set[int]) -> set[int]:
    procs = snapshot()
    found = {pid for token in tokens for pid in marked(token, procs)}
    if root is not None:
        found |= {p.pid for p in procs.values() if root in (p.sid, p.pgid)}
        children: dict[int, list[int]] = {}
        for p in procs.values():
            children.setdefault(p.ppid, []).append(p.pid)
        stack = [root]
        while stack:
            pid = stack.pop()
            if pid in procs:
                found.add(pid)
            stack.extend(c for c in children.get(pid, []) if c not in found)
    return found - keep - {os.getpid()}


def _signal(pids: set[int], sig: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def end_processes(
    tokens: Iterable[str | None],
    root: int | None = None,
    *,
    keep: set[int] | None = None,
    grace: float = GRACE_S,
) -> int:
    """SIGTERM then SIGKILL every process of the action; return how many were found.

    ``tokens``: the action's markers (None entries are ignored). ``root``: the pid that leads
    the action's session (its descendants, session and process group go too); it must not
    have been reaped yet (a zombie is fine), or its pid could already name a stranger.
    ``keep``: pids to spare (a long-lived worker between actions). Bounded: at most ``grace``
    plus ``SETTLE_S``, however many processes fork meanwhile; about 0.1 s when nothing is
    left.
    """
    token = tuple(t for t in tokens if t)
    keep = keep or set()
    if not _PROC.is_dir():  # not Linux: the process group is all ACORN can name
        if root is not None and root not in keep:
            _end_group(root, grace)
        return 0
    # One walk is not enough: a child caught mid-exec shows an empty environment (and may
    # already have left the session), so the walk repeats until it finds nothing twice in a
    # row. Each process gets SIGTERM when first found, SIGKILL once its grace is over.
    signalled: dict[int, float] = {}
    quiet = 0
    deadline = time.monotonic() + grace + SETTLE_S
    while quiet < 2 and time.monotonic() < deadline:
        targets = _targets(token, root, keep)
        quiet = 0 if targets else quiet + 1
        now = time.monotonic()
        _signal({p for p in targets if p not in signalled}, signal.SIGTERM)
        _signal({p for p in targets if now - signalled.get(p, now) >= grace}, signal.SIGKILL)
        for pid in targets:
            signalled.setdefault(pid, now)
        time.sleep(_STEP_S)
    _signal(_targets(token, root, keep), signal.SIGKILL)  # the bound is reached: no grace left
    return len(signalled)


def _end_group(pgid: int, grace: float) -> None:
    deadline = time.monotonic() + grace
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
            while time.monotonic() < deadline:
                time.sleep(_STEP_S)
                os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return


@dataclass
class Finished:
    """What :func:`run_isolated` saw: the exit code (None: killed at the deadline), output."""

    code: int | None
    stdout: bytes
    stderr: bytes
    timed_out: bool
    leftovers: int
    """Processes still running when the command ended (or at the deadline), now ended."""
    late: bytes = b""
    """What leftovers wrote (stdout and stderr) after the command exited: not its result."""


DRAIN_S = 2.0
"""How long the pipes may stay open once every process of the action has been ended."""
_PIPE_BUF = 512


def has_exited(proc: subprocess.Popen[bytes]) -> bool:
    """True once ``proc`` has exited, without reaping it (its pid stays ours, as a zombie).

    Without ``waitid`` (macOS) it is :meth:`~subprocess.Popen.poll`, which reaps; there
    :func:`end_processes` signals only the process group anyway.
    """
    if not hasattr(os, "waitid"):
        return proc.poll() is not None
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


class _Pipes:
    """communicate(), but it stops at the process's exit, not at EOF, and never reaps."""

    def __init__(self, proc: subprocess.Popen[bytes], payload: bytes) -> None:
        assert proc.stdin is not None
        assert proc.stdout is not None
        assert proc.stderr is not None
        self.proc = proc
        self.selector = selectors.DefaultSelector()
        self.data = {proc.stdout.fileno(): bytearray(), proc.stderr.fileno(): bytearray()}
        for stream in (proc.stdout, proc.stderr):
            self.selector.register(stream, selectors.EVENT_READ)
        self.frozen: dict[int, int] | None = None
        self.payload: memoryview = memoryview(payload)
        self.offset = 0
        if payload:
            self.selector.register(proc.stdin, selectors.EVENT_WRITE)
        else:
            proc.stdin.close()

    def pump(self, deadline: float | None, *, until_exit: bool) -> bool:
        """Move bytes until the process exits (``until_exit``) or every pipe is closed, or
        the deadline passes; True if the condition was met."""
        while True:
            if until_exit and has_exited(self.proc):
                return True
            if not until_exit and not self.selector.get_map():
                return True
            wait = 0.05 if deadline is None else min(0.05, deadline - time.monotonic())
            if wait <= 0:
                return False
            if not self.selector.get_map():
                time.sleep(wait)
                continue
            for key, _ in self.selector.select(wait):
                self._move(key)

    def drain_now(self) -> None:
        """Read what is already in the pipes, and mark it: the rest is written late."""
        while self.selector.get_map():
            ready = [k for k, _ in self.selector.select(0) if k.events & selectors.EVENT_READ]
            if not ready:
                break
            for key in ready:
                self._move(key)
        self.frozen = {fd: len(data) for fd, data in self.data.items()}

    def _move(self, key: selectors.SelectorKey) -> None:
        stream: Any = key.fileobj
        if key.events & selectors.EVENT_WRITE:
            try:
                chunk = self.payload[self.offset : self.offset + _PIPE_BUF]
                self.offset += os.write(stream.fileno(), chunk)
            except OSError:  # BrokenPipe: the command does not read its input
                self.offset = len(self.payload)
            if self.offset >= len(self.payload):
                self.selector.unregister(stream)
                with contextlib.suppress(OSError):
                    stream.close()
            return
        block = os.read(stream.fileno(), 32768)
        if block:
            self.data[stream.fileno()] += block
        else:
            self.selector.unregister(stream)

    def close(self) -> tuple[bytes, bytes, bytes]:
        """(stdout, stderr) up to :meth:`drain_now`, and everything written after it."""
        assert self.proc.stdout is not None
        assert self.proc.stderr is not None
        frozen = self.frozen or {}
        parts = []
        for stream in (self.proc.stdout, self.proc.stderr):
            data = self.data[stream.fileno()]
            parts.append((bytes(data[: frozen.get(stream.fileno(), len(data))]), bytes(data)))
        (out, all_out), (err, all_err) = parts
        late = all_out[len(out) :] + all_err[len(err) :]
        self.selector.close()
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        return out, err, late


def run_isolated(
    command: str,
    *,
    payload: bytes,
    env: dict[str, str],
    cwd: Path | None,
    timeout: float | None,
    token: str | None = None,
) -> Finished:
    """Run a shell command in a session of its own, marked with an action token.

    It ends when the command exits or ``timeout`` passes (None: no limit, Ctrl-C stops it);
    then every process it left (background, nohup, setsid) is ended, the pipes are read for
    at most :data:`DRAIN_S`, and the command is reaped. Nothing here waits without a bound
    but the command itself when ``timeout`` is None.
    """
    token = token or new_token()
    proc = subprocess.Popen(
        command,
        shell=True,
        cwd=cwd,
        env={**env, TOKEN_VAR: token},
        start_new_session=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    pipes = _Pipes(proc, payload)
    deadline = None if timeout is None else time.monotonic() + timeout
    exited = False
    leftovers = 0
    try:
        exited = pipes.pump(deadline, until_exit=True)
        if exited:
            pipes.drain_now()  # the command's own output; leftovers may write on
    finally:
        # Whatever happened (exit, deadline, Ctrl-C), the action's processes end here; the
        # command itself is not reaped yet, so its pid still names its session.
        leftovers = end_processes([token], proc.pid)
        pipes.pump(time.monotonic() + DRAIN_S, until_exit=False)
        out, err, late = pipes.close()
        try:
            proc.wait(timeout=DRAIN_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=DRAIN_S)
    code = proc.returncode if exited else None
    left = max(0, leftovers - (0 if exited else 1))
    return Finished(code, out, err, not exited, left, late)
