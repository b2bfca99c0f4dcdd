"""A property-based fuzz of the OpenAPI document (schemathesis): whatever a viewer sends to any
operation, the answer is never a 5xx. Bounded: a few examples per operation, no deadline."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from tests.conftest import NOW
from tests.web.conftest import TEST_SIGNING_KEY, Seeded, bearer

from eros.access import Role
from eros.bootstrap import bootstrap
from eros.config import load_settings
from eros.db.engine import make_engine
from eros.web.app import create_app

EXAMPLES_PER_OPERATION = 6


@pytest.fixture(scope="module")
def web_schema(seeded_db: Seeded, tmp_path_factory: pytest.TempPathFactory) -> Any:
    target = tmp_path_factory.mktemp("fuzz") / "eros.db"
    shutil.copyfile(seeded_db.path, target)
    environ = {"EROS_DB_PATH": str(target), "EROS_SIGNING_KEY": TEST_SIGNING_KEY, "EROS_NOW": NOW}
    app = create_app(bootstrap(load_settings(environ), engine=make_engine(f"sqlite:///{target}")))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_operation_answers_a_5xx(web_schema: Any, tokens: dict[Role, str]) -> None:
    headers = bearer(tokens[Role.VIEWER])
    operations = [result.ok() for result in web_schema.get_all_operations()]
    assert len(operations) >= 30

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
        def no_5xx(case: Any) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.path, response.text[:300])

        no_5xx()
    print(f"fuzzed {len(operations)} operations, {EXAMPLES_PER_OPERATION} examples each")
