"""Limits on each request: the size of its body, and the time its queries may take.

A declared ``Content-Length`` over the limit is refused at once; a body sent without
one (chunked) is counted as it streams and refused as soon as it passes the limit.
Every request runs under a time budget (:mod:`graph.budget`): a query still running when it
is spent is stopped, and the request answers 503.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError, error_response
from graph import budget


class BodyTooLarge(ApiError):
    """Raised inside ``receive`` when a streamed body passes the limit (answered as 413)."""

    def __init__(self, max_bytes: int):
        super().__init__(413, f"request body is larger than the limit of {max_bytes} bytes")


class RequestSizeLimit:
    """ASGI middleware answering 413 in the one error shape for bodies over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = error_response(413, f"request body is larger than the limit of {self.max_bytes} bytes")
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                if int(declared) > self.max_bytes:
                    await too_large(scope, receive, send)
                    return
            except ValueError:
                await error_response(400, "invalid Content-Length header")(scope, receive, send)
                return

        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            if not started:
                await too_large(scope, receive, send)


class TimeBudget:
    """ASGI middleware running each request under a time budget of ``seconds`` (``PARTNERMAP_QUERY_SECONDS``)."""

    def __init__(self, app: ASGIApp, seconds: float):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The budget travels in a context variable, which the worker threads of sync routes inherit.
        with budget.within(self.seconds):
            await self.app(scope, receive, send)
