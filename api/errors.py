"""The one JSON error shape, and the one place that maps errors to status codes.

Every error the API returns looks like
``{"error": {"status": 404, "code": "not_found", "message": "…", "problems": [...], "more_problems": [...]}}``
(``problems`` only for invalid input: the first 1,000; ``more_problems`` counts the rest by file,
column and reason). Messages never carry stack traces, Cypher or the server's own paths.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from partnermap.errors import (
    BackupRefused,
    PrintUnavailable,
    InvalidRecords,
    NotFound,
    PartnermapError,
    QueryError,
    QueryTimeout,
    StoreUnavailable,
    Forbidden,
    Unconfirmed,
    quoted_value,
)

log = logging.getLogger("partnermap.api")

# The project's errors, most specific first: (class, status, code).
ERROR_STATUS: tuple[tuple[type[PartnermapError], int, str], ...] = (
    (QueryTimeout, 503, "timeout"),
    (NotFound, 404, "not_found"),
    (QueryError, 400, "bad_query"),
    (InvalidRecords, 422, "invalid_records"),
    (StoreUnavailable, 503, "store_unavailable"),
    (Forbidden, 403, "forbidden"),
    (Unconfirmed, 409, "unconfirmed"),
    (BackupRefused, 409, "backup_refused"),
    (PrintUnavailable, 503, "print_unavailable"),
)
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_records",
    503: "store_unavailable",
}
# A client told to wait (a query past its budget, a full upload queue) may try again after this long.
RETRY_AFTER_SECONDS = "5"
ENGINE_REFUSED = "the store could not run this query"


class ErrorDetail(BaseModel):
    """What went wrong: the HTTP status, a stable code, a message and, for bad input, each problem."""

    status: int
    code: str
    message: str
    problems: list[dict[str, Any]] | None = Field(
        default=None, description="For invalid input: the first 1,000 problems, each with file, row, column, value and reason.")
    more_problems: list[dict[str, Any]] | None = Field(
        default=None, description="Problems beyond the first 1,000, counted by file, column and reason.")


class ErrorBody(BaseModel):
    """The one error shape every endpoint returns."""

    error: ErrorDetail


class ApiError(Exception):
    """An error raised by the API layer itself (auth, limits, media types) with its status."""

    def __init__(self, status: int, message: str, problems: list[dict[str, Any]] | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems
        self.code = code


def error_detail(status: int, message: str, code: str | None = None, problems: list | None = None,
                 more_problems: list | None = None) -> dict[str, Any]:
    """The one error shape's inner object (what ``{"error": …}`` holds; a failed upload's job holds it too)."""
    detail: dict[str, Any] = {"status": status, "code": code or HTTP_CODES.get(status, "error"), "message": message}
    if problems is not None:
        detail["problems"] = problems
    if more_problems:
        detail["more_problems"] = more_problems
    return detail


def error_response(status: int, message: str, code: str | None = None, problems: list | None = None,
                   headers: dict[str, str] | None = None, more_problems: list | None = None) -> JSONResponse:
    """Build the one error shape as a response."""
    if status == 503:
        headers = {"Retry-After": RETRY_AFTER_SECONDS, **(headers or {})}
    return JSONResponse({"error": error_detail(status, message, code, problems, more_problems)}, status_code=status,
                        headers=headers)


def _message(exc: PartnermapError) -> str:
    # An engine's refusal is chained to the driver's exception and quotes the Cypher it refused;
    # parameter errors are raised without a cause and their own words help the caller.
    if isinstance(exc, QueryError) and exc.__cause__ is not None:
        return ENGINE_REFUSED
    if isinstance(exc, StoreUnavailable):
        return "the graph store is unavailable"
    if isinstance(exc, InvalidRecords):
        message = f"{exc.count:,} problem{'s' if exc.count != 1 else ''} found; nothing was written"
        if exc.unlisted:
            message += f" (the first {len(exc.problems):,} are listed, the rest counted by file, column and reason)"
        return message
    return str(exc)


def _problem(problem: Any) -> dict[str, Any]:
    value = quoted_value(problem.value)
    return {
        "file": problem.file,
        "row": problem.row,
        "column": problem.column,
        "value": value if value is None or isinstance(value, (str, int, float, bool)) else str(quoted_value(str(value))),
        "reason": problem.reason,
    }


def project_error_detail(exc: PartnermapError) -> dict[str, Any]:
    """The one error shape's inner object for one of partnermap's own errors (500 for one it does not map)."""
    for cls, status, code in ERROR_STATUS:
        if isinstance(exc, cls):
            if isinstance(exc, InvalidRecords):
                more = [{"file": g.file, "column": g.column, "reason": g.reason, "count": g.count} for g in exc.unlisted]
                return error_detail(status, _message(exc), code, [_problem(p) for p in exc.problems], more)
            return error_detail(status, _message(exc), code)
    return error_detail(500, "internal error", "internal_error")


def exception_detail(exc: BaseException) -> dict[str, Any]:
    """The one error shape's inner object for any exception: the project's and the API's own mapped, the rest 500."""
    if isinstance(exc, PartnermapError):
        return project_error_detail(exc)
    if isinstance(exc, ApiError):
        return error_detail(exc.status, exc.message, exc.code, exc.problems)
    return error_detail(500, "internal error", "internal_error")


async def handle_project_error(request: Request, exc: Exception) -> JSONResponse:
    """Map partnermap's own errors to their status codes."""
    assert isinstance(exc, PartnermapError)
    detail = project_error_detail(exc)
    if detail["status"] == 500:
        log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    elif isinstance(exc, (StoreUnavailable, QueryTimeout)) or (isinstance(exc, QueryError) and exc.__cause__ is not None):
        log.warning("%s: %s", request.url.path, exc)
    return error_response(detail["status"], detail["message"], detail["code"], detail.get("problems"),
                          more_problems=detail.get("more_problems"))


async def handle_api_error(request: Request, exc: Exception) -> JSONResponse:
    """Errors raised by the API layer itself."""
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return error_response(exc.status, exc.message, exc.code, problems=exc.problems, headers=headers)


async def handle_http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors (unknown route, wrong method) in the one shape."""
    assert isinstance(exc, StarletteHTTPException)
    return error_response(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))


async def handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Malformed request parameters: 400 with one problem per parameter."""
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"location": ".".join(str(part) for part in error.get("loc", ())), "reason": error.get("msg", "")}
        for error in exc.errors()
    ]
    return error_response(400, "invalid request parameters", "bad_request", problems)


async def handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Anything else: logged with its trace, answered without it."""
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return error_response(500, "internal error", "internal_error")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that produce the one error shape."""
    app.add_exception_handler(PartnermapError, handle_project_error)
    app.add_exception_handler(ApiError, handle_api_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(Exception, handle_unexpected)


# Documented on every route, so clients (and schemathesis) know the error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": code} for status, code in
    ((400, "bad request or query: a parameter out of its range, an answer too large to page"), (404, "not found"),
     (413, "request too large"), (503, "store unavailable, or the query ran past its time budget (Retry-After)"))
}


def keyed_responses(forbidden: str) -> dict[int | str, dict[str, Any]]:
    """The error answers of a route that needs the API key: the usual ones, 401, and 403 saying ``forbidden``."""
    return {**ERROR_RESPONSES, 401: {"model": ErrorBody, "description": "missing or wrong API key"},
            403: {"model": ErrorBody, "description": forbidden}}
