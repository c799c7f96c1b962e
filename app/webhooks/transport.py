"""Post one message: to the address the SSRF check approved, with a short timeout, never following a redirect."""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from app.webhooks.ssrf import Target, UnsafeAddress, check

USER_AGENT = "BarRaiser-Webhooks/1"
MAX_ANSWER_BYTES = 4096  # what we read of an answer: enough to end the exchange, never stored


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the certificate verified for the URL's host name."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def connection(target: Target, timeout: float) -> http.client.HTTPConnection:
    if target.scheme == "https":
        return PinnedHTTPSConnection(target, timeout)
    return http.client.HTTPConnection(target.address, target.port, timeout=timeout)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allowed=None) -> Answer:
    """Send `body` to `url` and say what came back; nothing raises."""
    started = time.monotonic()

    def answer(status_code=None, error=None) -> Answer:
        return Answer(status_code, error, max(0, round((time.monotonic() - started) * 1000)))

    try:
        target = check(url, allowed)
    except UnsafeAddress as refusal:
        return answer(error=f"Refused: {refusal}")
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    if ":" in target.host:  # an IPv6 literal
        host_header = f"[{target.host}]" + ("" if target.port == default_port else f":{target.port}")
    conn = connection(target, timeout)
    try:
        conn.request("POST", target.path, body=body, headers={
            "Host": host_header, "User-Agent": USER_AGENT, "Content-Type": "application/json", **headers})
        response = conn.getresponse()
        response.read(MAX_ANSWER_BYTES)
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        return answer(error=f"{type(error).__name__}: {error}"[:500] or type(error).__name__)
    finally:
        conn.close()
    if 300 <= status < 400:
        return answer(status, "The receiver answered with a redirect, which is never followed.")
    if not 200 <= status < 300:
        return answer(status, f"The receiver answered {status}.")
    return answer(status)
