"""rediss://: the copy and verification run over TLS to a real TLS-only redis-server."""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.migrate_redis.conftest import _free_port
from tests.migrate_redis.redis_helpers import fill, run_cli, snapshot
from tests.migrate_redis.tls_server import TLSRedisServer, make_ca, write_pem


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return write_pem(cert, key, folder / "cert.pem", folder / "key.pem")


@pytest.fixture(scope="module")
def tls_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, redis.Redis]]:
    folder = tmp_path_factory.mktemp("redis-tls")
    cert, key = _self_signed(folder)
    port = _free_port(6420)
    proc = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", "0", "--tls-port", str(port),
         "--bind", "127.0.0.1", "--tls-cert-file", str(cert), "--tls-key-file", str(key),
         "--tls-ca-cert-file", str(cert), "--tls-auth-clients", "no", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"rediss://127.0.0.1:{port}/0?ssl_ca_certs={cert}"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the TLS redis-server did not start (is redis-server built with TLS?)")
    yield url, client
    proc.kill()
    proc.wait()


def test_redis_copies_to_a_tls_target(servers, tls_target) -> None:
    source, _ = servers
    url, client = tls_target
    client.flushall()
    fill(source, 0)
    before = snapshot(source, 0)
    code, report, stderr = run_cli("--from", source.url, "--to", url)
    assert code == 0, stderr
    assert report["status"] == "verified"
    keys = client.dbsize()
    assert keys == len(before)
    assert client.hgetall("hash:big") == source.client().hgetall("hash:big")


@pytest.fixture(scope="module")
def own_ca_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TLSRedisServer]:
    server = TLSRedisServer(tmp_path_factory.mktemp("redis-own-ca"), 6440)
    yield server
    server.stop()


def test_to_ca_cert_pins_the_servers_own_ca(servers, own_ca_target) -> None:
    """A Memorystore-like certificate (IP in CN, no SAN, own CA) is reached with --to-ca-cert."""
    source, _ = servers
    own_ca_target.client().flushall()
    fill(source, 0)
    code, report, stderr = run_cli(
        "--from", source.url, "--to", own_ca_target.url, "--to-ca-cert", str(own_ca_target.ca_path)
    )
    assert code == 0, stderr
    assert report["status"] == "verified"
    assert own_ca_target.client().dbsize() == len(snapshot(source, 0))


def test_from_ca_cert_pins_the_source_side(servers, own_ca_target) -> None:
    _, target = servers
    client = own_ca_target.client()
    client.flushall()
    client.set("from-tls", "yes")
    code, _, stderr = run_cli(
        "--from", own_ca_target.url, "--to", target.url,
        "--from-ca-cert", str(own_ca_target.ca_path),
    )  # fmt: skip
    assert code == 0, stderr
    assert target.client().get("from-tls") == b"yes"


def test_without_the_ca_the_tls_side_is_refused(servers, own_ca_target) -> None:
    source, _ = servers
    code, _, stderr = run_cli("--from", source.url, "--to", own_ca_target.url)
    assert code == 2
    assert "--to" in stderr and "cannot connect" in stderr


def test_a_ca_that_did_not_sign_the_server_is_refused_by_name(
    servers, own_ca_target, tmp_path
) -> None:
    source, _ = servers
    other, _ = make_ca(tmp_path, "other")
    own_ca_target.client().flushall()
    fill(source, 0)
    code, _, stderr = run_cli(
        "--from", source.url, "--to", own_ca_target.url, "--to-ca-cert", str(other)
    )
    assert code == 2
    assert "--to" in stderr and "not signed by the given server CA" in " ".join(stderr.split())
    assert own_ca_target.client().dbsize() == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "cannot read it"), ("not a certificate", "not a PEM certificate")],
)
def test_a_bad_ca_file_is_named_and_nothing_is_written(
    servers, tmp_path, content, expected
) -> None:
    source, target = servers
    fill(source, 0)
    path = tmp_path / "ca.pem"
    if content is not None:
        path.write_text(content)
    code, _, stderr = run_cli("--from", source.url, "--to", target.url, "--from-ca-cert", str(path))
    assert code == 2
    said = " ".join(stderr.split())  # rich wraps the message
    assert f"--from-ca-cert {path}" in said and expected in said
    assert target.client().dbsize() == 0
    assert not (tmp_path / "state" / "runs").exists()


def test_a_ca_for_a_plain_redis_url_is_refused(servers, own_ca_target) -> None:
    source, target = servers
    code, _, stderr = run_cli(
        "--from", source.url, "--to", target.url, "--to-ca-cert", str(own_ca_target.ca_path)
    )
    assert code == 2
    assert "--to" in stderr and "not rediss://" in stderr
