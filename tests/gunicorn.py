"""A gunicorn process on a free loopback port, for the tests and the bench that need a real server."""

import http.client
import socket
import subprocess  # nosec B404 - starts our own gunicorn, with a fixed argument list
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GunicornProcess:
    """gunicorn serving `app` (a "module:variable" path) with `workers` processes on its own port."""

    def __init__(self, app: str, env: dict, workers: int = 1, name: str = "gunicorn"):
        self.name = name
        self.port = free_port()
        self.process = subprocess.Popen(  # nosec B603
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", app],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait_until_up(self, timeout: float = 30) -> None:
        """Return once /healthz answers 200; raise, with gunicorn's last words, if it exits or stays silent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.process.stderr.read().decode()[-2000:]}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer /healthz in {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stderr.close()
