"""The ``partnermap`` command line: the top floor, beside the API; it calls everything below and nothing calls it."""

from cli.commands import app

__all__ = ["app"]
