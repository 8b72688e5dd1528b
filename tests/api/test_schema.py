"""A bounded property-based run of every documented operation (schemathesis) over the sample.

Checks that nothing answers with a server error and every answer matches the documented schema.
Writes stay disabled (no API keys), so the upload endpoint only ever answers 403.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from api import create_app
from partnermap.settings import Settings

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

from api.ingest import XLSX_TYPE  # noqa: E402

# The upload's two body types are raw bytes, as application/octet-stream is.
schemathesis.serializer.alias(["application/zip", XLSX_TYPE], "application/octet-stream")


@pytest.fixture(scope="module")
def served_app(sample_db):
    app = create_app(Settings(db=sample_db))
    with TestClient(app):  # runs the lifespan: the store stays open for the module
        yield app


def test_every_operation_answers_within_its_schema(served_app):
    # Driven by hand rather than through schemathesis' pytest plugin, which does not load
    # under this pytest version.
    schema = schemathesis.openapi.from_asgi("/openapi.json", served_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    calls: dict[str, int] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def answers_within_schema(case):
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
            calls[operation.label] = calls.get(operation.label, 0) + 1

        try:
            answers_within_schema()
        except Exception as exc:
            raise AssertionError(f"{operation.label}: {exc}") from exc
    assert set(calls) == {operation.label for operation in operations}
