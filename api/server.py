"""How ``partnermap serve`` runs uvicorn: httptools on uvloop, with Nagle's algorithm off on every connection.

With several workers uvicorn hands each worker the listening socket by file descriptor, and
asyncio then does not recognise the accepted connections as TCP, so it leaves Nagle's
algorithm on: measured here, every keep-alive request waited ~44 ms for the client's delayed
ACK (170 requests/s in all, against 1,200 with one worker). Setting TCP_NODELAY ourselves on
each connection makes one worker and several behave alike.

The HTTP parser is httptools (C) rather than h11 (pure Python), and the event loop uvloop:
see the README's benchmarks for what each request costs with them and without.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

LOOP = "uvloop"


class _NoDelay:
    """Set TCP_NODELAY on each new connection, then let the protocol carry on."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass  # not a TCP socket after all: nothing to tune
        super().connection_made(transport)  # type: ignore[misc]


class NoDelayProtocol(_NoDelay, HttpToolsProtocol):
    """uvicorn's httptools protocol (the one ``partnermap serve`` uses), with TCP_NODELAY on."""


class NoDelayH11Protocol(_NoDelay, H11Protocol):
    """uvicorn's pure-Python h11 protocol, with TCP_NODELAY on (the baseline ``bench/api.py`` compares)."""
