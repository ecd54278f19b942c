"""JWT, throttling shared through the cache, CORS for configured origins only, CSRF."""

from __future__ import annotations

import pytest
from django.core.cache import cache

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
SUBMISSIONS = "/api/v1/submissions/"
PASSWORD = "correct horse battery"


@pytest.fixture
def rates(settings):
    """Set throttle rates for one test (the throttles read them per request)."""

    def set_rates(**overrides: str) -> None:
        current = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**current, **overrides},
        }

    return set_rates


def test_jwt_401_without_token_then_200_with_it_then_refresh(api, user):
    assert api.get(SUBMISSIONS).status_code == 401

    bad = api.post(TOKEN, {"username": "author", "password": "wrong"}, format="json")
    assert bad.status_code == 401

    tokens = api.post(TOKEN, {"username": "author", "password": PASSWORD}, format="json")
    assert tokens.status_code == 200
    access, refresh = tokens.json()["access"], tokens.json()["refresh"]

    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    assert api.get(SUBMISSIONS).status_code == 401

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api.get(SUBMISSIONS).status_code == 200

    refreshed = api.post(REFRESH, {"refresh": refresh}, format="json")
    assert refreshed.status_code == 200
    new_access = refreshed.json()["access"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {new_access}")
    assert api.get(SUBMISSIONS).status_code == 200

    api.credentials()
    assert api.post(REFRESH, {"refresh": access}, format="json").status_code == 401


def test_user_throttle_answers_429_with_retry_after(author_api, user, rates):
    rates(user="3/min")
    statuses = [author_api.get(SUBMISSIONS).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = author_api.get(SUBMISSIONS)
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    # The count lives in the shared cache, where every replica would see it.
    assert cache.get(f"throttle_user_{user.pk}") == 5


def test_token_endpoint_has_its_own_tighter_throttle(api, user, rates):
    rates(auth="2/min")
    body = {"username": "author", "password": "wrong"}
    statuses = [api.post(TOKEN, body, format="json").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_cors_allows_configured_origins_only(api, settings, db_vendor):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    preflight = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET"}

    allowed = api.options(SUBMISSIONS, HTTP_ORIGIN="https://app.example.com", **preflight)
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.com"

    denied = api.options(SUBMISSIONS, HTTP_ORIGIN="https://evil.example.net", **preflight)
    assert "Access-Control-Allow-Origin" not in denied


def test_session_authenticated_writes_need_a_csrf_token(user):
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    assert browser.login(username="author", password=PASSWORD)
    refused = browser.post(SUBMISSIONS, {"title": "No token"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]


def test_the_bench_only_bare_view_is_not_routed_by_default(author_api):
    assert author_api.get("/api/v1/bench/bare/").status_code == 404


def test_rotating_x_forwarded_for_does_not_reset_the_login_throttle(api, user, rates, settings):
    """Behind one proxy (TRUSTED_PROXY_COUNT=1) the client is the last X-Forwarded-For entry, the
    one the proxy appended; whatever the client wrote before it changes nothing."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    rates(auth="2/min")
    body = {"username": "author", "password": "wrong"}
    statuses = [
        api.post(
            TOKEN, body, format="json", HTTP_X_FORWARDED_FOR=f"10.9.{n}.1, 203.0.113.7"
        ).status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 429, 429]
    other_client = api.post(TOKEN, body, format="json", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other_client.status_code == 401


def test_without_a_proxy_x_forwarded_for_is_ignored(api, user, rates):
    """The development default (TRUSTED_PROXY_COUNT unset = 0): the client is REMOTE_ADDR."""
    rates(auth="2/min")
    body = {"username": "author", "password": "wrong"}
    statuses = [
        api.post(TOKEN, body, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [401, 401, 429]


def test_admin_login_shares_the_auth_throttle(client, user, rates, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    rates(auth="3/min")
    guess = {"username": "author", "password": "guess"}
    assert client.get("/admin/login/").status_code == 200  # showing the form is free
    assert client.post("/admin/login/", guess, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == (
        200
    )
    statuses = [
        client.post(
            "/admin/login/", guess, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.9"
        ).status_code
        for n in range(2)
    ]
    assert statuses == [200, 200]
    limited = client.post("/admin/login/", guess, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    # The same budget as the API's token endpoint: the guesser gains nothing by switching.
    from rest_framework.test import APIClient

    token = APIClient().post(
        TOKEN,
        {"username": "author", "password": "guess"},
        format="json",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert token.status_code == 429


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_is_a_400_not_a_500(api, db_vendor, depth):
    body = "[" * depth + "]" * depth
    response = api.post(TOKEN, body, content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_a_password_change_ends_existing_tokens(api, user):
    tokens = api.post(TOKEN, {"username": "author", "password": PASSWORD}, format="json").json()
    user.set_password("a brand new horse battery")
    user.save()

    refreshed = api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api.get(SUBMISSIONS).status_code == 401

    api.credentials()
    fresh = api.post(
        TOKEN, {"username": "author", "password": "a brand new horse battery"}, format="json"
    ).json()
    assert api.post(REFRESH, {"refresh": fresh["refresh"]}, format="json").status_code == 200


def test_the_browsable_api_is_served_in_development(author_api):
    page = author_api.get(SUBMISSIONS, HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
