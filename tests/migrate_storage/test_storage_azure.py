"""az:// on the obstore engine, against Azurite (a real Blob service on loopback): copy to and from
S3 and a directory, --verify full catching a store that keeps other bytes, headers carried,
kill -9 and --resume, server-side copy inside a container, and refusals."""

from __future__ import annotations

import datetime
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from azure.storage.blob import ContentSettings

from migrate.storage.objstore import ObjectStoreBackend
from tests.migrate_redis.silent import silent_server
from tests.migrate_storage.storage_helpers import (
    BIG_KEY,
    az_sums,
    expected_sums,
    file_sums,
    objects,
    put_az,
    put_files,
    put_s3,
    run_cli,
    s3_sums,
)
from tests.migrate_storage.test_storage_resume import ROOT, _done_units
from tests.migrate_storage.test_storage_wrong_bytes import _bad, _corrupting


def _s3_to_az(s3, az, data: dict[str, bytes], *extra: str) -> tuple[int, dict | None, str, str]:
    first, _ = s3
    src, dst = first.bucket(), az.container()
    put_s3(first.client(), src, "", data)
    code, report, err = run_cli(
        "--from", f"s3://{src}", "--to", az.url(dst, "media"), "--from-endpoint", first.endpoint,
        "--to-endpoint", az.endpoint, "--part-size-mb", "5", *extra,
    )  # fmt: skip
    return code, report, err, dst


@pytest.mark.parametrize("verify", ["full", "checksum"])
def test_storage_s3_to_az_copies_and_verifies(s3, az, monkeypatch, verify) -> None:
    """Azure keeps no SHA-256: `--verify checksum` reads back at once, with no HEAD first."""
    heads: list[str] = []
    real_head = ObjectStoreBackend.head
    monkeypatch.setattr(
        ObjectStoreBackend, "head", lambda self, key: heads.append(key) or real_head(self, key)
    )
    data = objects(with_big=True)
    code, report, err, dst = _s3_to_az(s3, az, data, "--verify", verify)
    assert code == 0, err
    assert heads == []
    assert report["status"] == "verified"
    assert report["stats"]["objects_streamed"] == len(data)
    assert az_sums(az.service(), dst, "media/") == expected_sums(data)


def test_storage_az_to_file_and_file_to_az(az, tmp_path) -> None:
    data = objects(with_big=True, extra=5)
    src = az.container()
    put_az(az.service(), src, "", data)
    code, report, err = run_cli(
        "--from", az.url(src), "--from-endpoint", az.endpoint, "--to", f"file://{tmp_path}/out",
        "--part-size-mb", "5",
    )  # fmt: skip
    assert code == 0, err
    assert report["status"] == "verified"
    assert file_sums(tmp_path / "out") == expected_sums(data)

    back = az.container()
    code, report, err = run_cli(
        "--from", f"file://{tmp_path}/out", "--to", az.url(back), "--to-endpoint", az.endpoint,
        "--part-size-mb", "5", "--verify", "checksum",
    )  # fmt: skip
    assert code == 0, err
    assert az_sums(az.service(), back) == expected_sums(data)


def test_storage_az_to_s3_carries_headers_and_metadata(s3, az) -> None:
    _, second = s3
    src, dst = az.container(), second.bucket()
    settings = ContentSettings(
        content_type="text/css",
        content_encoding="gzip",
        cache_control="public, max-age=60",
        content_disposition='attachment; filename="site.css"',
        content_language="fr-CA",
    )
    blob = az.service().get_blob_client(src, "site.css")
    blob.upload_blob(b"body{}", content_settings=settings, metadata={"owner": "web"})
    code, report, err = run_cli(
        "--from", az.url(src), "--from-endpoint", az.endpoint,
        "--to", f"s3://{dst}", "--to-endpoint", second.endpoint,
    )  # fmt: skip
    assert code == 0, err
    assert report["status"] == "verified"
    got = second.client().head_object(Bucket=dst, Key="site.css")
    assert got["ContentType"] == "text/css"
    assert got["ContentEncoding"] == "gzip"
    assert got["CacheControl"] == "public, max-age=60"
    assert got["ContentDisposition"] == 'attachment; filename="site.css"'
    assert got["ContentLanguage"] == "fr-CA"
    assert got["Metadata"] == {"owner": "web"}


