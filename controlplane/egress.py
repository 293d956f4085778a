"""Where the control plane may connect on a user's behalf, and the HTTP client that does.

Public addresses only.
A webhook's URL is chosen by a user, and the control plane sits inside the cluster's
network: without a guard, `http://169.254.169.254/` or `http://10.0.0.5:5432/` would
have it probe what users cannot reach (server-side request forgery). The guard is the
resolver of the HTTP client's connector: it drops every address that is not global
(loopback, private, link-local and the cloud metadata address, carrier-grade NAT,
multicast, reserved) unless configuration allows its network, and the connector then
connects to exactly the addresses it returned. So the check is made on the address
connected to, at connect time, and a name that resolves to a public address when the
endpoint is saved and to a private one at delivery (DNS rebinding) is refused then.
Literal addresses in a URL skip resolvers, so they are checked before every request.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(OSError):
    """The target is, or resolves only to, addresses the policy does not let us reach."""


@dataclass(frozen=True)
class EgressPolicy:
    # Networks reachable although not global (a development receiver on 127.0.0.1, an
    # in-cluster consumer): from MINISPOD_WEBHOOK_ALLOW_NETWORKS.
    allowed: Sequence[Network] = ()

    @classmethod
    def parse(cls, networks: str) -> EgressPolicy:
        return cls(
            tuple(
                ipaddress.ip_network(n.strip(), strict=False)
                for n in networks.split(",")
                if n.strip()
            )
        )

    def permits(self, address: Address) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
        if any(address in network for network in self.allowed):
            return True
        return address.is_global and not address.is_multicast

    def check_literal(self, url: str) -> None:
        """Refuses a URL whose host is an address the policy forbids; a name is checked
        when it is resolved, at connect time."""
        host = urlsplit(url).hostname or ""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return
        if not self.permits(address):
            raise Refused(f"{address} is not a public address")


class GuardedResolver(AbstractResolver):
    """Resolves as the system does, then keeps only the addresses the policy permits."""

    def __init__(self, policy: EgressPolicy, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._inner = inner or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        kept = [r for r in found if self._policy.permits(ipaddress.ip_address(r["host"]))]
        if not kept:
            raise Refused(f"{host} resolves only to addresses that are not public")
        return kept

    async def close(self) -> None:
        await self._inner.close()


@dataclass(frozen=True)
class Answer:
    status: int
    # The start of the body, all that is read of it.
    excerpt: str


class NoAnswer(Exception):
    """Nothing came back: refused by the policy, no connection, or out of time."""


class HttpPoster:
    """POSTs to targets the policy permits: no proxy, no redirect followed, the time and
    the answer read bounded."""

    def __init__(self, policy: EgressPolicy, timeout: float, read_at_most: int = 1024) -> None:
        self._policy = policy
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._read_at_most = read_at_most
        self._http: aiohttp.ClientSession | None = None

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        try:
            self._policy.check_literal(url)
            async with self._session().post(
                url, data=body, headers=dict(headers), allow_redirects=False
            ) as response:
                excerpt = await response.content.read(self._read_at_most)
                return Answer(response.status, excerpt.decode("utf-8", "replace"))
        except Refused as exc:
            raise NoAnswer(f"refused: {exc}") from None
        except aiohttp.ClientConnectorError as exc:
            why = "refused" if isinstance(exc.os_error, Refused) else "cannot connect"
            raise NoAnswer(f"{why}: {exc.os_error}") from None
        except TimeoutError:
            raise NoAnswer(f"no answer within {self._timeout.total:g}s") from None
        except aiohttp.ClientError as exc:
            raise NoAnswer(f"{type(exc).__name__}: {exc}") from None

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None:
            self._http = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(resolver=GuardedResolver(self._policy), limit=100),
                timeout=self._timeout,
                # No proxy from the environment: the policy is the only way out.
                trust_env=False,
            )
        return self._http
