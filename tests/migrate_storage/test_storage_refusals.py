"""Bad input and refused preflights: exit 2, one message, nothing written anywhere."""

from __future__ import annotations

import pytest

from tests.migrate_storage.storage_helpers import objects, put_files, put_s3, run_cli, s3_sums


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "ftp://x/y", "--to", "file://{tmp}/t"],
         "--from 'ftp://x/y': expected s3://bucket[/prefix], az://account/container[/prefix] or file:///absolute/path"),
        (["--from", "gs://bucket/x", "--to", "file://{tmp}/t"], "gs:// is not supported yet"),
        (["--from", "file://relative/path", "--to", "file://{tmp}/t"],
         "a file URL names an absolute path"),
        (["--from", "file://{tmp}/nowhere", "--to", "file://{tmp}/t"], "no such directory"),
        (["--from", "file://{tmp}/src", "--to", "file://{tmp}/src/inside"], "overlap"),
        (["--from", "file://{tmp}/src", "--to", "s3://{missing}", "--to-endpoint", "{ep}"],
         "bucket '{missing}' does not exist"),
        (["--from", "file://{tmp}/src", "--to", "s3://b", "--to-endpoint", "http://127.0.0.1:1"],
         "--to s3://b/ at http://127.0.0.1:1: Could not connect"),
        (["--from", "file://{tmp}/src", "--to", "s3://b", "--to-endpoint", "ftp://x"],
         "--to-endpoint 'ftp://x': expected an http:// or https:// URL"),
        (["--from", "file://{tmp}/src", "--to", "file://{tmp}/t", "--part-size-mb", "1"],
         "--part-size-mb 1: S3 parts are at least 5"),
        (["--from", "file://{tmp}/src", "--to", "file://{tmp}/t", "--resume", "storage-nope"],
         "--resume: no run 'storage-nope'"),
        (["--from", "file://{tmp}/src", "--to", "file://{tmp}/nonempty"], "is not empty"),
    ],
)  # fmt: skip
def test_storage_refuses_bad_input(s3, tmp_path, args, message) -> None:
    server, _ = s3
    put_files(tmp_path / "src", objects(extra=2))
    put_files(tmp_path / "nonempty", {"keep.txt": b"mine"})
    fill = {"tmp": tmp_path, "ep": server.endpoint, "missing": "no-such-bucket"}
    args = [a.format(**fill) for a in args]
    code, report, err = run_cli(*args)
    assert code == 2, err
    assert report is None and "Traceback" not in err
    assert err.startswith("refused "), err  # the prefix every migrate command refuses with
    assert message.format(**fill) in err
    assert not (tmp_path / "t").exists()
    assert not (tmp_path / "state").exists(), "a journal was written before preflight passed"
    assert sorted(p.name for p in (tmp_path / "nonempty").iterdir()) == ["keep.txt"]


def test_storage_refuses_non_empty_bucket_prefix(s3) -> None:
    server, _ = s3
    src, dst = server.bucket(), server.bucket()
    put_s3(server.client(), src, "", objects(extra=2))
    server.client().put_object(Bucket=dst, Key="prod/already", Body=b"x")
    ep = server.endpoint
    code, _, err = run_cli(
        "--from", f"s3://{src}", "--to", f"s3://{dst}/prod",
        "--from-endpoint", ep, "--to-endpoint", ep,
    )  # fmt: skip
    assert code == 2
    assert f"--to s3://{dst}/prod/ at {server.endpoint} is not empty" in err
    assert s3_sums(server.client(), dst) == {
        "prod/already": s3_sums(server.client(), dst)["prod/already"]
    }
