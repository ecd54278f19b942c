"""TLS options for the service's Redis connections (cache, sessions, throttling, Celery broker).

A `rediss://` URL alone makes redis-py check the server's certificate against the system trust
store, which suits a Redis whose certificate a public CA signed. Memorystore for Redis signs its
server certificate with a certificate authority of the instance's own, which every client must
install (https://cloud.google.com/memorystore/docs/redis/about-in-transit-encryption); the deploy
target hands it over as REDIS_CA_CERT (PEM), and it becomes the *only* CA the connection trusts.

That certificate names the instance by its IP address in the subject's common name
(envoyproxy/ratelimit#409), which Python's hostname check, reading subjectAltName alone, refuses.
With the instance's own CA pinned the check adds nothing: that CA signs certificates for this one
instance, so a certificate it signed is the instance's. Without a pinned CA the hostname check
stays on.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

PEM_BEGIN = "-----BEGIN CERTIFICATE-----"


def redis_tls_options(url: str, ca_cert: str) -> dict[str, Any]:
    """redis-py connection options that pin `ca_cert`, or {} when there is none to pin."""
    if not ca_cert:
        return {}
    if not url.startswith("rediss://"):
        raise ImproperlyConfigured(
            "REDIS_CA_CERT is set but REDIS_URL is not a rediss:// URL; a CA is only used over TLS"
        )
    pem = ca_cert.replace("\\n", "\n")
    if PEM_BEGIN not in pem:
        raise ImproperlyConfigured(
            f"REDIS_CA_CERT is not a PEM certificate (no {PEM_BEGIN!r} line)"
        )
    return {"ssl_ca_data": pem, "ssl_check_hostname": False}
