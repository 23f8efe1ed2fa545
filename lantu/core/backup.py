"""Backing up and restoring the operational store, on SQLite and PostgreSQL alike.

- SQLite: ``sqlite3``'s online backup API copies a consistent snapshot while the server runs
  (readers and writers carry on); restoring copies the backup back page by page into the live
  database file, in one step.
- PostgreSQL: ``pg_dump --format=custom`` (consistent: one transaction), restored with
  ``pg_restore --clean --if-exists --single-transaction``: all of it or nothing.

Backup files are written 0600 (they hold every ID number). The ledger's key
(``LANTU_LEDGER_KEY`` or ``var/ledger_key``) and the exported anchors (``var/ledger/``) are not
in the database: back them up with it, separately (docs/deploy.md). After a restore,
``lantu ledger verify`` proves that what came back is whole.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection

from lantu.core.errors import LantuError
from lantu.core.files import atomic_path


class BackupFailed(LantuError):
    status = 500


def backup(path: Path) -> Path:
    """Write a consistent copy of the database to ``path``."""
    with atomic_path(path, mode=0o600) as tmp:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(tmp)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            _pg(["pg_dump", "--format=custom", "--no-owner", f"--file={tmp}"])
    return path


def restore(path: Path) -> None:
    """Replace the database's content with the backup at ``path`` (all of it or nothing)."""
    if not path.is_file():
        raise BackupFailed(f"备份文件不存在：{path}", f"no such backup file: {path}")
    if connection.vendor == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
        return
    connection.close()  # pg_restore drops and recreates the tables this connection may hold
    _pg(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", str(path)])


def _pg(command: list[str]) -> None:
    s: dict[str, Any] = connection.settings_dict
    env = os.environ | {"PGPASSWORD": str(s.get("PASSWORD") or "")}
    args = [f"--host={s.get('HOST') or 'localhost'}", f"--port={s.get('PORT') or 5432}"]
    if s.get("USER"):
        args.append(f"--username={s['USER']}")
    args.append(f"--dbname={s['NAME']}")
    done = subprocess.run(command + args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        raise BackupFailed(f"{command[0]} 失败：{detail[0]}", f"{command[0]} failed: {detail[0]}")
