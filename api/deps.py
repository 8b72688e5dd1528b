"""Shared route dependencies: the one store, the settings, write authorisation, paging, dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Query, Request

from api.errors import ApiError
from graph import OFFSET, PAGE_LIMIT, Param, Store
from partnermap.errors import StoreUnavailable
from partnermap.settings import Settings

# Lists answered from memory (territories, coverage) may be paged this deep; skipping costs nothing there.
INDEX_OFFSET = 1_000_000
DEFAULT_LIMIT = 100


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


def require_writer(request: Request, settings: SettingsDep) -> str:
    """Allow a write only with ``Authorization: Bearer <key>`` for a configured key; a digest of the key.

    The digest names who wrote (an upload's job is shown only to the key that sent it), never the key.
    """
    if settings.read_only:
        raise ApiError(403, "writes are disabled: this server serves its store read-only")
    return require_key(request, settings)


def require_key(request: Request, settings: SettingsDep) -> str:
    """Allow an operation only with ``Authorization: Bearer <key>`` for a configured key; a digest of the key.

    What writes needs (:func:`require_writer`), and what a backup needs, even from a read-only server.
    """
    if not settings.api_keys:
        raise ApiError(403, "writes are disabled: no API keys are configured")
    scheme, _, key = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not key_allowed(settings, key):
        raise ApiError(401, "a valid API key is required: send Authorization: Bearer <key>")
    return key_owner(key)


def key_owner(key: str) -> str:
    """Who wrote, as a digest of their key (never the key itself)."""
    return hashlib.sha256(key.strip().encode()).hexdigest()


def key_allowed(settings: Settings, key: str) -> bool:
    """Whether ``key`` is one of the configured API keys."""
    key = key.strip()
    # Compare every key in constant time, so timing says nothing about which key is close.
    matches = [hmac.compare_digest(key.encode(), allowed.encode()) for allowed in settings.api_keys]
    return bool(key) and any(matches)


WriterDep = Depends(require_writer)
WriterKey = Annotated[str, Depends(require_writer)]
KeyDep = Depends(require_key)


class Page:
    """``limit`` and ``offset`` query parameters, shared by every paginated list."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=0, le=PAGE_LIMIT.high, description=f"Most items to return, at most "
                                    f"{PAGE_LIMIT.high} (0: the default, {DEFAULT_LIMIT}).")] = DEFAULT_LIMIT,
        offset: Annotated[int, Query(ge=0, le=INDEX_OFFSET, description=f"Items to skip, at most {INDEX_OFFSET:,}.")] = 0,
    ):
        self.limit = limit or DEFAULT_LIMIT
        self.offset = offset

    def slice(self, items: list) -> dict:
        """The page of ``items`` in the paginated shape."""
        return {"total": len(items), "limit": self.limit, "offset": self.offset,
                "items": items[self.offset : self.offset + self.limit]}


PageDep = Annotated[Page, Depends()]


class QueryPage(Page):
    """``limit`` and ``offset`` of a list a named query answers: skipping is work there, so not as deep."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=0, le=PAGE_LIMIT.high, description=f"Most items to return, at most "
                                    f"{PAGE_LIMIT.high} (0: the default, {DEFAULT_LIMIT}).")] = DEFAULT_LIMIT,
        offset: Annotated[int, Query(ge=0, le=OFFSET.high, description=f"Items to skip, at most {OFFSET.high:,}.")] = 0,
    ):
        super().__init__(limit, offset)


QueryPageDep = Annotated[QueryPage, Depends()]


# A day as every date parameter takes it: YYYY-MM-DD in the named queries' range (checked again as a real date).
DATE_PATTERN = r"^(19\d\d|20\d\d|2100)-\d\d-\d\d$"


async def as_of_date(
    as_of: Annotated[str | None, Query(description="Only what was in force on this day, YYYY-MM-DD from 1900-01-01 "
                                                   "to 2100-12-31 (today when not given).",
                                       pattern=DATE_PATTERN, max_length=10,
                                       json_schema_extra={"format": "date"})] = None,
) -> dt.date | None:
    """The ``as_of`` date, checked as the named queries check theirs (a real date in their range), or None."""
    return Param("as_of", "date", None, False, "").coerce(as_of) if as_of else None


AsOfDep = Annotated[dt.date | None, Depends(as_of_date)]
