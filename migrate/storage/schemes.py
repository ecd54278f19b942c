"""Object-store schemes served by the obstore engine: each is a URL form and a credentials rule.

A scheme says how its URL names a container and a prefix, and how the store finds credentials;
the copy, verify, resume and error handling are one class for all of them
(`migrate/storage/objstore.py`). `az://` is served this way. `s3://` stays on boto3
(`migrate/storage/s3.py`) because obstore cannot do three of its steps: the Expires header
(obstore's attributes have no such field), reading back the SHA-256 the store kept
(x-amz-checksum-sha256 is not in its replies), and listing/aborting unfinished multipart uploads
on resume. `gs://` waits: obstore speaks GCS's XML API, which none of the emulators in the
package registries implements (gcp-storage-emulator: JSON API only; see docs/benchmarks.md), so it
could not be tested against a real server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from obstore.store import AzureStore

from migrate.storage.backend import StorageInputError

#: How many times one request is tried before its error is reported (as for s3://).
ATTEMPTS = 5


@dataclass(frozen=True)
class Location:
    """Where a URL points: the account (or project) the container lives in, the container
    (bucket) and the key prefix, which always ends in `/` unless empty."""

    account: str
    container: str
    prefix: str


@dataclass(frozen=True)
class Scheme:
    name: str
    #: The URL form, shown when a URL does not parse.
    form: str
    #: Where credentials come from, shown when none are found and in --help.
    credentials: str
    parse: Callable[[str, str], Location]
    build: Callable[[Location, str | None, dict[str, Any], dict[str, Any]], Any]


def _prefix(path: str) -> str:
    prefix = unquote(path).strip("/")
    return prefix + "/" if prefix else ""  # a prefix is a folder: never matches media-old/


def _parse_az(url: str, option: str) -> Location:
    parts = urlsplit(url)
    container, _, rest = parts.path.lstrip("/").partition("/")
    if not parts.netloc or not container:
        raise StorageInputError(f"{option} {url!r}: expected {AZURE.form}")
    return Location(parts.netloc, container, _prefix(rest))


def _build_az(
    where: Location, endpoint: str | None, client: dict[str, Any], retry: dict[str, Any]
) -> AzureStore:
    # Credentials: obstore reads the standard Azure variables itself (account key, SAS token,
    # service principal, workload identity, managed identity, AZURE_USE_AZURE_CLI).
    extra: dict[str, Any] = {"endpoint": endpoint} if endpoint else {}
    return AzureStore(
        where.container,
        account_name=where.account,
        client_options=client,
        retry_config=retry,
        **extra,
    )


AZURE = Scheme(
    name="az",
    form="az://account/container[/prefix]",
    credentials=(
        "the standard Azure variables: AZURE_STORAGE_ACCOUNT_KEY, or AZURE_STORAGE_SAS_TOKEN, or "
        "AZURE_CLIENT_ID + AZURE_CLIENT_SECRET + AZURE_TENANT_ID, or AZURE_FEDERATED_TOKEN_FILE, "
        "or AZURE_USE_AZURE_CLI=true (az login); else the VM's managed identity"
    ),
    parse=_parse_az,
    build=_build_az,
)

SCHEMES: dict[str, Scheme] = {AZURE.name: AZURE}


def client_options(endpoint: str | None, connect_timeout: float, read_timeout: float) -> dict:
    """Timeouts bound a connect and a silence (not a whole transfer), as for s3://."""
    options: dict[str, Any] = {
        "connect_timeout": timedelta(seconds=connect_timeout),
        "read_timeout": timedelta(seconds=read_timeout),
    }
    if endpoint and endpoint.startswith("http://"):
        options["allow_http"] = True
    return options


def retry_config() -> dict[str, Any]:
    return {"max_retries": ATTEMPTS - 1}
