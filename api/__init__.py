"""HTTP API (FastAPI): territory lookups and mapping queries. Arrives with its own issue."""
