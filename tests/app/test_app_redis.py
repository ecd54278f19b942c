"""What only the PostgreSQL + Redis run can show: state shared through Redis."""

from __future__ import annotations

import redis

SUBMISSIONS = "/api/v1/submissions/"


def test_throttle_counts_are_stored_in_redis_under_the_configured_prefix(
    author_api, user, settings, redis_url, redis_prefix
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "5/min", "user": "5/min", "auth": "5/min"},
    }
    assert author_api.get(SUBMISSIONS).status_code == 200
    keys = list(redis.Redis.from_url(redis_url).scan_iter(match=f"{redis_prefix}*"))
    assert any(key.endswith(f"throttle_user_{user.pk}".encode()) for key in keys), keys


def test_throttle_admits_exactly_its_rate_under_real_concurrency(settings, redis_url, redis_prefix):
    """1,500 requests from 32 threads at once against 600 an hour: exactly 600 pass. (DRF's stock
    read-modify-write history let about two thirds through in the review's measurement.)"""
    from concurrent.futures import ThreadPoolExecutor

    from api.throttles import AuthThrottle
    from django.test import RequestFactory

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "auth": "600/hour"},
    }
    request = RequestFactory().post("/api/v1/auth/token/", REMOTE_ADDR="203.0.113.50")

    def attempt(_: int) -> bool:
        return AuthThrottle().allow_request(request, None)

    with ThreadPoolExecutor(32) as pool:
        admitted = sum(pool.map(attempt, range(1_500)))
    assert admitted == 600

    client = redis.Redis.from_url(redis_url)
    (key,) = client.scan_iter(match=f"{redis_prefix}*throttle_auth_203.0.113.50")
    assert int(client.get(key)) == 1_500
    assert 0 < client.ttl(key) <= 3600


def test_a_throttle_counter_found_without_expiry_gets_one(settings, redis_url, redis_prefix):
    """A counter that lost its TTL would throttle its client forever; the next hit restores it.
    (Django's RedisCache.incr, EXISTS then INCR, can leave such a key when it expires between
    the two; the throttle's one-step script cannot, and repairs one it finds.)"""
    from api.throttles import AuthThrottle
    from django.core.cache import cache
    from django.test import RequestFactory

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "auth": "5/min"},
    }
    client = redis.Redis.from_url(redis_url)
    key = cache.make_and_validate_key("throttle_auth_203.0.113.60")
    client.set(key, 99)
    request = RequestFactory().post("/api/v1/auth/token/", REMOTE_ADDR="203.0.113.60")
    throttle = AuthThrottle()
    assert not throttle.allow_request(request, None)
    assert 0 < client.ttl(key) <= 60
    assert 0 < throttle.wait() <= 60
