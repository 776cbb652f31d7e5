"""Uploaded CSV files kept on the server between the preview of an import and its confirmation.

The preview runs the import as a dry run; the confirmation must import the very same bytes, without asking
the browser to send them again. The file is written under the data directory with a random name; the
session holds that name and the file's SHA-256, which is checked again before the import, so a file
changed or swapped on disk is refused. A file is deleted once imported, and any left behind (a preview
never confirmed) after an hour.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from carnet.errors import FileTooLarge

# Larger files are refused before they are read (the import reads a file whole, to check every row first).
MAX_BYTES = 50 * 1024 * 1024
KEEP_SECONDS = 60 * 60
_SUFFIX = ".csv"


@dataclass(frozen=True)
class Upload:
    """A kept file: the token naming it and the SHA-256 of its bytes."""

    token: str
    sha256: str


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def too_large(size: int) -> FileTooLarge:
    return FileTooLarge(
        _("The file is %(size)s; an import takes files up to %(limit)s: split it into smaller files.")
        % {"size": filesizeformat(size), "limit": filesizeformat(MAX_BYTES)},
        limit_bytes=MAX_BYTES,
    )


def read_limited(source: Readable, size: int | None = None) -> bytes:
    """The bytes of an uploaded file or request body, refused (FileTooLarge) past MAX_BYTES: by the size
    announced when there is one, before reading, else once one byte too many is read."""
    if size is not None and size > MAX_BYTES:
        raise too_large(size)
    data = source.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise too_large(size or len(data))
    return data


def directory() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _path(token: str) -> Path | None:
    # The token comes back from a session or a form: only the names this module makes are accepted.
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return directory() / f"{token}{_SUFFIX}"


def keep(data: bytes) -> Upload:
    """Store the bytes until they are taken or an hour has passed."""
    sweep()
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    path = folder / f"{token}{_SUFFIX}"
    path.write_bytes(data)
    path.chmod(0o600)
    return Upload(token, digest(data))


def read(upload: Upload) -> bytes | None:
    """The kept bytes, or None when they are gone (taken, expired) or are not those previewed."""
    sweep()
    path = _path(upload.token)
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not secrets.compare_digest(digest(data), upload.sha256):
        discard(upload.token)
        return None
    return data


def discard(token: str) -> None:
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def sweep(now: float | None = None) -> int:
    """Delete the files kept for more than an hour; the number deleted."""
    folder = directory()
    if not folder.is_dir():
        return 0
    limit = (time.time() if now is None else now) - KEEP_SECONDS
    removed = 0
    for path in folder.glob(f"*{_SUFFIX}"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += 1
        except OSError:
            continue
    return removed
