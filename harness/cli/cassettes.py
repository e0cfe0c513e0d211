"""``acorn record`` (recording proxy), ``acorn scan`` (leak scanner) and the replay for ``serve``.

``acorn record`` prints the endpoints your integration should use, forwards every call to the
upstream (Amazon's sandbox by default), and on Ctrl-C (or when ``--run CMD`` ends) scrubs,
scans and writes ``cassettes/<name>/cassette.yaml``. ``acorn scan PATH...`` exits 1 if any
secret or buyer PII pattern remains: use it as a pre-commit hook and in CI.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from harness.errors import AcornUsageError

if TYPE_CHECKING:
    from harness.cassettes import Miss
    from harness.session import SessionFacts
    from harness.sim import Simulator
    from harness.sim.proxy import RecordingProxy

__all__ = [
    "cassettes_root",
    "record",
    "register",
    "replay_for_serve",
    "scan",
    "scan_integration_files",
    "scan_run_outputs",
]

# Environment variables whose values are secrets wherever they show up in the traffic.
_SECRET_NAME_PARTS = ("SECRET", "TOKEN", "PASSWORD", "CREDENTIAL", "PRIVATE_KEY")
_SELLER_VARS = ("ACORN_SELLER_ID", "SPAPI_SELLER_ID", "SELLER_ID")


def cassettes_root(given: str | None = None) -> Path:
    """``--cassettes-dir`` > env ``ACORN_CASSETTES_DIR`` > ``./cassettes``."""
    return Path(given or os.environ.get("ACORN_CASSETTES_DIR") or "cassettes")


def _find_cassette(name: str, root: str | None) -> Path:
    """A name resolves in ./cassettes (or the given root), then in ACORN's bundled cassettes."""
    from harness.cassettes import cassette_path
    from harness.paths import bundled

    path = cassette_path(name, cassettes_root(root))
    if not path.exists() and root is None and not Path(name).suffix:
        fallback = cassette_path(name, bundled("cassettes"))
        if fallback.exists():
            return fallback
    return path


def _known_from_env() -> tuple[list[str], list[str]]:
    """(secrets, seller ids) from the environment: a variable named like a secret holds one,
    unless its value is plainly not (a URL, a path, a number, a word with spaces)."""
    secrets = [
        value
        for name, value in os.environ.items()
        if any(part in name.upper() for part in _SECRET_NAME_PARTS) and _secret_like(value)
    ]
    sellers = [os.environ[v] for v in _SELLER_VARS if os.environ.get(v)]
    return secrets, sellers


def _secret_like(value: str) -> bool:
    return (
        len(value) >= 8
        and "://" not in value
        and not value.startswith(("/", ".", "~"))
        and not any(ch.isspace() for ch in value)
        and not value.isdigit()
        and value.lower() not in ("true", "false", "none", "null")
    )


