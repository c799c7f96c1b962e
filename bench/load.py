"""Throughput under gunicorn: a signed-in loop page against a bare template route, in the same run.

A small load generator (threads and http.client) keeps a fixed number of
connections busy on 127.0.0.1 for a bounded time and counts the 200s.
"""

import http.client
import os
import re
import statistics
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from bench.company import PASSWORD, RECRUITER_EMAIL
from tests.gunicorn import GunicornProcess

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Throughput:
    requests: int
    errors: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def start_server(database_url: str, workers: int = 2) -> GunicornProcess:
    """Start gunicorn serving bench.wsgi:app on the bench's database (a long timeout: pages that read history)."""
    env = {**os.environ, "BENCH_APP_DATABASE_URL": database_url, "SECRET_KEY": "bench-secret-key-" + "x" * 32,
           "GUNICORN_CMD_ARGS": "--timeout 600",
           "PDF_CACHE_DIR": tempfile.mkdtemp(prefix="bench-gunicorn-pdf-")}
    env.pop("APP_ENV", None)
    return GunicornProcess("bench.wsgi:app", env, workers=workers, name="bench gunicorn")


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def cookies_from(headers) -> dict[str, str]:
    jar = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            jar[key.strip()] = val.strip()
    return jar


def sign_in(port: int) -> str:
    """Sign the measured recruiter in through the login form; return the Cookie header to send."""
    status, headers, body = request(port, "GET", "/login")
    jar = cookies_from(headers)
    token = CSRF.search(body.decode()).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": RECRUITER_EMAIL, "password": PASSWORD}).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, headers, _ = request(port, "POST", "/login", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    if status != 302:
        raise RuntimeError(f"sign-in under gunicorn answered {status}")
    jar.update(cookies_from(headers))
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def hammer(port: int, path: str, cookie: str | None, connections: int, seconds: float) -> Throughput:
    """Keep `connections` requests in flight for `seconds`; count the successful ones."""
    headers = {"Cookie": cookie} if cookie else {}
    done, errors = [0] * connections, [0] * connections
    stop_at = time.monotonic() + seconds

    def worker(n: int) -> None:
        while time.monotonic() < stop_at:
            try:
                status, _, _ = request(port, "GET", path, headers=headers)
            except OSError:
                errors[n] += 1
                continue
            if status == 200:
                done[n] += 1
            else:
                errors[n] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Throughput(sum(done), sum(errors), time.monotonic() - started)


ROUNDS = 5


@dataclass
class Latency:
    """Times of one page's sequential requests over HTTP, in milliseconds."""

    times: list
    errors: int

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else float("nan")


def measure_http_pages(port: int, cookie: str, paths: dict[str, str], args, progress) -> dict[str, Latency]:
    """Request each page one after the other under gunicorn, signed in, and time the responses."""
    results = {}
    for name, path in paths.items():
        latency = Latency([], 0)
        began = time.monotonic()
        warm_ups = max(args.warm_ups, 2)  # one for each worker
        for attempt in range(args.repeats + warm_ups):
            if attempt >= warm_ups + args.min_requests and time.monotonic() - began > args.page_seconds:
                break
            started = time.perf_counter()
            status, _, _ = request(port, "GET", path, headers={"Cookie": cookie})
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                latency.errors += 1
            elif attempt >= warm_ups:
                latency.times.append(elapsed)
        results[name] = latency
        progress(f"    HTTP {name:<21} median {latency.median:8.1f} ms, p95 {latency.p95:8.1f} ms "
                 f"({len(latency.times)} requests, {latency.errors} errors)")
    return results


def measure_under_gunicorn(database_url: str, paths: dict[str, str], loop_id: int, args, progress) -> tuple:
    """Return each page's latency over HTTP and the routes' throughput, from one gunicorn run with 2 workers."""
    server = start_server(database_url)
    try:
        server.wait_until_up()
        cookie = sign_in(server.port)
        latencies = measure_http_pages(server.port, cookie, paths, args, progress)
        throughput = measure_throughput(server.port, cookie, loop_id, args.seconds, args.connections, progress)
        return latencies, throughput
    finally:
        server.stop()



def measure_throughput(port: int, cookie: str, loop_id: int, seconds: float, connections: int, progress,
                       rounds: int = ROUNDS) -> dict:
    """Return the throughput of each route on a running gunicorn.

    "bare, signed in" is the budget's floor: the bench-only template route requested with the same
    session as the loop page, so both pay what every signed-in request pays (the session, the user,
    the layout) and differ by the loop page's own work. "bare, anonymous" is reported beside it.

    Each route gets `seconds` in all, in `rounds` turns taken one route after the other, so a slow
    spell of a shared machine falls on every route alike rather than on whichever ran then.
    """
    loop_path = f"/loops/{loop_id}"
    routes = {"bare, anonymous": ("/bench/bare", None), "bare, signed in": ("/bench/bare", cookie),
              "loop page, signed in": (loop_path, cookie)}
    for path, sent in routes.values():
        status, _, _ = request(port, "GET", path, headers={"Cookie": sent} if sent else {})
        if status != 200:
            raise RuntimeError(f"{path} answered {status} under gunicorn")
        hammer(port, path, sent, connections, 1)  # warm both workers up
    results = {name: Throughput(0, 0, 0.0) for name in routes}
    for _ in range(rounds):
        for name, (path, sent) in routes.items():
            turn = hammer(port, path, sent, connections, seconds / rounds)
            total = results[name]
            results[name] = Throughput(total.requests + turn.requests, total.errors + turn.errors,
                                       total.seconds + turn.seconds)
    for name, result in results.items():
        progress(f"    {name:<22} {result.per_second:6.0f} requests/s ({result.errors} errors)")
    return results
