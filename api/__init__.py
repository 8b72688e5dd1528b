"""HTTP API (FastAPI) over the graph: territories, profiles, named queries, the map, and uploads.

:func:`create_app` builds the app from a :class:`~partnermap.settings.Settings`;
``uvicorn api.app:app`` serves one built from the environment.
"""

from api.app import create_app

__all__ = ["create_app"]