def test_storage_az_target_headers_verified(s3, az, monkeypatch) -> None:
    """A target that drops a header is a mismatch, not a quiet success."""
    first, _ = s3
    src, dst = first.bucket(), az.container()
    first.client().put_object(Bucket=src, Key="a.css", Body=b"x", CacheControl="no-cache")
    real_write = ObjectStoreBackend.write

    def write(self, key, stream, size, attributes=None):
        return real_write(self, key, stream, size, replace(attributes, cache_control=None))

    monkeypatch.setattr(ObjectStoreBackend, "write", write)
    code, report, _ = run_cli(
        "--from", f"s3://{src}", "--from-endpoint", first.endpoint,
        "--to", az.url(dst), "--to-endpoint", az.endpoint,
    )  # fmt: skip
    assert code == 1 and report["status"] == "mismatch"
    assert ("a.css", "headers") in _bad(report)


@pytest.mark.parametrize("victim", ["a.txt", BIG_KEY], ids=["single-put", "multipart"])
def test_storage_full_verify_catches_az_storing_other_bytes(s3, az, monkeypatch, victim) -> None:
    _corrupting(monkeypatch, ObjectStoreBackend, victim)
    code, report, _, _ = _s3_to_az(s3, az, objects(with_big=True, extra=2))
    assert code == 1 and report["status"] == "mismatch"
    assert (victim, "sha256 and size") in _bad(report)


def test_storage_az_server_side_copy_inside_a_container(az) -> None:
    box = az.container()
    data = objects(extra=3)
    put_az(az.service(), box, "a/", data)
    code, report, err = run_cli(
        "--from", az.url(box, "a"), "--from-endpoint", az.endpoint,
        "--to", az.url(box, "b"), "--to-endpoint", az.endpoint,
    )  # fmt: skip
    assert code == 0, err
    assert report["stats"]["objects_server-side"] == len(data)
    assert az_sums(az.service(), box, "b/") == expected_sums(data)


def test_storage_az_resume_after_kill_9(s3, az, tmp_path) -> None:
    first, _ = s3
    src, dst = first.bucket(), az.container()
    data = objects(extra=400)
    put_s3(first.client(), src, "", data)
    state = tmp_path / "state"
    sides = ["--from", f"s3://{src}", "--from-endpoint", first.endpoint,
             "--to", az.url(dst), "--to-endpoint", az.endpoint]  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "migrate", "storage", *sides, "--jobs", "2", "--json"],
        cwd=ROOT,
        env={**os.environ, "TRUDEPLOY_STATE_DIR": str(state)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    run_id, done = None, 0
    while done < 20 and time.monotonic() < deadline and proc.poll() is None:
        run_id, done = _done_units(state)
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert run_id and proc.returncode == -signal.SIGKILL
    _, done = _done_units(state)
    assert 0 < done < len(data)
    # An object verified before the kill and overwritten on the target since: copied again.
    tampered = int(_state(state, "a.txt") == "done")
    az.service().get_blob_client(dst, "a.txt").upload_blob(b"tampered", overwrite=True)

    code, report, err = run_cli(*sides, "--resume", run_id)
    assert code == 0, err
    assert report["status"] == "verified"
    # Every object verified before the kill is skipped, but the tampered one, which is copied.
    assert report["stats"]["objects_skipped"] == done - tampered
    assert report["stats"]["objects_streamed"] == len(data) - done + tampered
    assert report["stats"].get("objects_changed_on_target_since_verified", 0) == tampered
    assert az_sums(az.service(), dst) == expected_sums(data)
    assert s3_sums(first.client(), src) == expected_sums(data)


def _state(state: Path, key: str) -> str | None:
    """The journal's state for one object of the only run under `state`."""
    (path,) = (state / "runs").glob("*.sqlite")
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT state FROM unit WHERE name = ?", (f"obj:{key}",)).fetchone()
    return row[0] if row else None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "az://devstoreaccount1"], "expected az://account/container[/prefix]"),
        (["--to", "az://devstoreaccount1/nope", "--to-endpoint", "{ep}"], "'nope' does not exist"),
        (["--to", "az://devstoreaccount1/c", "--to-profile", "p"], "az:// takes no profile"),
    ],
)
def test_storage_az_refusals(az, tmp_path, args, message) -> None:
    put_files(tmp_path / "src", {"a.txt": b"a"})
    args = [a.replace("{ep}", az.endpoint) for a in args]
    code, _, err = run_cli("--from", f"file://{tmp_path}/src", *args)
    assert code == 2
    assert message in err


