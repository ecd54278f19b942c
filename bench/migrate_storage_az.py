"""Bench: s3:// -> az:// with `trudeploy migrate storage` (obstore engine; the S3 source's GETs on
boto3, for Expires) vs
`rclone copy` to an azureblob remote, between a moto S3 server and Azurite on loopback.

The same objects as bench/migrate_storage.py (its `_fill`), the same 16 parallel transfers. It
prints wall time and CPU of the tool and of each server; requests are counted on the moto side
only (Azurite keeps no request log unless run with --debug, which slows it). The gs -> az run the
issue asks for is not possible: gs:// is not served (no GCS emulator in reach answers the XML
API obstore speaks; see migrate/storage/schemes.py and docs/benchmarks.md). Usage:

    .venv/bin/python bench/migrate_storage_az.py [--small 2500] [--medium 200] [--large 4]
        [--jobs 16] [--runs full,checksum,rclone]
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import boto3
from azure.storage.blob import BlobServiceClient, ContainerSasPermissions, generate_container_sas

sys.path.insert(0, str(Path(__file__).parent))
from migrate_storage import CREDS, Moto, _fill, _measure, _per_object, _plain_env, _rclone

from migrate.storage.locate import Side
from migrate.storage.run import StorageOptions, migrate_storage

ROOT = Path(__file__).resolve().parents[1]
AZURITE = ROOT / "tools/azurite/node_modules/.bin/azurite-blob"
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


class Azurite:
    """Azurite's Blob service; CPU read from /proc like Moto's, no request log."""

    def __init__(self, folder: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/{ACCOUNT}"
        self.proc = subprocess.Popen(
            [str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", str(port),
             "--location", folder, "--skipApiVersionCheck", "--silent"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("Azurite did not start")

    def cpu(self) -> float:
        """CPU of the node process (the .bin entry is a shell-less node script: one process)."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def mark(self) -> int:
        return 0

    def requests(self, since: int) -> Counter[str]:
        return Counter()

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def _sas_url(azurite: Azurite, container: str) -> str:
    token = generate_container_sas(
        ACCOUNT,
        container,
        account_key=KEY,
        permission=ContainerSasPermissions(read=True, write=True, list=True, delete=True),
        expiry=datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2),
    )
    return f"{azurite.url}/{container}?{token}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=2500)
    parser.add_argument("--medium", type=int, default=200)
    parser.add_argument("--large", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument("--runs", default="full,checksum,rclone")
    args = parser.parse_args()
    wanted = args.runs.split(",")
    with tempfile.TemporaryDirectory() as logs:
        moto, azurite = Moto(logs, "source"), Azurite(logs)
        try:
            _bench(args, wanted, moto, azurite)
        finally:
            moto.stop()
            azurite.stop()


def _bench(args: argparse.Namespace, wanted: list[str], moto: Moto, azurite: Azurite) -> None:
    src = boto3.client("s3", endpoint_url=moto.url, **CREDS)
    src.create_bucket(Bucket="source")
    blobs = BlobServiceClient(azurite.url, credential={"account_name": ACCOUNT, "account_key": KEY})
    for name in wanted:
        blobs.create_container(f"out-{name}")
    count, size = _fill(src, "source", args.small, args.medium, args.large)
    mb = size / 1e6
    print(f"source: {count:,} objects, {mb:,.1f} MB; {args.jobs} parallel transfers each")
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AZURE_STORAGE_ACCOUNT_KEY=KEY
    )
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with tempfile.TemporaryDirectory() as state:
        os.environ["TRUDEPLOY_STATE_DIR"] = state
        for name in wanted:
            if name.startswith("rclone"):
                rclone = _rclone()
                env = {
                    **_plain_env(),
                    "RCLONE_CONFIG_SRC_TYPE": "s3", "RCLONE_CONFIG_SRC_PROVIDER": "Other",
                    "RCLONE_CONFIG_SRC_ENDPOINT": moto.url,
                    "RCLONE_CONFIG_SRC_ACCESS_KEY_ID": "bench",
                    "RCLONE_CONFIG_SRC_SECRET_ACCESS_KEY": "bench",
                    "RCLONE_CONFIG_SRC_REGION": "us-east-1",
                    # rclone 1.60's `endpoint` is a domain suffix, not a URL: a container SAS
                    # URL is how it reaches Azurite on a port of our choosing.
                    "RCLONE_CONFIG_DST_TYPE": "azureblob",
                    "RCLONE_CONFIG_DST_SAS_URL": _sas_url(azurite, f"out-{name}"),
                }  # fmt: skip
                command = [
                    rclone, "copy", "src:source", f"dst:out-{name}", "--transfers", str(args.jobs),
                    "--checkers", str(args.jobs), "--azureblob-upload-cutoff", "16M",
                    "--azureblob-chunk-size", "16M",
                ]  # fmt: skip
                run = _measure(
                    (moto, azurite),  # type: ignore[arg-type]
                    resource.RUSAGE_CHILDREN,
                    lambda: subprocess.run(command, check=True, env=env),  # noqa: B023
                )
                label = "rclone copy"
            else:

                def ours(verify: str = name) -> None:
                    report = migrate_storage(
                        StorageOptions(
                            source=Side("s3://source", "--from", endpoint=moto.url),
                            target=Side(f"az://{ACCOUNT}/out-{verify}", "--to", azurite.url),
                            jobs=args.jobs,
                            verify=verify,
                            quiet=True,
                        )
                    )
                    assert report.ok, report.to_json()

                run = _measure((moto, azurite), resource.RUSAGE_SELF, ours)  # type: ignore[arg-type]
                label = f"trudeploy --verify {name}"
            got = sum(1 for _ in blobs.get_container_client(f"out-{name}").list_blobs())
            assert got == count, f"{name} copied {got} of {count} objects"
            print(
                f"{label:28s} {run.took:7.2f} s  {mb / run.took:6.1f} MB/s  "
                f"{count / run.took:5.0f} obj/s\n"
                f"    CPU: tool {run.cpu:.1f} s, source server {run.source_cpu:.1f} s, "
                f"target server (Azurite) {run.target_cpu:.1f} s\n"
                f"    source requests per object: {_per_object(run.source_requests, count)}"
            )


if __name__ == "__main__":
    main()
