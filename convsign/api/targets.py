"""Where webhooks may go: public addresses only, unless CONVSIGN_WEBHOOK_ALLOW_PRIVATE=true.

An endpoint pointing at loopback, link-local (the cloud metadata service at 169.254.169.254) or a
private network would let whoever registers it make the server POST inside its own network.
Checked twice: at registration, on the address as written (an IP literal, a `localhost` name) and
what its name resolves to then; and at each delivery, on the address the name resolves to *then*,
which is also the address the connection is made to (no second lookup a DNS rebinding could
answer differently).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from typing import Any

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(OSError):
    """A delivery to an address the configuration does not allow (an OSError: a failed attempt)."""


def internal(address: IpAddress) -> bool:
    """Loopback, link-local, private, shared, reserved, multicast or unspecified: not a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def refused_as_written(hostname: str) -> bool:
    """Whether the host of a URL is internal: an IP literal, localhost, or a name resolving (now) to
    an internal address. A name that does not resolve yet is let through: delivery checks again."""
    name = hostname.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return internal(ipaddress.ip_address(name))
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    return any(internal(ipaddress.ip_address(str(row[4][0]).split("%")[0])) for row in found)


def guarded_connection(allow_private: bool) -> Any:
    """A `socket.create_connection` that connects only to an allowed address of the name."""

    def create_connection(address: tuple[str, int], timeout: Any = None, source_address: Any = None) -> socket.socket:
        host, port = address
        last: OSError | None = None
        for family, kind, proto, _name, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
            resolved = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
            if internal(resolved) and not allow_private:
                raise TargetRefused(f"Adresse interne refusée : {host} → {resolved}")
            sock = socket.socket(family, kind, proto)
            try:
                if timeout is not None:
                    sock.settimeout(timeout)
                sock.connect(sockaddr)
                return sock
            except OSError as error:
                sock.close()
                last = error
        raise last or OSError(f"Aucune adresse pour {host}")

    return create_connection


def opener(allow_private: bool, *handlers: Any) -> urllib.request.OpenerDirector:
    """An opener whose HTTP(S) connections go only where allowed; no proxy from the environment."""
    connect = guarded_connection(allow_private)

    class Http(http.client.HTTPConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = connect

    class Https(http.client.HTTPSConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = connect

    class HttpHandler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(Http, req)

    class HttpsHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(Https, req)

    return urllib.request.build_opener(urllib.request.ProxyHandler({}), HttpHandler, HttpsHandler, *handlers)