def test_storage_az_to_az_across_containers_streams_multipart(az) -> None:
    """Both sides on the obstore engine: the source's stream feeds the target's multipart upload."""
    src, dst = az.container(), az.container()
    data = objects(with_big=True, extra=3)
    put_az(az.service(), src, "", data)
    code, report, err = run_cli(
        "--from", az.url(src), "--from-endpoint", az.endpoint,
        "--to", az.url(dst), "--to-endpoint", az.endpoint, "--part-size-mb", "5",
    )  # fmt: skip
    assert code == 0, err
    assert report["stats"]["objects_streamed"] == len(data)
    assert az_sums(az.service(), dst) == expected_sums(data)
    blocks = az.service().get_blob_client(dst, BIG_KEY).get_block_list()[0]
    assert len(blocks) == 3  # 11 MB in 5 MB parts: it really went multipart


def test_storage_s3_expires_to_az_is_a_header_mismatch(s3, az) -> None:
    """Azure has no Expires header: dropping it is reported, never passed off as verified."""
    first, _ = s3
    src, dst = first.bucket(), az.container()
    expires = datetime.datetime(2031, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    first.client().put_object(Bucket=src, Key="a.css", Body=b"x", Expires=expires)
    code, report, _ = run_cli(
        "--from", f"s3://{src}", "--from-endpoint", first.endpoint,
        "--to", az.url(dst), "--to-endpoint", az.endpoint,
    )  # fmt: skip
    assert code == 1 and report["status"] == "mismatch"
    assert ("a.css", "headers") in _bad(report)


def test_storage_az_silent_endpoint_fails_preflight_naming_it(az, tmp_path) -> None:
    put_files(tmp_path / "src", {"a.txt": b"a"})
    with silent_server() as port:
        endpoint = f"http://127.0.0.1:{port}/devstoreaccount1"
        proc = subprocess.run(
            [sys.executable, "-m", "cli.main", "migrate", "storage", "--json",
             "--from", f"file://{tmp_path}/src", "--to", "az://devstoreaccount1/c",
             "--to-endpoint", endpoint, "--read-timeout", "1", "--connect-timeout", "1"],
            cwd=ROOT, env={**os.environ, "TRUDEPLOY_STATE_DIR": str(tmp_path / "state")},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    err = " ".join(proc.stderr.split())
    assert proc.returncode == 2, err
    assert f"--to az://devstoreaccount1/c/ at {endpoint}: " in err
    assert "(tried 5 times; --connect-timeout 1 s, --read-timeout 1 s)" in err
    assert "Traceback" not in err
    assert not (tmp_path / "state").exists()


def test_storage_az_wrong_key_is_refused_naming_the_credentials_rule(
    az, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_KEY", "d3Jvbmc=")  # base64 of "wrong"
    put_files(tmp_path / "src", {"a.txt": b"a"})
    box = az.container()
    code, _, err = run_cli(
        "--from", f"file://{tmp_path}/src", "--to", az.url(box), "--to-endpoint", az.endpoint,
    )  # fmt: skip
    assert code == 2, err
    assert f"--to az://devstoreaccount1/{box}/ at {az.endpoint}: access denied" in err
    assert "AZURE_STORAGE_ACCOUNT_KEY" in err
