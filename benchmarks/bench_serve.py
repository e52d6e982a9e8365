"""How `qzdsl serve` holds up under load (run by hand, not by the test suite).

    python benchmarks/bench_serve.py [--clients 50] [--rate 200] [--seconds 15] [--max-requests 6000] [--workers 1]

Starts `qzdsl serve` on a free loopback port (never another address) and holds `--clients`
concurrent keep-alive connections on `POST /v1/eval`, each sending the bundled example
cases in turn (client i starts at case i, so that the server sees them all mixed):

1. **at the target rate** (open loop): the clients together send `--rate` requests a
   second on a fixed schedule; a request's latency is counted from when it was due, so a
   slow server cannot hide its queue (no coordinated omission) — target: p99 under 50 ms
   at 200 requests/s with no errors;
2. **as fast as it goes** (closed loop): each client sends its next request as soon as the
   last is answered — the throughput ceiling, for information.

Both phases are bounded by `--seconds` and `--max-requests`. Exit status 1 when the
target is missed or any request fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
def _jsonable(value):
    """A case file's YAML as JSON: dates (also the keys of a fact that changes over time) as text."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


CASES = sorted((ROOT / "policies/qzf-2023-12/cases").glob("*.yaml"))
HOST = "127.0.0.1"  # loopback only, whatever the arguments
P99_TARGET = 0.050  # seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "qzdsl", "serve", "--host", HOST, "--port", str(port),
                                "--workers", str(workers)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/v1/health", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("qzdsl serve did not start within 30 s")


class Connection:
    """One keep-alive HTTP/1.1 connection sending the cases' POSTs in turn."""

    def __init__(self, port: int, bodies: list[bytes], first: int):
        self.requests = [(f"POST /v1/eval HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
                          f"Content-Length: {len(body)}\r\n\r\n").encode("ascii") + body for body in bodies]
        self.port, self.sent = port, first

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    async def send(self) -> bool:
        """One request; whether it was answered 200 with the eval record."""
        self.writer.write(self.requests[self.sent % len(self.requests)])
        self.sent += 1
        await self.writer.drain()
        status = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        body = await self.reader.readexactly(length)
        return status.split()[1] == b"200" and b'"qzdsl.eval.v1"' in body

    def close(self) -> None:
        self.writer.close()


async def open_loop(port: int, bodies: list[bytes], clients: int, rate: float, seconds: float, limit: int) -> dict:
    """Requests due at a fixed rate, spread over the clients; latency from the due time."""
    connections = [Connection(port, bodies, i) for i in range(clients)]
    await asyncio.gather(*(c.open() for c in connections))
    total = min(limit, int(rate * seconds))
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter() + 0.2

    async def client(index: int) -> None:
        nonlocal errors
        for n in range(index, total, clients):
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            ok = await connections[index].send()
            latencies.append(time.perf_counter() - due)
            errors += not ok

    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - start
    for c in connections:
        c.close()
    return _summary(latencies, errors, elapsed)


async def closed_loop(port: int, bodies: list[bytes], clients: int, seconds: float, limit: int) -> dict:
    connections = [Connection(port, bodies, i) for i in range(clients)]
    await asyncio.gather(*(c.open() for c in connections))
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    end = start + seconds

    async def client(connection: Connection) -> None:
        nonlocal errors
        while time.perf_counter() < end and len(latencies) < limit:
            sent = time.perf_counter()
            ok = await connection.send()
            latencies.append(time.perf_counter() - sent)
            errors += not ok

    await asyncio.gather(*(client(c) for c in connections))
    elapsed = time.perf_counter() - start
    for c in connections:
        c.close()
    return _summary(latencies, errors, elapsed)


def _cpu_seconds(process: subprocess.Popen) -> float | None:
    """CPU seconds (user and system) the server and its worker processes used so far, from
    /proc (None where there is none)."""
    try:
        pids = [process.pid, *(int(p) for p in Path(f"/proc/{process.pid}/task/{process.pid}/children")
                                .read_text().split())]
        tick = os.sysconf("SC_CLK_TCK")
        return sum(sum(int(f) for f in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13])
                   for pid in pids) / tick
    except (OSError, ValueError):
        return None


def _measured(server: subprocess.Popen, phase) -> tuple[dict, tuple[float, float] | None]:
    """A phase's summary, and the CPU seconds the server and this client spent on it."""
    server_before, client_before = _cpu_seconds(server), time.process_time()
    result = asyncio.run(phase())
    server_after, client_after = _cpu_seconds(server), time.process_time()
    if server_before is None or server_after is None:
        return result, None
    return result, (server_after - server_before, client_after - client_before)


def _summary(latencies: list[float], errors: int, elapsed: float) -> dict:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "errors": errors,
        "throughput": len(ordered) / elapsed,
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "max": ordered[-1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="qzdsl serve --workers")
    parser.add_argument("--rate", type=float, default=200.0, help="requests a second in the open-loop phase")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each phase (at most 60)")
    parser.add_argument("--max-requests", type=int, default=6000, help="requests in each phase (at most 20000)")
    args = parser.parse_args()
    seconds, limit = min(args.seconds, 60.0), min(args.max_requests, 20000)
    bodies = [json.dumps(_jsonable(yaml.safe_load(case.read_text(encoding="utf-8"))), ensure_ascii=False).encode()
              for case in CASES]
    port = free_port()
    print(f"{os.cpu_count()} CPU(s), load {os.getloadavg()[0]:.2f} before")
    server = start_server(port, args.workers)
    try:
        paced, paced_cpu = _measured(server, lambda: open_loop(port, bodies, args.clients, args.rate, seconds, limit))
        flat_out, flat_cpu = _measured(server, lambda: closed_loop(port, bodies, args.clients, seconds, limit))
    finally:
        server.terminate()
        server.wait(timeout=10)
    for name, result, cpu in ((f"at {args.rate:g} req/s", paced, paced_cpu),
                              ("as fast as it goes", flat_out, flat_cpu)):
        per_request = "" if cpu is None else (f", server CPU {cpu[0] / result['requests'] * 1000:.2f} ms/request, "
                                              f"client {cpu[1] / result['requests'] * 1000:.2f}")
        print(f"{name:>20}: {result['requests']} requests, {result['errors']} errors, "
              f"{result['throughput']:.0f} req/s, p50 {result['p50'] * 1000:.1f} ms, "
              f"p99 {result['p99'] * 1000:.1f} ms, max {result['max'] * 1000:.1f} ms{per_request}")
    print(f"load {os.getloadavg()[0]:.2f} after")
    met = paced["p99"] < P99_TARGET and paced["errors"] == 0 and flat_out["errors"] == 0
    print(f"target p99 < {P99_TARGET * 1000:.0f} ms at {args.rate:g} req/s, no errors: {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
