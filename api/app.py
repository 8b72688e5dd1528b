"""Build the FastAPI application: one store opened at startup, routers, errors and limits.

``uvicorn api.app:app`` serves the app built from the environment's settings; tests and
other callers use :func:`create_app` with their own :class:`~partnermap.settings.Settings`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

import graph
from graph.coverage import CoverageCache, PerGeneration
from graph.locate import Locator
from api import admin, changes, health, ingest, locate, maps, profiles, queries, sources, territories, upload, uploads, workspace
from api import template
from api import pack
from api.errors import exception_detail, install_error_handlers
from api.held import HeldUploads
from api.jobs import IngestWorker
from api.limits import RequestSizeLimit, TimeBudget
from partnermap import __version__
from pages import overview, places, search
from pages.context import Workspace
from pages.findings import FindingsCache
from pages.render import STATIC, VIS
from partnermap.settings import Settings

log = logging.getLogger("partnermap.api")


def open_settings_store(settings: Settings) -> graph.Store:
    """The store the settings name: Neo4j when a URI is set, else the embedded directory."""
    return graph.open_store(settings.db, settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password,
                            settings.neo4j_database, read_only=settings.read_only)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API over the store ``settings`` names, opened once for the app's lifetime."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        removed = uploads.sweep()  # what a killed server left of the uploads it had not ingested
        if removed:
            log.warning("removed %d upload folders left by processes no longer running", len(removed))
        # The embedded store belongs to one process: open it once and share it; it
        # serialises access with its own lock.
        store = open_settings_store(settings)
        app.state.store = store
        # After each upload, the indexes reads use are rebuilt before its job says done; meanwhile
        # (and whenever the store changes under them) readers get the last ones at once.
        ingests = app.state.ingest = IngestWorker(settings.max_queued_uploads, exception_detail, after=lambda: (
            app.state.coverage.refresh(store), app.state.locator.refresh(store)))
        ingests.start()
        # Indexes the pages and the API read are built now, not on the first request.
        overview.warm(store, app.state.findings, app.state.coverage.get(store))
        space = Workspace(store, app.state.coverage, app.state.findings)
        search.index(space)
        places.boundaries(space)
        app.state.locator.get(store)
        try:
            yield
        finally:
            ingests.stop()  # the running ingest ends first: nothing half-written
            app.state.held.clear()  # dry runs' uploads no one confirmed
            app.state.store = None
            store.close()

    app = FastAPI(
        title="partnermap",
        version=__version__,
        description="A knowledge graph of public-sector partnerships, organisations, services and territories.",
        lifespan=lifespan,
        docs_url=None,  # served below from the package's own copy of Swagger UI: nothing from the network
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = None
    app.state.coverage = CoverageCache(settings.coverage_refresh_seconds)
    app.state.locator = PerGeneration(Locator.from_store, settings.coverage_refresh_seconds)
    app.state.ingest = None  # the lifespan's ingest worker (api.jobs)
    app.state.findings = FindingsCache()
    app.state.held = HeldUploads()  # uploads a dry run previewed, until confirmed (api.held)
    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(TimeBudget, seconds=settings.query_seconds)

    app.include_router(health.router)
    app.include_router(territories.router)
    app.include_router(locate.router)
    app.include_router(profiles.organisations)
    app.include_router(profiles.partnerships)
    app.include_router(profiles.services)
    app.include_router(profiles.strategies)
    app.include_router(queries.router)
    app.include_router(sources.router)
    app.include_router(maps.router)
    app.include_router(ingest.router)
    app.include_router(workspace.router)
    app.include_router(upload.router)
    app.include_router(admin.router)
    app.include_router(template.router)
    app.include_router(changes.router)
    app.include_router(pack.router)
    app.mount("/static/vis", StaticFiles(directory=VIS), name="vis")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def api_docs() -> HTMLResponse:
        """Swagger UI for the OpenAPI document, from files shipped in the package."""
        return get_swagger_ui_html(openapi_url="/openapi.json", title="partnermap API",
                                   swagger_js_url="/static/vendor/swagger-ui-bundle.js",
                                   swagger_css_url="/static/vendor/swagger-ui.css", swagger_favicon_url="data:,")

    return app


_app: FastAPI | None = None


def __getattr__(name: str) -> Any:
    # ``api.app:app`` is built on first use, so importing this module reads no environment.
    global _app
    if name == "app":
        if _app is None:
            _app = create_app(Settings())
        return _app
    raise AttributeError(name)
