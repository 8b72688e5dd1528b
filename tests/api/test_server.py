"""The server's connections run with Nagle's algorithm off, also when the listening socket is inherited.

uvicorn hands its workers the listening socket by file descriptor; asyncio then leaves Nagle on
for accepted connections, and each keep-alive request waited ~44 ms for a delayed ACK. Here an
asyncio server listens on a socket made the same way (``socket.fromfd``), and the option each
accepted connection ends up with is read back.
"""

from __future__ import annotations

import asyncio
import socket

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from api.server import NoDelayH11Protocol, NoDelayProtocol


async def _app(scope, receive, send):  # a do-nothing ASGI app; no request is sent
    return None


def _nodelay_of_accepted(protocol_class) -> int:
    config = uvicorn.Config(app=_app)
    config.load()
    state = ServerState()
    seen: list[int] = []

    class Recording(protocol_class):
        def connection_made(self, transport):
            super().connection_made(transport)
            seen.append(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    async def main() -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        inherited = socket.fromfd(listener.fileno(), socket.AF_INET, socket.SOCK_STREAM)  # as a worker gets it
        listener.close()
        server = await asyncio.get_running_loop().create_server(
            lambda: Recording(config=config, server_state=state, app_state={}), sock=inherited)
        port = inherited.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    assert seen, "no connection was accepted"
    return seen[0]


def test_an_inherited_listening_socket_leaves_nagle_on_with_the_stock_protocol():
    assert _nodelay_of_accepted(H11Protocol) == 0  # the fault this module exists for


def test_our_protocols_turn_nagle_off_on_every_connection():
    assert _nodelay_of_accepted(NoDelayProtocol) != 0
    assert _nodelay_of_accepted(NoDelayH11Protocol) != 0


def test_on_uvloop_too():
    import uvloop

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    try:
        assert _nodelay_of_accepted(NoDelayProtocol) != 0
    finally:
        asyncio.set_event_loop_policy(None)
