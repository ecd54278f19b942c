"""The API describes itself: an OpenAPI schema and Swagger UI behind API_DOCS_ENABLED, and
``OPTIONS`` on the transition endpoint describing the transition's own body."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from test_app_settings import PRODUCTION, run_app

SCHEMA = "/api/v1/schema/"
DOCS = "/api/v1/docs/"


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, "True"), (PRODUCTION, "False"), ({**PRODUCTION, "API_DOCS_ENABLED": "true"}, "True")],
    ids=["development", "production", "production-turned-on"],
)
def test_docs_are_on_in_development_and_off_by_default_in_production(env, expected):
    code = "from django.conf import settings; print(settings.API_DOCS_ENABLED)"
    result = run_app(env=env, code=code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_schema_and_docs_are_served_while_enabled(api, settings, db_vendor):
    settings.API_DOCS_ENABLED = True
    schema = api.get(SCHEMA, {"format": "json"})
    assert schema.status_code == 200, schema.content
    paths = schema.json()["paths"]
    assert "/api/v1/submissions/{id}/transition/" in paths
    assert "/api/v1/submissions/{submission_pk}/files/" in paths
    assert "/api/v1/auth/token/" in paths
    docs = api.get(DOCS)
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content and SCHEMA.encode() in docs.content


def test_schema_and_docs_are_404_while_disabled(api, settings, db_vendor):
    settings.API_DOCS_ENABLED = False
    assert api.get(SCHEMA).status_code == 404
    assert api.get(DOCS).status_code == 404


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    """Every view documents its body and answer; a warning means the schema guessed."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml")


def test_the_transition_schema_takes_to_and_answers_a_submission(api, settings, db_vendor):
    settings.API_DOCS_ENABLED = True
    document = api.get(SCHEMA, {"format": "json"}).json()
    post = document["paths"]["/api/v1/submissions/{id}/transition/"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    answer = post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    schemas = document["components"]["schemas"]
    assert list(schemas[body.rsplit("/", 1)[-1]]["properties"]) == ["to"]
    assert answer == "#/components/schemas/Submission"


def test_options_on_transition_describes_its_own_body(author_api, user):
    from submissions.models import Submission

    submission = Submission.objects.create(owner=user, title="t")
    response = author_api.options(f"/api/v1/submissions/{submission.pk}/transition/")
    assert response.status_code == 200
    post = response.json()["actions"]["POST"]
    assert list(post) == ["to"]
    assert post["to"]["required"] is True
    assert [choice["value"] for choice in post["to"]["choices"]] == Submission.State.values