def _drive(proxy: RecordingProxy, run_command: str | None) -> tuple[int, str]:
    """Run ``--run`` against the proxy (output captured), or wait for Ctrl-C / SIGTERM."""
    if run_command:
        print(f"# running: {run_command}", flush=True)
        # Captured, and shown only once scrubbed: the integration prints what it fetched.
        # In a session of its own: what it leaves running ends with it, and cannot hold the
        # pipes (and so `acorn record`) open after it exits. No time limit: it is the user's
        # run (Ctrl-C stops it, and everything it started).
        from harness.drive.processes import run_isolated

        done = run_isolated(
            run_command, payload=b"", env={**os.environ, **proxy.env()}, cwd=None, timeout=None
        )
        output = b"".join((done.stdout, done.stderr, done.late))
        return done.code or 0, output.decode("utf-8", errors="replace")
    print("# Recording. Press Ctrl-C to stop and write the cassette.", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    return 0, ""


def record(
    cassette: Annotated[
        str, typer.Option(help="Cassette name: written to <cassettes-dir>/<name>/cassette.yaml.")
    ],
    upstream: Annotated[
        list[str] | None,
        typer.Option(
            help="Where calls go: 'sandbox' (default: Amazon's sandbox hosts and LWA), a URL for "
            "every endpoint, or ENDPOINT=URL (LWA, NA, EU, FE); repeatable."
        ),
    ] = None,
    allow_production: Annotated[
        bool,
        typer.Option(
            "--allow-production", help="Allow recording Amazon's production SP-API hosts."
        ),
    ] = False,
    run_command: Annotated[
        str | None,
        typer.Option(
            "--run",
            help="Run this shell command against the proxy, then save (default: record until "
            "Ctrl-C). It gets the proxy's ACORN_LWA_TOKEN_URL / ACORN_ENDPOINT_* variables.",
        ),
    ] = None,
    cassettes_dir: Annotated[
        str | None, typer.Option(help="Folder of cassettes (default: env, then ./cassettes).")
    ] = None,
    pseudonymise: Annotated[
        bool,
        typer.Option(
            "--pseudonymise/--no-pseudonymise",
            help="Replace seller and order ids with stable placeholders (replay still matches).",
        ),
    ] = True,
    seller_id: Annotated[
        list[str] | None,
        typer.Option(help="Seller id(s) to pseudonymise (default: env ACORN_SELLER_ID...)."),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing cassette of that name.")
    ] = False,
) -> None:
    """Record SP-API and LWA exchanges through ACORN into a scrubbed cassette."""
    from harness.cassettes import CassetteError, cassette_path
    from harness.sim.proxy import RecordingProxy, Upstream

    out, err = Console(), Console(stderr=True)
    try:
        target = Upstream.parse(upstream, allow_production=allow_production)
        path = cassette_path(cassette, cassettes_root(cassettes_dir))
        if path.exists() and not overwrite:
            raise CassetteError(
                "a cassette of that name exists",
                where=str(path),
                fix="choose another --cassette name, or pass --overwrite to replace it",
            )
    except AcornUsageError as exc:
        err.print(f"[bold red]acorn: cannot record.[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    proxy = RecordingProxy(
        target, name=path.parent.name, on_exchange=lambda line: print(line, file=sys.stderr)
    )
    proxy.start()
    print(f"# ACORN recording proxy -> {target.description}")
    print("# Point your integration at these endpoints (credentials stay your own):")
    for name, value in proxy.env().items():
        print(f"export {name}='{value}'")
    try:
        code, output = _drive(proxy, run_command)
    finally:
        proxy.stop()
    for problem in proxy.errors:
        err.print(f"upstream unreachable, not recorded: {problem}", markup=False)
    if proxy.count == 0:
        err.print(
            "[bold red]acorn: nothing was recorded.[/] Point the integration at the endpoints "
            "printed above (or check --upstream); no cassette was written.",
            highlight=False,
        )
        raise typer.Exit(1)
    secrets, sellers = _known_from_env()
    try:
        _, clean = proxy.save(
            path,
            pseudonymise=pseudonymise,
            secrets=secrets,
            seller_ids=[*(seller_id or []), *sellers],
        )
    except CassetteError as exc:
        err.print(f"[bold red]acorn: cassette not written.[/] {exc}", highlight=False)
        if output:
            err.print("(the --run command's output is withheld: it could not be scrubbed safely)")
        raise typer.Exit(2) from None
    if output and proxy.scrubber is not None:
        print("# --run output (scrubbed):")
        for line in output.splitlines():
            print("| " + proxy.scrubber.text(line))
    out.print(
        f"recorded {len(clean.interactions)} exchanges to {path} (scrubbed"
        + (", seller and order ids pseudonymised" if pseudonymise else "")
        + "; scan clean)",
        highlight=False,
    )
    if code:
        err.print(f"the --run command exited {code}", highlight=False)
        raise typer.Exit(1)


def scan(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to scan (recursively).")],
    env_secrets: Annotated[
        bool,
        typer.Option(
            "--env-secrets/--no-env-secrets",
            help="Also look for the values of this environment's secret variables (names with "
            "SECRET, TOKEN, PASSWORD, CREDENTIAL or PRIVATE_KEY) in every encoding: raw, "
            "%-encoded, JSON-escaped, base64, hex, UTF-16, inside gzip/bz2/zip.",
        ),
    ] = True,
    secrets_file: Annotated[
        Path | None,
        typer.Option(help="A file of secret values to look for, one per line (kept off argv)."),
    ] = None,
    pii_file: Annotated[
        Path | None,
        typer.Option(help="A file of buyer PII values to look for (canaries), one per line."),
    ] = None,
) -> None:
    """Exit 1 if any secret or buyer PII remains in PATHS (pre-commit hook, CI).

    Patterns (LWA tokens, client secrets, credential headers, e-mail addresses, PII fields)
    and the environment's own secret values, also when encoded or compressed."""
    from harness.cassettes import KnownValues, scan_paths

    err = Console(stderr=True)
    missing = [str(p) for p in paths if not p.exists()]
    missing += [str(p) for p in (secrets_file, pii_file) if p is not None and not p.is_file()]
    if missing:
        err.print(
            f"acorn: cannot scan. No such file or folder: {', '.join(missing)}", highlight=False
        )
        raise typer.Exit(2)
    known = KnownValues(
        secrets=[*(_known_from_env()[0] if env_secrets else ()), *_values(secrets_file)],
        pii=_values(pii_file),
    )
    count, findings = scan_paths(paths, known)
    for finding in findings:
        print(str(finding))
    if findings:
        err.print(
            f"[bold red]{len(findings)} leak(s)[/] in {count} file(s) scanned. Remove them "
            "(and rotate any real credential) before committing.",
            highlight=False,
        )
        raise typer.Exit(1)
    print(f"{count} file(s) scanned: no secrets or buyer PII found")


def _values(path: Path | None) -> list[str]:
    if path is None:
        return []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line.strip() for line in lines if line.strip()]


