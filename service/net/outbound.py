"""Which addresses the service may send requests to on a user's say-so (webhooks; later the LLM client).

A URL that an admin or a row supplies must not turn the service into a proxy to its own network: the
cloud metadata endpoint (169.254.169.254), the service itself on loopback, or a private host. The rule:
resolve the host, refuse the request if any address it resolves to is not public, and connect to
an address that was checked (so a DNS answer that changes between the check and the connect does not
matter). Hosts spelled oddly (`0x7f000001`, `2130706433`, `127.1`, `[::ffff:127.0.0.1]`) are resolved
by the system resolver to the address they mean, so they meet the same rule. Pure: no HTTP library here.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from urllib.parse import urlsplit

IPAddress = IPv4Address | IPv6Address

# NAT64 (RFC 6052) carries an IPv4 address in its low 32 bits; a NAT64 gateway would reach it.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class OutboundRefused(ValueError):
    """A URL the service will not send to; the message says why (it never includes a response)."""


class HostUnresolved(OutboundRefused):
    """The host has no address now (it may have later)."""


@dataclass(frozen=True)
class OutboundTarget:
    """A URL whose host was resolved and checked: connect to `address`, say `host` in Host and TLS SNI."""

    scheme: str
    host: str
    port: int
    address: IPAddress
    url: str

    @property
    def pinned_url(self) -> str:
        """The URL with its host replaced by the checked address (what to connect to)."""
        parts = urlsplit(self.url)
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        netloc = f"{literal}:{self.port}"
        return parts._replace(netloc=netloc).geturl()

    @property
    def host_header(self) -> str:
        """The Host header the original URL implies."""
        literal = f"[{self.host}]" if ":" in self.host else self.host
        return literal if _DEFAULT_PORTS.get(self.scheme) == self.port else f"{literal}:{self.port}"


def is_public_address(address: IPAddress) -> bool:
    """True for an address on the public internet: not loopback, private, link-local, unspecified,
    shared (CGNAT), multicast, reserved or documentation, and no IPv6 form that embeds such an address.

    >>> is_public_address(ipaddress.ip_address("::ffff:127.0.0.1"))
    False
    """
    if isinstance(address, IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
    return address.is_global and not (address.is_multicast or address.is_reserved)


def is_loopback_name(host: str) -> bool:
    """`localhost`, `localhost.` and `*.localhost` name this machine (RFC 6761) whatever DNS says."""
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for a host (IP literals in any spelling included)."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise HostUnresolved(f"The host {host!r} does not resolve.") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def check_url(url: str, *, allow_private: bool) -> OutboundTarget:
    """Resolve an http(s) URL's host and check every address; OutboundRefused says why it may not be used.

    With `allow_private` (a deployment whose receivers live on its own network, or tests that send to
    loopback) every resolvable address is allowed.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise OutboundRefused("Only http(s) URLs with a host can be sent to.")
    host = parts.hostname
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise OutboundRefused("The URL's port is not a number from 0 to 65535.") from exc
    if is_loopback_name(host) and not allow_private:
        raise OutboundRefused(f"The host {host!r} is this machine; only public addresses are allowed.")
    addresses = resolve(host, port)
    if not allow_private:
        refused = [address for address in addresses if not is_public_address(address)]
        if refused:
            raise OutboundRefused(
                f"The host {host!r} resolves to {refused[0]}, which is not a public address; "
                "only public addresses are allowed."
            )
    return OutboundTarget(scheme=scheme, host=host, port=port, address=addresses[0], url=url)
