"""REDIS_CA_CERT: the app trusts the Redis instance's own certificate authority (Memorystore's
in-transit encryption), for the cache and the Celery broker alike.

A real redis-server with TLS on loopback presents a certificate shaped like Memorystore's: signed
by a private CA, naming the server by IP address in its CN only, without subjectAltName. Each
case runs in a fresh process with only the env a deploy target sets, as a container would.
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from app_helpers import free_port
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from test_app_settings import run_app

PASSWORD = "memorystore-auth-string-for-tests"
PROBE = """
from django.core.cache import cache
from config import celery_app
cache.set("ca-probe", "ok", timeout=30)
assert cache.get("ca-probe") == "ok"
with celery_app.connection_for_write() as conn:
    conn.ensure_connection(max_retries=1)
    conn.default_channel.client.ping()
from maintenance import flag
assert flag.current() is None  # the maintenance flag is read over the same pinned TLS
print("connected")
"""


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()


def _authority(name: str) -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Authority(key, cert)


def _server_cert(ca: Authority, directory: Path) -> tuple[Path, Path]:
    """A server certificate naming 127.0.0.1 in its CN only, as Memorystore's does."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(ca.key, hashes.SHA256())
    )
    cert_path, key_path = directory / "server.crt", directory / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory) -> Iterator[tuple[str, Authority]]:
    """A private redis-server speaking only TLS on a free loopback port, with AUTH."""
    server = shutil.which("redis-server")
    assert server, "redis-server is not installed (apt-get install redis-server)"
    directory = tmp_path_factory.mktemp("tls-redis")
    ca = _authority("memorystore-like instance CA")
    (directory / "ca.crt").write_text(ca.pem())
    cert, key = _server_cert(ca, directory)
    port = free_port()
    proc = subprocess.Popen(
        [
            server,
            "--port", "0",
            "--tls-port", str(port),
            "--bind", "127.0.0.1",
            "--tls-cert-file", str(cert),
            "--tls-key-file", str(key),
            "--tls-ca-cert-file", str(directory / "ca.crt"),
            "--tls-auth-clients", "no",
            "--requirepass", PASSWORD,
            "--save", "",
            "--appendonly", "no",
            "--dir", str(directory),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    client = redis.Redis(
        host="127.0.0.1",
        port=port,
        password=PASSWORD,
        ssl=True,
        ssl_ca_data=ca.pem(),
        ssl_check_hostname=False,
    )
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
                time.sleep(0.05)
        else:
            pytest.fail("the TLS redis-server did not answer")
        yield f"rediss://:{PASSWORD}@127.0.0.1:{port}/0", ca
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _env(url: str, **extra: str) -> dict[str, str]:
    return {"REDIS_URL": url, "REDIS_KEY_PREFIX": "ca-test", **extra}


def test_cache_and_broker_reach_redis_through_the_instance_ca(tls_redis):
    url, ca = tls_redis
    result = run_app(env=_env(url, REDIS_CA_CERT=ca.pem()), code=PROBE)
    assert result.returncode == 0, result.stderr
    assert "connected" in result.stdout


def test_a_ca_with_escaped_newlines_is_accepted(tls_redis):
    """Some secret and env tooling flattens a PEM to one line with literal \\n."""
    url, ca = tls_redis
    result = run_app(env=_env(url, REDIS_CA_CERT=ca.pem().replace("\n", "\\n")), code=PROBE)
    assert result.returncode == 0, result.stderr


def test_without_the_ca_the_server_certificate_is_refused(tls_redis):
    url, _ = tls_redis
    result = run_app(env=_env(url), code=PROBE)
    assert result.returncode != 0
    assert "certificate verify failed" in result.stderr


def test_another_ca_is_refused(tls_redis):
    url, _ = tls_redis
    stranger = _authority("some other CA")
    result = run_app(env=_env(url, REDIS_CA_CERT=stranger.pem()), code=PROBE)
    assert result.returncode != 0
    assert "certificate verify failed" in result.stderr


def test_a_ca_without_tls_is_a_configuration_error(tls_redis):
    _, ca = tls_redis
    result = run_app(env=_env("redis://127.0.0.1:6379/0", REDIS_CA_CERT=ca.pem()), code="")
    assert result.returncode != 0
    assert "REDIS_CA_CERT" in result.stderr.strip().splitlines()[-1]


def test_the_maintenance_switch_pins_the_instance_ca(tls_redis, tmp_path):
    """`trudeploy maintenance` and migrate.maintenance reach such a Redis with the stack's
    redisCaCert, and are refused without it."""
    from typer.testing import CliRunner

    from cli.main import app
    from migrate import maintenance

    url, ca = tls_redis
    with pytest.raises(maintenance.MaintenanceError, match="certificate verify failed"):
        maintenance.status(url)
    maintenance.enter(url, "tls-run", ca_cert=ca.pem())
    assert maintenance.status(url, ca_cert=ca.pem())["run_id"] == "tls-run"
    pem = tmp_path / "ca.pem"
    pem.write_text(ca.pem())
    off = CliRunner().invoke(
        app, ["maintenance", "off", "--redis-url", url, "--redis-ca-cert", str(pem), "--json"]
    )
    assert off.exit_code == 0, off.output
    assert maintenance.status(url, ca_cert=ca.pem()) is None