def replay_for_serve(
    cassette: str,
    match_on: str | None,
    ignore_param: list[str] | None,
    cassettes_dir: str | None = None,
) -> Simulator:
    """The Simulator that ``acorn serve --cassette`` runs; misses are printed on stderr."""
    from harness.cassettes import MatchPolicy, load
    from harness.sim.replay import replay_simulator

    policy = MatchPolicy.parse(
        match_on.split(",") if match_on else None, ignore_query=ignore_param or ()
    )
    loaded = load(_find_cassette(cassette, cassettes_dir))

    def report(miss: Miss) -> None:
        # Plain print: one finding must stay greppable, not wrapped to the terminal width.
        print(
            "400 InvalidInput 'Could not match input arguments': " + miss.explain(),
            file=sys.stderr,
            flush=True,
        )

    return replay_simulator(loaded, policy, on_miss=report)


def register(app: typer.Typer) -> None:
    app.command()(record)
    app.command()(scan)


def scan_run_outputs(report_dir: Path, facts: SessionFacts | None = None) -> dict[str, Any]:
    """``acorn run``'s last step: scan every file the run leaves in ``report_dir``.

    Patterns plus the run's own canaries (the simulator's credentials, issued tokens and
    buyer PII) when the session's facts are at hand. Two owners, two consequences:

    - ACORN's own outputs (readiness.*, junit.xml, allure-results, attachments): a finding is
      ACORN's bug, so the run is a harness error (``clean`` false) and must not be published.
    - ``work/`` (the integration's logs and whatever else it wrote there): a finding is the
      integration's leak, which PII-03 judges: ``integration_findings`` (file:line: label,
      never the value) is handed to the report, not counted against ACORN.

    Returns the report's ``output_scan`` block.
    """
    count, work_count, ours, theirs = _scan_report(report_dir, facts)
    if ours:
        summary = (
            f"LEAK: {len(ours)} secret or buyer PII finding(s) in ACORN's own report "
            f"({count - work_count} files scanned). Do not publish {report_dir} until it is "
            "fixed: " + "; ".join(ours[:10])
        )
    else:
        summary = (
            f"ACORN scanned the {count} file(s) of this run for secrets and buyer PII: none in "
            f"its own {count - work_count} report file(s)"
        )
        summary += (
            f"; {len(theirs)} in the integration's own files under work/ (PII-03)."
            if theirs
            else f", none in the integration's {work_count} file(s) under work/."
        )
    return {
        "files": count,
        "findings": ours,
        "integration_findings": theirs,
        "clean": not ours,
        "summary": summary,
    }


def scan_integration_files(report_dir: Path, facts: SessionFacts | None = None) -> list[str]:
    """The leaks in ``work/`` only ("work/x.log:3: kind"), for PII-03 before the report is
    written; :func:`scan_run_outputs` scans everything again once it is."""
    return _scan_report(report_dir, facts, work_only=True)[3]


def _scan_report(
    report_dir: Path, facts: SessionFacts | None, *, work_only: bool = False
) -> tuple[int, int, list[str], list[str]]:
    """(files, files under work/, findings in ACORN's outputs, findings under work/)."""
    from harness.cassettes import KnownValues, Scanner

    known = KnownValues()
    if facts is not None:
        known.add(secrets=sorted(facts.secrets), pii=sorted(facts.pii))
    scanner = Scanner(known)
    ours: list[str] = []
    theirs: list[str] = []
    count = work_count = 0
    # Every file, hidden ones and any folder name included: "what the run leaves behind".
    for file in sorted(p for p in report_dir.rglob("*") if p.is_file()):
        relative = file.relative_to(report_dir)
        integration_owned = relative.parts[0] == "work"
        if work_only and not integration_owned:
            continue
        count += 1
        work_count += integration_owned
        for finding in scanner.file(file):
            where = str(relative) + finding.where.removeprefix(str(file))
            (theirs if integration_owned else ours).append(f"{where}: {finding.kind}")
    return count, work_count, ours, theirs
