"""Host names answered from a fixed table before DNS, like curl's ``--resolve``.

``govreports crawl --resolve zfxxgk.qingxi.gov.cn:127.0.0.1`` crawls a mirror or a test copy of a portal
that spans several hosts of one government under their real names: discovery and the archive see the
real host names, and only the address differs.
"""

from __future__ import annotations

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.base import ReactorBase


def parse_host_addresses(entries: list[str] | tuple[str, ...]) -> dict[str, str]:
    """「name:address」 entries as a table; a malformed entry raises ValueError naming it."""
    table = {}
    for entry in entries:
        name, _, address = entry.partition(":")
        if not name or not address:
            raise ValueError(f"--resolve wants NAME:ADDRESS, got {entry!r}")
        table[name.strip().lower()] = address.strip()
    return table


class StaticHostsResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, answering the names of the HOST_ADDRESSES setting itself."""

    def __init__(self, reactor: ReactorBase, cache_size: int, timeout: float) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.addresses: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler, reactor: ReactorBase):
        resolver = super().from_crawler(crawler, reactor)
        resolver.addresses = {
            name.lower(): address for name, address in crawler.settings.getdict("HOST_ADDRESSES").items()
        }
        return resolver

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 - Twisted's name
        address = self.addresses.get(name.lower())
        if address is not None:
            return defer.succeed(address)
        return super().getHostByName(name, timeout)
