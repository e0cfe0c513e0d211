"""``acorn serve``: the simulator on its own, for integrations ACORN does not drive.

``--scenario NAME`` serves the world a readiness scenario starts from (the set-ups in
``scenarios/setups.py``, shared with the suite), ``--journal FILE`` writes the traffic as it
happens for ``acorn judge``, and the admin routes under ``/__acorn/`` on the LWA port let a
test run reset the world, load a fault plan or read the journal (observe mode).
"""

from __future__ import annotations

import ipaddress
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from harness.errors import AcornUsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from harness.drive.setups import Setup
    from harness.sim import Simulator
    from harness.sim.journal import Exchange

__all__ = ["build_simulator", "list_scenarios", "register"]


def _fail(exc: AcornUsageError) -> None:
    Console(stderr=True).print(
        f"[bold red]acorn: cannot run.[/] {exc}", highlight=False, soft_wrap=True
    )
    raise typer.Exit(2)


def list_scenarios() -> list[str]:
    """``NAME  what it rehearses`` for every served set-up, in the suite's order."""
    from harness.drive.setups import load_setups

    return [f"{name}\n    {setup.describe()}" for name, setup in load_setups().items()]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_simulator(
    setup: Setup | None,
    *,
    clock_speed: float = 1.0,
    token_lifetime: float = 3600.0,
    throttling: bool = True,
    seed: int | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
) -> Simulator:
    """The simulator ``acorn serve`` runs: a scenario's world, or one from the options."""
    from harness.drive.setups import prepare
    from harness.sim import SimConfig, SimCore, Simulator
    from harness.sim.credentials import new_credentials, seeded_credentials
    from harness.sim.journal import SERVED_JOURNAL_MEMORY

    if setup is not None:
        config = setup.config()
    else:
        config = SimConfig(
            clock_speed=clock_speed, token_lifetime=token_lifetime, throttling=throttling
        )
    credentials = seeded_credentials(seed) if seed is not None else new_credentials()
    core = SimCore(config=config, credentials=credentials, journal_memory=SERVED_JOURNAL_MEMORY)
    if setup is not None:
        prepare(core, setup)
    return Simulator(core=core, host=host, port=port)


def _printer(quiet: bool) -> Callable[[Exchange], None] | None:
    if quiet:
        return None
    from harness.sim.admin import request_line

    def report(exchange: Exchange) -> None:
        print(request_line(exchange), flush=True)

    return report


