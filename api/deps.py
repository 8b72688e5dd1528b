"""Shared route dependencies: the one store, the settings, write authorisation, paging."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Query, Request

from api.errors import ApiError
from graph import Store
from partnermap.errors import StoreUnavailable
from partnermap.settings import Settings


def get_store(request: Request) -> Store:
    """The store opened at startup and shared by every request (it serialises access itself)."""
    store = getattr(request.app.state, "store", None)
    if store is None:
        raise StoreUnavailable("the graph store is not open")
    return store


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    return request.app.state.settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def require_writer(request: Request, settings: SettingsDep) -> None:
    """Allow a write only with ``Authorization: Bearer <key>`` for a configured key."""
    if settings.read_only:
        raise ApiError(403, "writes are disabled: this server serves its store read-only")
    if not settings.api_keys:
        raise ApiError(403, "writes are disabled: no API keys are configured")
    scheme, _, key = (request.headers.get("authorization") or "").partition(" ")
    key = key.strip()
    # Compare every key in constant time, so timing says nothing about which key is close.
    matches = [hmac.compare_digest(key.encode(), allowed.encode()) for allowed in settings.api_keys]
    if scheme.lower() != "bearer" or not key or not any(matches):
        raise ApiError(401, "a valid API key is required: send Authorization: Bearer <key>")


WriterDep = Depends(require_writer)


class Page:
    """``limit`` and ``offset`` query parameters, shared by every paginated list."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=1000, description="Most items to return.")] = 100,
        offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
    ):
        self.limit = limit
        self.offset = offset

    def slice(self, items: list) -> dict:
        """The page of ``items`` in the paginated shape."""
        return {"total": len(items), "limit": self.limit, "offset": self.offset,
                "items": items[self.offset : self.offset + self.limit]}


PageDep = Annotated[Page, Depends()]
