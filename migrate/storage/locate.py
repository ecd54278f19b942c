"""Turn `--from`/`--to` URLs and their side options into backends."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from migrate.storage.backend import Backend, StorageInputError
from migrate.storage.fs import FileBackend
from migrate.storage.objstore import ObjectStoreBackend
from migrate.storage.s3 import S3Backend
from migrate.storage.schemes import S3
from migrate.storage.schemes import SCHEMES as OBJECT_STORES

SCHEMES = (
    ", ".join([S3.form, *(s.form for s in OBJECT_STORES.values())]) + " or file:///absolute/path"
)


@dataclass
class Side:
    """What the CLI knows about one side: its URL and the options that go with it."""

    url: str
    option: str
    endpoint: str | None = None
    region: str | None = None
    profile: str | None = None
    #: An access key id and secret for this side only (a stack move's outputs give each side its
    #: own), in place of the standard AWS chain, which can hold only one.
    keys: tuple[str, str] | None = None


def open_backend(
    side: Side,
    *,
    jobs: int,
    part_size: int,
    connect_timeout: float,
    read_timeout: float,
    verify: str = "full",
) -> Backend:
    parts = urlsplit(side.url)
    if parts.scheme == "file":
        if parts.netloc not in {"", "localhost"} or not parts.path.startswith("/"):
            raise StorageInputError(
                f"{side.option} {side.url!r}: a file URL names an absolute path, file:///srv/media"
            )
        return FileBackend(Path(unquote(parts.path)), side.option)
    if parts.scheme == "s3":
        where = S3.parse(side.url, side.option)
        _check_endpoint(side)
        return S3Backend(
            where.container,
            where.prefix,
            option=side.option,
            endpoint=side.endpoint,
            region=side.region,
            profile=side.profile,
            keys=side.keys,
            jobs=jobs,
            part_size=part_size,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            verify=verify,
        )
    if parts.scheme in OBJECT_STORES:
        return _object_store(side, part_size, connect_timeout, read_timeout)
    if parts.scheme == "gs":
        raise StorageInputError(
            f"{side.option} {side.url!r}: {parts.scheme}:// is not supported yet; use {SCHEMES}"
        )
    raise StorageInputError(f"{side.option} {side.url!r}: expected {SCHEMES}")


def _object_store(
    side: Side, part_size: int, connect_timeout: float, read_timeout: float
) -> ObjectStoreBackend:
    scheme = OBJECT_STORES[urlsplit(side.url).scheme]
    for name, value in (("profile", side.profile), ("region", side.region)):
        if value:
            raise StorageInputError(
                f"{side.option}-{name} {value!r}: {scheme.name}:// takes no {name}; credentials "
                f"come from {scheme.credentials}"
            )
    _check_endpoint(side)
    return ObjectStoreBackend(
        scheme,
        scheme.parse(side.url, side.option),
        option=side.option,
        endpoint=side.endpoint,
        part_size=part_size,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )


def _check_endpoint(side: Side) -> None:
    if side.endpoint and urlsplit(side.endpoint).scheme not in {"http", "https"}:
        raise StorageInputError(
            f"{side.option}-endpoint {side.endpoint!r}: expected an http:// or https:// URL"
        )
