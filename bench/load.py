"""Throughput under gunicorn: a signed-in loop page against a bare template route, in the same run.

A small load generator (threads and http.client) keeps a fixed number of
connections busy on 127.0.0.1 for a bounded time and counts the 200s.
"""

import http.client
import os
import re
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
    """Start gunicorn serving bench.wsgi:app on the bench's database."""
    env = {**os.environ, "BENCH_APP_DATABASE_URL": database_url, "SECRET_KEY": "bench-secret-key-" + "x" * 32}
    env.pop("APP_ENV", None)
    return GunicornProcess("bench.wsgi:app", env, workers=workers, name="bench gunicorn")


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
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


def measure_throughput(database_url: str, loop_id: int, seconds: float, connections: int, progress,
                       rounds: int = ROUNDS) -> dict:
    """Return the throughput of each route in one gunicorn run with 2 workers.

    "bare, signed in" is the budget's floor: the bench-only template route requested with the same
    session as the loop page, so both pay what every signed-in request pays (the session, the user,
    the layout) and differ by the loop page's own work. "bare, anonymous" is reported beside it.

    Each route gets `seconds` in all, in `rounds` turns taken one route after the other, so a slow
    spell of a shared machine falls on every route alike rather than on whichever ran then.
    """
    server = start_server(database_url)
    try:
        server.wait_until_up()
        cookie = sign_in(server.port)
        loop_path = f"/loops/{loop_id}"
        routes = {"bare, anonymous": ("/bench/bare", None), "bare, signed in": ("/bench/bare", cookie),
                  "loop page, signed in": (loop_path, cookie)}
        for path, sent in routes.values():
            status, _, _ = request(server.port, "GET", path, headers={"Cookie": sent} if sent else {})
            if status != 200:
                raise RuntimeError(f"{path} answered {status} under gunicorn")
            hammer(server.port, path, sent, connections, 1)  # warm both workers up
        results = {name: Throughput(0, 0, 0.0) for name in routes}
        for _ in range(rounds):
            for name, (path, sent) in routes.items():
                turn = hammer(server.port, path, sent, connections, seconds / rounds)
                total = results[name]
                results[name] = Throughput(total.requests + turn.requests, total.errors + turn.errors,
                                           total.seconds + turn.seconds)
        for name, result in results.items():
            progress(f"    {name:<22} {result.per_second:6.0f} requests/s ({result.errors} errors)")
        return results
    finally:
        server.stop()
