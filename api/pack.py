"""The review pack as a download: ``/pack/partnership/{id}.pdf`` and ``/pack/territory/{code}.pdf`` (or ``.html``).

Built by :mod:`pages.pack` on a worker thread under the request's time budget, like every page;
an error a person can put right comes back as a page saying so.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import StoreDep
from api.workspace import error_page, workspace
from pages import pack
from pages.context import common
from pages.render import render
from partnermap.errors import PartnermapError, PrintUnavailable

router = APIRouter(prefix="/pack", tags=["workspace"], include_in_schema=False)

Date = Annotated[str, Query(max_length=10)]


async def _download(request: Request, store: StoreDep, fmt: str, as_of: str, since: str, *, partnership: str = "",
                    territory: str = "") -> Response:
    space = workspace(request, store)
    try:
        window = pack.Window.parse(as_of, since)
        content = await run_in_threadpool(pack.document, space, fmt, window, partnership=partnership,
                                          territory=territory)
    except PrintUnavailable as exc:
        return HTMLResponse(render("error.html", **common("", heading="The PDF cannot be made here",
                                                          message=str(exc))), status_code=503)
    except PartnermapError as exc:
        return error_page(exc)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", partnership or territory)[:100]
    disposition = "attachment" if fmt == "pdf" else "inline"
    return Response(content, media_type=pack.MEDIA[fmt],
                    headers={"Content-Disposition": f'{disposition}; filename="review-pack-{name}.{fmt}"'})


# ``:path`` so that an id holding a slash (a ModernGov committee's: ``moderngov:GB-LAE-MAN/audit-committee``)
# reaches the route; the format is what follows the last dot.
Address = Annotated[str, Path(max_length=210)]


def _split(address: str) -> tuple[str, str]:
    node_id, _, fmt = address.rpartition(".")
    return node_id, fmt


@router.get("/partnership/{address:path}")
async def partnership_pack(request: Request, store: StoreDep, address: Address, as_of: Date = "",
                           since: Date = "") -> Response:
    """The review pack of one partnership or forum, as PDF or HTML: ``/pack/partnership/{id}.pdf``."""
    node_id, fmt = _split(address)
    return await _download(request, store, fmt, as_of, since, partnership=node_id)


@router.get("/territory/{address:path}")
async def territory_pack(request: Request, store: StoreDep, address: Address, as_of: Date = "",
                         since: Date = "") -> Response:
    """The review pack of a place (every partnership and forum covering it, with a summary): ``/pack/territory/{code}.pdf``."""
    code, fmt = _split(address)
    return await _download(request, store, fmt, as_of, since, territory=code)
