"""The manuscript types the service accepts, recognised by their content, not their name.

A name is whatever the client typed; the bytes decide. Each allowed extension names one check of
the file's content; an upload passes when its extension is allowed and its content is that type.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import IO

_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _is_pdf(handle: IO[bytes]) -> bool:
    return handle.read(5) == b"%PDF-"


def _zip_names(handle: IO[bytes]) -> list[str] | None:
    """The member names of a ZIP container, or None when it is not one."""
    if handle.read(4) != b"PK\x03\x04":
        return None
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            return archive.namelist()
    except zipfile.BadZipFile:
        return None


def _is_docx(handle: IO[bytes]) -> bool:
    names = _zip_names(handle)
    return names is not None and {"[Content_Types].xml", "word/document.xml"} <= set(names)


def _is_odt(handle: IO[bytes]) -> bool:
    # OpenDocument puts an uncompressed "mimetype" member first, at a fixed offset (ODF 1.2 §3.3).
    head = handle.read(30 + len("mimetype") + len(_ODT_MIMETYPE))
    return head[:4] == b"PK\x03\x04" and head[30:] == b"mimetype" + _ODT_MIMETYPE


ALLOWED: dict[str, Callable[[IO[bytes]], bool]] = {
    ".pdf": _is_pdf,
    ".docx": _is_docx,
    ".odt": _is_odt,
}


def problem(name: str, handle: IO[bytes]) -> str | None:
    """Why this upload is not an accepted manuscript, or None when it is one."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = ", ".join(sorted(ALLOWED))
    check = ALLOWED.get(suffix)
    if check is None:
        return f"{name!r} is not an accepted manuscript type; accepted: {allowed}"
    position = handle.tell()
    try:
        handle.seek(0)
        matches = check(handle)
    finally:
        handle.seek(position)
    if not matches:
        return f"{name!r} is named {suffix} but its content is not a {suffix} file"
    return None
