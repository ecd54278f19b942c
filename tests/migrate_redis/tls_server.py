"""A TLS-only redis-server whose certificate is signed by a CA of its own, shaped like
Memorystore's: the instance's IP in the subject's CN and no subjectAltName, so Python's default
hostname check refuses it and only a client that pins the CA (and skips that check, as
app/config/redis_tls.py does) gets in."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import redis
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.migrate_redis.conftest import _free_port


def write_pem(
    cert: x509.Certificate, key: ec.EllipticCurvePrivateKey, cert_path: Path, key_path: Path
) -> tuple[Path, Path]:
    """The certificate and its unencrypted PKCS#8 key as the PEM files redis-server reads."""
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_ca(folder: Path, label: str) -> tuple[Path, ec.EllipticCurvePrivateKey]:
    """A self-signed CA certificate in `folder/<label>-ca.pem`, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{label} server CA"))
        .issuer_name(_name(f"{label} server CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = folder / f"{label}-ca.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path, key


def _server_cert(folder: Path, ca_path: Path, ca_key: ec.EllipticCurvePrivateKey) -> tuple:
    ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))  # Memorystore: the IP in the CN, no SAN
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(ca_key, hashes.SHA256())
    )
    return write_pem(cert, key, folder / "server.pem", folder / "server.key")


class TLSRedisServer:
    """Like RedisServer, over TLS only; `ca_path`/`ca_pem` is the CA clients must pin."""

    def __init__(self, folder: Path, start: int) -> None:
        self.ca_path, ca_key = make_ca(folder, "own")
        self.ca_pem = self.ca_path.read_text()
        cert, key = _server_cert(folder, self.ca_path, ca_key)
        self.port = _free_port(start)
        self.proc = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", "0",
             "--tls-port", str(self.port), "--bind", "127.0.0.1", "--tls-cert-file", str(cert),
             "--tls-key-file", str(key), "--tls-ca-cert-file", str(self.ca_path),
             "--tls-auth-clients", "no", "--save", "", "--appendonly", "no", "--dir", str(folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.url = f"rediss://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail("the TLS redis-server did not start (is it built with TLS?)")
                time.sleep(0.05)

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(
            host="127.0.0.1",
            port=self.port,
            db=db,
            ssl=True,
            ssl_ca_data=self.ca_pem,
            ssl_check_hostname=False,
        )

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()
