"""The SSRF guard: which network addresses the crawler may connect to.

Feeds and pages come from the open web, and so do the URLs they link and redirect to. A feed that
links ``http://169.254.169.254/latest/meta-data/`` must not make a worker read its cloud metadata, and a
redirect to ``http://10.0.0.1/admin`` must not reach the private network. The guard resolves the host
itself, refuses every address that is not globally routable, and hands back the addresses it checked
so that the client connects to exactly those (no second DNS lookup that a rebinding attack could answer
differently).

Example::

    >>> blocked_category(ipaddress.ip_address("169.254.169.254"))
    'link-local'
    >>> guard = NetGuard(allowed_private=frozenset({"127.0.0.1:8123"}))
    >>> [str(a) for a in guard.resolve("127.0.0.1", 8123)]
    ['127.0.0.1']
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Checked in this order; the first match names the refusal. ``is_global`` below catches the rest of the
# IANA special-purpose registry (documentation ranges, benchmarking, 240/4, ...).
_NAMED_NETWORKS: tuple[tuple[str, tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]], ...] = (
    ("unspecified", (ipaddress.ip_network("0.0.0.0/8"), ipaddress.ip_network("::/128"))),
    ("loopback", (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))),
    ("link-local", (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))),
    (
        "private",
        (
            ipaddress.ip_network("10.0.0.0/8"),
            ipaddress.ip_network("172.16.0.0/12"),
            ipaddress.ip_network("192.168.0.0/16"),
        ),
    ),
    ("unique-local", (ipaddress.ip_network("fc00::/7"),)),
    ("cgnat", (ipaddress.ip_network("100.64.0.0/10"),)),
    ("multicast", (ipaddress.ip_network("224.0.0.0/4"), ipaddress.ip_network("ff00::/8"))),
    ("broadcast", (ipaddress.ip_network("255.255.255.255/32"),)),
)

# IPv6 forms that carry an IPv4 address inside them: ``::ffff:10.0.0.1`` reaches 10.0.0.1 on a
# dual-stack socket, and NAT64 (64:ff9b::/96) gateways translate to the embedded IPv4 address.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class BlockedAddress(Exception):
    """The host resolved to an address the guard refuses. ``address`` is the offending address."""

    def __init__(self, host: str, address: str, category: str) -> None:
        super().__init__(f"{host} resolves to {address} ({category})")
        self.host = host
        self.address = address
        self.category = category


class ResolutionError(Exception):
    """The host name could not be resolved (unknown name, resolver failure or resolver timeout)."""

    def __init__(self, host: str, detail: str, transient: bool) -> None:
        super().__init__(f"cannot resolve {host}: {detail}")
        self.host = host
        self.transient = transient


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64, 6to4), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def blocked_category(address: IPAddress) -> str | None:
    """Why ``address`` must not be contacted (``"loopback"``, ``"link-local"``, ...), or None if public.

    >>> blocked_category(ipaddress.ip_address("::ffff:10.0.0.1"))
    'private'
    >>> blocked_category(ipaddress.ip_address("93.184.215.14")) is None
    True
    """
    inner = embedded_ipv4(address)
    if inner is not None:
        return blocked_category(inner)
    for category, networks in _NAMED_NETWORKS:
        if any(address.version == net.version and address in net for net in networks):
            return category
    if not address.is_global:
        return "reserved"
    return None


def _endpoint(host: str, port: int) -> str:
    """``host:port`` with IPv6 literals in brackets, as written in ``allowed_private``."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


Resolver = Callable[[str, int], Sequence[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of ``host`` from the system resolver, in its order of preference, deduplicated."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    seen: dict[str, None] = {}
    for _family, _type, _proto, _canon, sockaddr in infos:
        seen.setdefault(str(sockaddr[0]).split("%", 1)[0], None)
    return list(seen)


class NetGuard:
    """Resolves hosts and refuses non-public addresses.

    ``allow_private`` lifts the guard entirely. ``allowed_private`` exempts single endpoints: an entry
    ``"127.0.0.1:8123"`` (or ``"[::1]:8123"``, or ``"localhost:8123"``) matches that host or resolved
    address on that port; an entry without a port matches every port of that host.

    ``resolve`` runs the resolver on a small thread pool so that a hanging DNS server costs at most
    ``timeout`` seconds (``getaddrinfo`` itself has no timeout).
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        allowed_private: frozenset[str] = frozenset(),
        resolver: Resolver = system_resolver,
        timeout: float = 10.0,
    ) -> None:
        self.allow_private = allow_private
        self.allowed_private = frozenset(entry.strip().lower() for entry in allowed_private)
        self._resolver = resolver
        self._timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="dipnews-dns")

    def close(self) -> None:
        """Stop the resolver threads (a resolution still hanging is abandoned, not awaited)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def is_exempt(self, host: str, address: str, port: int) -> bool:
        """Whether the configuration lets ``host``/``address`` on ``port`` through despite the guard."""
        if self.allow_private:
            return True
        names = {host.lower(), address.lower()}
        candidates = {_endpoint(name, port) for name in names} | names | {f"[{n}]" for n in names}
        return not candidates.isdisjoint(self.allowed_private)

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """The checked addresses to connect to for ``host:port``, best first.

        Raises BlockedAddress when any address of the host is refused (a name that resolves to both a
        public and a private address is refused as a whole: attacker-controlled DNS can mix them), and
        ResolutionError when the name does not resolve.
        """
        try:
            literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        raw = [str(literal)] if literal is not None else self._lookup(host, port)
        addresses = [ipaddress.ip_address(a) for a in raw]
        for address in addresses:
            category = blocked_category(address)
            if category is not None and not self.is_exempt(host, str(address), port):
                raise BlockedAddress(host, str(address), category)
        return addresses

    def _lookup(self, host: str, port: int) -> list[str]:
        future = self._pool.submit(self._resolver, host, port)
        try:
            raw = list(future.result(timeout=self._timeout))
        except FutureTimeout:
            future.cancel()
            raise ResolutionError(host, f"resolver gave no answer within {self._timeout:g} s", True) from None
        except socket.gaierror as exc:
            transient = exc.errno in (socket.EAI_AGAIN, getattr(socket, "EAI_SYSTEM", None))
            raise ResolutionError(host, str(exc), transient) from None
        except (OSError, UnicodeError) as exc:
            raise ResolutionError(host, str(exc), False) from None
        if not raw:
            raise ResolutionError(host, "no addresses", False)
        return raw
