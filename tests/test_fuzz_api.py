"""Schemathesis against the OpenAPI schema, over real HTTP: no 5xx, responses match the schema.

Quick by default (CI); PRAXIS_FUZZ_EXAMPLES=500 for the long run recorded in the docs.
"""

import os
import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from indexer.build import build_index
from search_api.app import create_app
from tests.conftest import ROOT, build_request, copy_fixture_corpus, live_server, writable_app_settings

EXAMPLES = int(os.environ.get("PRAXIS_FUZZ_EXAMPLES", "25"))
# What the API promises for any input. (Not "every schema-valid body is accepted": vocabulary
# terms and country codes are checked against taxonomy.yml and ISO lists, beyond the schema.)
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
TOKEN = "fuzz-token"


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, hashing):
    root = copy_fixture_corpus(tmp_path_factory.mktemp("fuzz"))
    # The methodology too: without it a valid curriculum draft is a (rightful) 503, which the fuzz counts as failing.
    shutil.copytree(
        ROOT / "docs" / "methodology", root / "docs" / "methodology", ignore=shutil.ignore_patterns("*.??.md")
    )
    build_index(build_request(root), hashing)
    config = writable_app_settings(root, TOKEN).model_copy(update={"docs_dir": root / "docs"})
    with live_server(create_app(config, embedder=hashing)) as base:
        yield schemathesis.openapi.from_url(f"{base}/api/openapi.json")


def test_api_never_fails_and_matches_its_schema(api_schema):
    # Driven through hypothesis directly: schemathesis's pytest plugin does not support pytest 9 yet.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 7
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)

        check()