def serve(
    clock_speed: Annotated[
        float, typer.Option(help="Virtual seconds per wall second (720: an hour in 5 s).")
    ] = 1.0,
    token_lifetime: Annotated[
        float, typer.Option(help="Access-token lifetime in virtual seconds.")
    ] = 3600.0,
    no_throttling: Annotated[
        bool, typer.Option("--no-throttling", help="Switch the usage-plan buckets off.")
    ] = False,
    cassette: Annotated[
        str | None,
        typer.Option(help="Replay this recorded cassette (name or path) instead of simulating."),
    ] = None,
    match_on: Annotated[
        str | None,
        typer.Option(help="With --cassette: matchers, default method,endpoint,path,query,body."),
    ] = None,
    ignore_param: Annotated[
        list[str] | None,
        typer.Option(help="With --cassette: a query parameter left out of matching; repeatable."),
    ] = None,
    sandbox: Annotated[
        bool,
        typer.Option(
            "--sandbox",
            help="Behave like Amazon's static sandbox: only the published cases, rate 5/burst 15.",
        ),
    ] = False,
    models: Annotated[
        str | None,
        typer.Option(help="With --sandbox: Amazon's models checkout (env ACORN_MODELS_DIR)."),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(
            help="Serve the world this readiness scenario starts from (clock, token lifetime, "
            "usage plans, fault plan, seeded seller); see --list-scenarios."
        ),
    ] = None,
    list_: Annotated[
        bool,
        typer.Option("--list-scenarios", help="List the scenarios and what each rehearses."),
    ] = False,
    port: Annotated[
        int,
        typer.Option(
            help="LWA's port; the NA, EU and FE endpoints take the next three. 0: any free ports."
        ),
    ] = 0,
    host: Annotated[
        str, typer.Option(help="Address to listen on (loopback unless --allow-non-loopback).")
    ] = "127.0.0.1",
    allow_non_loopback: Annotated[
        bool,
        typer.Option(
            "--allow-non-loopback",
            help="Allow a --host other than loopback (the simulator has no authentication).",
        ),
    ] = False,
    seed: Annotated[
        int | None,
        typer.Option(help="Stable test credentials: the same seed gives the same values."),
    ] = None,
    journal: Annotated[
        Path | None,
        typer.Option(help="Write every exchange, masked, to this JSON Lines file for acorn judge."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Do not print a line per request.")
    ] = False,
    tls: Annotated[
        bool, typer.Option("--tls", help="Serve https with a throwaway local CA (docs/tls.md).")
    ] = False,
    intercept: Annotated[
        bool,
        typer.Option(
            "--intercept",
            help="With --tls: an HTTPS_PROXY answering Amazon's own hostnames from the "
            "simulator (for clients with Amazon's URLs compiled in); forwards nothing.",
        ),
    ] = False,
    proxy_port: Annotated[
        int, typer.Option(help="With --intercept: the proxy's port (0: a free one).")
    ] = 0,
) -> None:
    """Start the simulator on loopback and print its endpoints and test credentials."""
    if list_:
        try:
            print("\n".join(list_scenarios()))
        except AcornUsageError as exc:
            _fail(exc)
        return
    if clock_speed <= 0 or token_lifetime <= 0:
        Console(stderr=True).print(
            "acorn: cannot run. --clock-speed and --token-lifetime must be positive numbers."
        )
        raise typer.Exit(2)
    if scenario is not None:
        # A scenario's world is the suite's: options that would change it are refused, not
        # silently ignored (or applied, which would judge against another world).
        given = [
            name
            for name, changed in (
                ("--clock-speed", clock_speed != 1.0),
                ("--token-lifetime", token_lifetime != 3600.0),
                ("--no-throttling", no_throttling),
                ("--cassette", cassette is not None),
                ("--sandbox", sandbox),
            )
            if changed
        ]
        if given:
            _fail(
                AcornUsageError(
                    f"--scenario {scenario} sets the world up itself; {', '.join(given)} "
                    "would change it",
                    fix=f"drop {', '.join(given)}, or serve without --scenario",
                )
            )
    if not 0 <= port <= 65532:
        _fail(AcornUsageError(f"--port {port} is not a port", fix="give 1-65532, or 0"))
    if not _is_loopback(host):
        if not allow_non_loopback:
            _fail(
                AcornUsageError(
                    f"--host {host} is not a loopback address",
                    fix="add --allow-non-loopback if other machines must reach the simulator "
                    "(it answers anyone with test credentials), or keep the default 127.0.0.1",
                )
            )
        Console(stderr=True).print(
            f"[bold yellow]acorn: warning:[/] listening on {host}: anyone who can reach it "
            "can use the simulator and read its journal.",
            highlight=False,
        )
    try:
        _serve(
            cassette=cassette,
            match_on=match_on,
            ignore_param=ignore_param,
            sandbox=sandbox,
            models=models,
            scenario=scenario,
            clock_speed=clock_speed,
            token_lifetime=token_lifetime,
            throttling=not no_throttling,
            seed=seed,
            host=host,
            port=port,
            journal=journal,
            quiet=quiet,
            tls=tls,
            intercept=intercept,
            proxy_port=proxy_port,
        )
    except AcornUsageError as exc:
        _fail(exc)


def _serve(
    *,
    cassette: str | None,
    match_on: str | None,
    ignore_param: list[str] | None,
    sandbox: bool,
    models: str | None,
    scenario: str | None,
    clock_speed: float,
    token_lifetime: float,
    throttling: bool,
    seed: int | None,
    host: str,
    port: int,
    journal: Path | None,
    quiet: bool,
    tls: bool = False,
    intercept: bool = False,
    proxy_port: int = 0,
) -> None:
    from harness.drive.setups import prepare, setup_named
    from harness.sim.admin import ObservedApp, settings_of
    from harness.sim.journal_file import JournalWriter

    setup = setup_named(scenario) if scenario is not None else None
    if sandbox:
        from harness.cli.contracts import sandbox_for_serve

        sim = sandbox_for_serve(models, cassette, token_lifetime=token_lifetime)
        sim.host, sim.port = host, port
    elif cassette is not None:
        from harness.cli.cassettes import replay_for_serve

        sim = replay_for_serve(cassette, match_on, ignore_param)
        sim.host, sim.port = host, port
    else:
        sim = build_simulator(
            setup,
            clock_speed=clock_speed,
            token_lifetime=token_lifetime,
            throttling=throttling,
            seed=seed,
            host=host,
            port=port,
        )
    current = {"setup": setup}
    initial = sim.core.config  # a fault plan loaded over the admin API replaces it

    def reset(name: str | None) -> str | None:
        chosen = setup_named(name) if name is not None else current["setup"]
        if chosen is None:
            sim.reset(replace(initial))
            return None
        sim.reset(chosen.config())
        prepare(sim.core, chosen)
        current["setup"] = chosen
        return chosen.name

    writer = (
        JournalWriter(journal, scenario=scenario, settings=settings_of(sim.core))
        if journal is not None
        else None
    )
    wrapped: list[ObservedApp] = []

    def wrap(app: object) -> ObservedApp:
        from harness.sim.app import SimulatorApp

        assert isinstance(app, SimulatorApp)
        observed = ObservedApp(
            app, scenario=scenario, reset=reset, writer=writer, report=_printer(quiet)
        )
        wrapped.append(observed)
        return observed

    sim.wrap = wrap
    try:
        _run(sim, setup, journal, tls=tls, intercept=intercept, proxy_port=proxy_port)
    finally:
        for observed in wrapped:
            observed.drain()
        if writer is not None:
            writer.event("settings", settings=settings_of(sim.core))
            writer.close()
    print("# simulator stopped", flush=True)
    sys.stdout.flush()


def _run(
    sim: Simulator,
    setup: Setup | None,
    journal: Path | None,
    *,
    tls: bool,
    intercept: bool,
    proxy_port: int,
) -> None:
    """Serve until Ctrl-C or SIGTERM, with the local CA and the intercept proxy if asked."""
    from harness.cli import tls_serve

    # --tls / --intercept (harness.cli.tls_serve): the CA before the start, the proxy after.
    tls_serve.prepare(sim, tls=tls, intercept_hosts=intercept)
    sim.start()
    try:
        proxy = tls_serve.start(sim, intercept_hosts=intercept, proxy_port=proxy_port)
    except AcornUsageError:
        sim.stop()
        raise
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    _banner(sim, setup, journal, tls_serve.banner(sim, proxy))
    print("# Press Ctrl-C to stop.", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if proxy is not None:
            proxy.stop()
        sim.stop()
        if sim.tls is not None:
            sim.tls.close()


def _banner(
    sim: Simulator, setup: Setup | None, journal: Path | None, tls_lines: list[str]
) -> None:
    """Endpoints, admin routes and test credentials, as lines a shell or .env can take."""
    from harness.drive.setups import closed_loopback_port

    endpoints = sim.endpoints
    env = sim.env()
    what = f"scenario {setup.name}" if setup else "simulator"
    print(f"# ACORN SP-API {what}; LWA token URL {endpoints.lwa_token_url}")
    if setup is not None:
        print(f"# {setup.describe()}")
        if setup.refused_region:
            refused = f"http://127.0.0.1:{closed_loopback_port()}"
            env[f"ACORN_ENDPOINT_{setup.refused_region}"] = refused
        faults = sim.core.config.faults
        if faults is not None:  # as a scenario asks a driven integration
            env["ACORN_READ_TIMEOUT"] = str(faults.client_timeout)
    for region, url in endpoints.regions.items():
        print(f"# {region} endpoint {env.get(f'ACORN_ENDPOINT_{region}', url)}")
    lwa_base = endpoints.lwa_token_url.rsplit("/auth/", 1)[0]
    print(f"# Admin API: {lwa_base}/__acorn/health, /journal, /reset (POST), /faults (POST)")
    if journal is not None:
        print(f"# Journal (JSON Lines, masked): {journal}")
    for line in tls_lines:
        print(line)
    print("# Test credentials (not real secrets). Paste these into your integration's shell:")
    for name, value in env.items():
        print(f"export {name}='{value}'")


def register(app: typer.Typer) -> None:
    app.command(name="serve")(serve)
