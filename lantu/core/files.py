"""Writing files that hold registry data: atomically and readable only by the service.

``write_private`` writes to a temporary file in the same folder, flushes it to disk and renames
it over the target: a reader (or a process killed mid-write, ``kill -9`` during ``year close
--replace``) sees the old file or the new one, never a stub. The file is created with mode 0640
(owner read-write, the service's group read: backups), never world-readable; ``private_dir``
makes a folder 0750. ``protect_database`` narrows an SQLite file and its WAL to 0600.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

FILE_MODE = 0o640
DIR_MODE = 0o750


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    with contextlib.suppress(OSError):
        path.chmod(DIR_MODE)
    return path


@contextlib.contextmanager
def atomic_path(path: Path, mode: int = FILE_MODE) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed over ``path`` when the block ends
    without error, removed otherwise."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, mode)
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_private(path: Path, data: bytes, mode: int = FILE_MODE) -> Path:
    with atomic_path(path, mode) as tmp:
        tmp.write_bytes(data)
    return path


def protect_database(path: Path) -> None:
    """Owner-only permissions on an SQLite database and its journal files."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if p.exists():
            with contextlib.suppress(OSError):
                p.chmod(0o600)
