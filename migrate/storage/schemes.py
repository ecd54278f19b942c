"""Object-store schemes served by the obstore engine: each is a URL form and a credentials rule.

A scheme says how its URL names a container and a prefix, and how the store finds credentials;
the copy, verify, resume and error handling are one class for all of them
(`migrate/storage/objstore.py`). `az://` is served this way entirely. `s3://` is too for its data
path (listing, PUTs with their SHA-256, read-back GETs, deletes); its backend
(`migrate/storage/s3.py`) adds boto3 for the steps obstore cannot do: Expires, the SHA-256 the
store kept, unfinished multipart uploads, copies across buckets, the preflight.

`gs://` is not served: obstore speaks GCS's XML API, and no GCS emulator in the package
registries answers it (fake-gcs-server takes no unsigned XML PUT, no `?uploads`, no copy;
gcp-storage-emulator has no HEAD, no `?list-type=2` listing; docs/benchmarks.md has what each
answered), so it could not be tested against a real server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from obstore.store import AzureStore, S3Store

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
    #: (where, endpoint, client options, retry config, **credentials) -> the obstore store.
    build: Callable[..., Any]


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


def _parse_s3(url: str, option: str) -> Location:
    parts = urlsplit(url)
    if not parts.netloc:
        raise StorageInputError(f"{option} {url!r}: no bucket; expected {S3.form}")
    prefix = parts.path.lstrip("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"  # a prefix is a folder: s3://b/media never matches media-old/
    return Location("", parts.netloc, prefix)


def _build_s3(
    where: Location,
    endpoint: str | None,
    client: dict[str, Any],
    retry: dict[str, Any],
    *,
    session: Any,
    region: str | None = None,
) -> S3Store:
    """Credentials from a boto3 session (env, named profile, SSO, instance role), so obstore and
    the boto3 steps sign as one; the region is the bucket's when known (object_store does not
    follow S3's redirect to it, botocore does), else the session's; a custom endpoint is
    addressed path-style."""
    from obstore.auth.boto3 import Boto3CredentialProvider  # imports boto3: only for s3://

    extra: dict[str, Any] = {}
    if endpoint:
        extra = {"endpoint": endpoint, "virtual_hosted_style_request": False}
    return S3Store(
        where.container,
        region=region or session.region_name or "us-east-1",
        credential_provider=Boto3CredentialProvider(session),  # type: ignore[arg-type]
        # Every PUT and part carries x-amz-checksum-sha256 of its bytes, computed in Rust; S3
        # refuses one whose bytes do not match (BadDigest).
        checksum_algorithm="sha256",
        client_options=client,
        retry_config=retry,
        **extra,
    )


S3 = Scheme(
    name="s3",
    form="s3://bucket[/prefix]",
    credentials=(
        "the standard AWS chain: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, or a profile "
        "(AWS_PROFILE, --from-profile/--to-profile), SSO, or the instance's role"
    ),
    parse=_parse_s3,
    build=_build_s3,
)

#: Schemes served by `ObjectStoreBackend` alone; s3:// has its own backend (migrate/storage/s3.py).
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
