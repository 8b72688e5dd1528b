"""``python -m cli``: the ``partnermap`` command."""

from cli.commands import app

app()
