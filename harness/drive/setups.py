"""Named scenario set-ups: the simulated world each readiness scenario starts from.

One source of truth for two users: the pytest scenarios under ``scenarios/`` start their
worlds from these set-ups, and ``acorn serve --scenario NAME`` serves the same world to an
integration ACORN does not drive (observe mode). The set-ups themselves are data in
``scenarios/setups.py`` (beside the scenarios that use them); this module gives them a type
and loads them outside pytest.
"""

from __future__ import annotations

import atexit
import importlib.util
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from harness.errors import ConfigError, suggest
from harness.paths import bundled
from harness.sim import SimConfig, SimCore

__all__ = ["AT_START", "Setup", "closed_loopback_port", "load_setups", "prepare", "setup_named"]


@dataclass(frozen=True)
class Setup:
    """A scenario's starting world: how the simulator is configured before the first action.

    ``config`` builds a fresh :class:`SimConfig` each time (fault plans are read from their
    files); ``steps`` names what the scenario does to the world mid-run (an early token
    expiry, a revoked grant), which a served world does not replay on its own.
    """

    name: str
    rehearses: str
    config: Callable[[], SimConfig]
    needs: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    action_timeout: float | None = None
    refused_region: str | None = None
    """A region whose endpoint refuses connections (its URL points at a closed port)."""
    at_start: tuple[str, ...] = ()
    """Lifecycle events applied to the fresh world before the first action (see
    :data:`AT_START`): served worlds get them too."""
    steps: str = ""

    def describe(self) -> str:
        """One paragraph for ``acorn serve --list-scenarios``."""
        text = f"{self.rehearses} Judges {', '.join(self.checks) or 'no check on its own'}."
        if self.at_start:
            text += " At start: " + ", ".join(AT_START[e] for e in self.at_start) + "."
        if self.refused_region:
            text += f" The {self.refused_region} endpoint refuses connections."
        if self.steps:
            text += f" Mid-run (not replayed by serve): {self.steps}"
        return text


AT_START = {
    "revoke_refresh_token": "the refresh token is revoked (invalid_grant)",
    "rotate_client_secret": "the client secret is rotated (invalid_client)",
}
"""The SimCore lifecycle methods a set-up may apply before the first action."""


def prepare(core: SimCore, setup: Setup) -> None:
    """Apply ``setup.at_start`` to a fresh world (a scenario's or a served one)."""
    for event in setup.at_start:
        if event not in AT_START:
            raise ConfigError(
                f"set-up {setup.name!r}: unknown start event {event!r}",
                fix=f"use one of {', '.join(AT_START)}",
            )
        getattr(core, event)()


_MODULE = "acorn_scenario_setups"


@cache
def load_setups(path: Path | None = None) -> dict[str, Setup]:
    """The set-ups of ``scenarios/setups.py`` (or ``path``) by name, in declaration order."""
    file = path or bundled("scenarios") / "setups.py"
    spec = importlib.util.spec_from_file_location(_MODULE, file)
    if spec is None or spec.loader is None or not file.is_file():
        raise ConfigError(
            f"no scenario set-ups at {file}",
            fix="run ACORN from its checkout (pip install -e .), where scenarios/setups.py lives",
        )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(_MODULE, module)
    spec.loader.exec_module(module)
    found: dict[str, Setup] = {}
    for item in getattr(module, "SETUPS", ()):
        if not isinstance(item, Setup):
            raise ConfigError(f"{file}: SETUPS holds {item!r}, not a Setup")
        if item.name in found:
            raise ConfigError(f"{file}: two set-ups are named {item.name!r}")
        found[item.name] = item
    return found


def setup_named(name: str) -> Setup:
    """The set-up called ``name``; an unknown name is refused with the nearest known one."""
    setups = load_setups()
    try:
        return setups[name]
    except KeyError:
        raise ConfigError(
            f"no readiness scenario is called {name!r}",
            fix=f"{suggest(name, setups)}list them with `acorn serve --list-scenarios`",
        ) from None


_HELD: list[socket.socket] = []
"""Sockets behind :func:`closed_loopback_port`, bound for the rest of the process."""


def _release() -> None:
    for held in _HELD:
        held.close()


def closed_loopback_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused.

    The port stays bound (never listening) until the process ends. Closed at once, it could be
    taken meanwhile by another simulator binding port 0 (a parallel scenario worker), and the
    refused-connection scenario would then reach a server instead of a refusal.
    """
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    if not _HELD:
        atexit.register(_release)
    _HELD.append(holder)
    port: int = holder.getsockname()[1]
    return port
