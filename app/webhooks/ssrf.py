"""Where the app may send a webhook: http(s) to public addresses, or to hosts the settings allow.

A URL is checked when it is registered and again before every try, because a
name's addresses may change in between. The try then connects to the very
address that was checked (`transport.post`), so a name cannot pass the check
with one address and be fetched at another.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

SCHEMES = {"http": 80, "https": 443}


class UnsafeAddress(ValueError):
    """A URL the app refuses to send to; the message says why, in words for the form."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query
    address: str  # the checked address to connect to


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Return whether an address is on the public internet: not private, loopback, link-local, multicast or reserved."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_loopback
                                      or address.is_link_local or address.is_private)


def is_allowed(host: str, address, allowed: tuple[frozenset[str], tuple]) -> bool:
    names, networks = allowed
    return host in names or any(address.version == net.version and address in net for net in networks)


def parse(url: str) -> tuple[str, str, int, str]:
    """Split a URL into scheme, host, port and path, refusing what is not a plain http(s) address."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UnsafeAddress("Enter a valid http:// or https:// address.") from None
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise UnsafeAddress("Enter a valid http:// or https:// address.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeAddress("Leave the user name and password out of the address.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname.lower().rstrip("."), port or SCHEMES[parts.scheme], path


def resolve(host: str, port: int) -> list:
    """Return every address the host name resolves to (a literal address is its own)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeAddress(f"The host {host} could not be found.") from None
    addresses = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def check(url: str, allowed: tuple[frozenset[str], tuple] | None = None) -> Target:
    """Return where to send `url`, or raise UnsafeAddress saying why not.

    Every address the name resolves to must be public or allowed: an attacker's
    name listing one public and one private address is refused.
    """
    if allowed is None:
        allowed = current_app.config["WEBHOOK_ALLOWED_HOSTS"]
    scheme, host, port, path = parse(url)
    addresses = resolve(host, port)
    if not addresses:
        raise UnsafeAddress(f"The host {host} could not be found.")
    for address in addresses:
        if not (is_public(address) or is_allowed(host, address, allowed)):
            shown = f"{host} ({address})" if str(address) != host else host
            raise UnsafeAddress(f"{shown} is a private, loopback, link-local, multicast or reserved address; "
                                "webhooks go to public addresses only.")
    return Target(scheme, host, port, path, str(addresses[0]))
