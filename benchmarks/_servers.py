"""Start the servers the simulator benchmark compares, and measure them with wrk.

Shared by bench_serve.py (throughput, paced latency, PUT, soak). Everything listens on
loopback; nothing here asserts a time, it only reports figures.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

US = "ATVPDKIKX0DER"
ORDERS_QUERY = f"MarketplaceIds={US}&CreatedAfter=2026-01-01T00:00:00Z"
ORDERS_PATH = "/orders/v0/orders?" + ORDERS_QUERY
PUT_BODY = '{"productType":"LUGGAGE","requirements":"LISTING","attributes":{}}'


@dataclass
class Server:
    """A running server: its base URL, the headers a request needs, its process."""

    name: str
    base: str
    headers: dict[str, str]
    proc: subprocess.Popen[bytes]
    put_path: str
    log: Path
    kinds: tuple[str, ...] = ("get", "put")
    """What it is measured on: the getOrders GET, the listings PUT (a Prism mocks one model)."""

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def rss_kb(self) -> int:
        """Resident memory of the server process and its children (Prism runs under node)."""
        total = 0
        for pid in _tree(self.proc.pid):
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                continue
        return total


def _tree(root: int) -> list[int]:
    pids, todo = [root], [root]
    while todo:
        pid = todo.pop()
        try:
            kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        for kid in map(int, kids):
            pids.append(kid)
            todo.append(kid)
    return pids


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}) before answering {url}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def start_acorn(port: int, *, quiet: bool, scratch: Path, source: Path | None = None) -> Server:
    """``acorn serve --no-throttling`` (full semantics otherwise) with a fresh access token.

    ``source``: run ACORN from this source tree instead (a checkout of an earlier commit, to
    compare before and after in one run)."""
    log = scratch / f"acorn-{port}.log"
    args = [sys.executable, "-m", "harness.cli.main", "serve", "--no-throttling"]
    args += ["--port", str(port), "--seed", "7"] + (["--quiet"] if quiet else [])
    env = {**os.environ, "PYTHONPATH": str(source)} if source else None
    proc = subprocess.Popen(
        args,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env,
        cwd=source,
    )
    deadline = time.monotonic() + 60
    env: dict[str, str] = {}
    while time.monotonic() < deadline and "ACORN_SELLER_ID" not in env:
        time.sleep(0.2)
        for line in log.read_text().splitlines():
            m = re.match(r"export (ACORN_\w+)='(.*)'$", line)
            if m:
                env[m.group(1)] = m.group(2)
        if proc.poll() is not None:
            raise RuntimeError(f"acorn serve exited: {log.read_text()[-2000:]}")
    token = httpx.post(
        env["ACORN_LWA_TOKEN_URL"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": env["ACORN_REFRESH_TOKEN"],
            "client_id": env["ACORN_CLIENT_ID"],
            "client_secret": env["ACORN_CLIENT_SECRET"],
        },
    ).json()["access_token"]
    name = "acorn serve --no-throttling" + (" --quiet" if quiet else "")
    name += f" [{source.name}]" if source else ""
    seller = env["ACORN_SELLER_ID"]
    return Server(
        name,
        env["ACORN_ENDPOINT_NA"],
        {"x-amz-access-token": token},
        proc,
        f"/listings/2021-08-01/items/{seller}/ACORN-BENCH-01?marketplaceIds={US}",
        log,
    )


def install_prism(scratch: Path) -> Path:
    """Prism's CLI installed with npm into ``scratch`` (reused when already there)."""
    binary = scratch / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        subprocess.run(
            ["npm", "install", "--silent", "--prefix", str(scratch), "@stoplight/prism-cli"],
            check=True,
        )
    return binary


def start_prism(
    binary: Path, model: Path, port: int, *, silent: bool, scratch: Path, kind: str
) -> Server:
    """Prism mocking one of Amazon's models (it validates requests against the model)."""
    log = scratch / f"prism-{port}.log"
    args = [str(binary), "mock", str(model), "-p", str(port), "-h", "127.0.0.1"]
    args += ["-v", "silent"] if silent else []
    proc = subprocess.Popen(
        args, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    _wait_http(base + "/", proc)
    name = "prism mock" + (" -v silent" if silent else " (default logging)")
    name += f" {model.stem}"
    return Server(
        name,
        base,
        {"x-amz-access-token": "Atza|bench"},
        proc,
        f"/listings/2021-08-01/items/SELLER1/ACORN-BENCH-01?marketplaceIds={US}",
        log,
        (kind,),
    )


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    errors: str


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)$", text)
    if not m:
        raise ValueError(f"unparsed wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def wrk(
    url: str,
    headers: dict[str, str],
    *,
    seconds: int,
    connections: int = 10,
    method: str = "GET",
    body: str | None = None,
) -> WrkResult:
    """wrk -t1 -c``connections``; a Lua script sets the method, headers and body."""
    lua = [f'wrk.method = "{method}"']
    lua += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    if body is not None:
        lua.append('wrk.headers["content-type"] = "application/json"')
        lua.append(f"wrk.body = [[{body}]]")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lua) + "\n")
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return WrkResult(
        rps, p50, p99, int(non2xx.group(1)) if non2xx else 0, errors.group(1) if errors else ""
    )


async def _paced(
    host: str, port: int, request: bytes, rate: float, seconds: float, conns: int
) -> list[float]:
    """Open-loop client: request i is due at i/rate; latency counts from when it was due
    (so a stalled server is charged for the requests it delayed: no coordinated omission)."""
    latencies: list[float] = []
    queue: asyncio.Queue[float | None] = asyncio.Queue()

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        while (due := await queue.get()) is not None:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - due)
        writer.close()

    workers = [asyncio.create_task(worker()) for _ in range(conns)]
    start = time.perf_counter() + 0.05
    total = int(rate * seconds)
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait(due)
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return latencies


def paced_latencies(
    base: str, headers: dict[str, str], path: str, rate: float, seconds: float, conns: int = 10
) -> list[float]:
    """Each GET's latency in seconds, sorted, at a steady ``rate`` requests per second."""
    url = httpx.URL(base)
    lines = [f"GET {path} HTTP/1.1", f"Host: {url.host}:{url.port}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return sorted(asyncio.run(_paced(url.host, url.port or 80, request, rate, seconds, conns)))


def paced(
    server: Server, path: str, rate: float, seconds: float, conns: int = 10
) -> dict[str, float]:
    """p50/p99/max latency in ms at a steady ``rate`` requests per second."""
    got = paced_latencies(server.base, server.headers, path, rate, seconds, conns)
    return {
        "n": len(got),
        "p50_ms": got[len(got) // 2] * 1000,
        "p99_ms": got[int(len(got) * 0.99) - 1] * 1000,
        "max_ms": got[-1] * 1000,
    }


def scratch_dir(path: str | None) -> Path:
    folder = Path(path) if path else Path(tempfile.gettempdir()) / "acorn-bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
