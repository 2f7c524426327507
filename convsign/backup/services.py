"""A consistent archive of an instance, and its restoration on an empty one.

The database is read in one snapshot (REPEATABLE READ on PostgreSQL; SQLite's transaction) and
written as JSON lines, table by table, so an archive moves between SQLite and PostgreSQL. Files
are copied after that read: documents are written before the rows that name them and never
deleted, so every row in the archive finds its file. The archive also holds the PKI, the
instance secret (the CA keys are encrypted under it) and the audit witness: keep it as safe as
the server itself. Files are read from the configured store (a folder or an S3 bucket, see
convsign.documents.objects) and restored into it, as write-once objects.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from convsign import schema
from convsign.documents import services as documents
from convsign.documents.objects import ObjectStore
from convsign.extensions import db
from convsign.filemodes import make_private
from convsign.trust import platform

FORMAT = "convsign-backup-1"
Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message says why, in French."""


@dataclass(frozen=True)
class Summary:
    """What an archive holds."""

    tables: dict[str, int]
    files: int


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode()}
    if isinstance(value, datetime | date):
        return {"$t": value.isoformat()}
    return value


def _decode(value: Any, column: sa.Column[Any]) -> Any:
    if isinstance(value, dict) and "$b64" in value:
        return base64.b64decode(value["$b64"])
    if isinstance(value, dict) and "$t" in value:
        parsed = datetime.fromisoformat(value["$t"])
        return parsed.date() if isinstance(column.type, sa.Date) else parsed
    return value


def _rows(table: sa.Table) -> Iterator[dict[str, Any]]:
    key = list(table.primary_key.columns)
    for row in db.session.execute(sa.select(table).order_by(*key)).mappings():
        yield {name: _encode(value) for name, value in row.items()}


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


STORE_PREFIXES = ("documents/", "pki/", "audit-witness/")


def instance_files() -> list[tuple[str, Callable[[], bytes]]]:
    """(name in the archive, reader) of every file or object of the instance that the database relies on."""
    objects = documents.objects()
    configured_pki = platform.configured_pki_directory()
    prefixes = [p for p in STORE_PREFIXES if not (configured_pki and p == "pki/")]
    found: list[tuple[str, Callable[[], bytes]]] = [
        (key, _object_reader(objects, key)) for prefix in prefixes for key in objects.keys(prefix)]
    if configured_pki is not None:
        found += [(f"pki/{p.relative_to(configured_pki).as_posix()}", p.read_bytes)
                  for p in sorted(configured_pki.rglob("*")) if p.is_file() and not p.name.startswith(".")]
    instance = Path(current_app.instance_path)
    for name in ("secret_key", "audit-witness.log"):
        if (instance / name).is_file() and not any(key == name for key, _ in found):
            found.append((name, (instance / name).read_bytes))
    return found


def _object_reader(objects: ObjectStore, key: str) -> Callable[[], bytes]:
    def read() -> bytes:
        data = objects.get(key)
        if data is None:
            raise BackupError(f"L'objet {key} a disparu du stockage pendant la sauvegarde.")
        return data
    return read


def create_backup(destination: Path, progress: Progress = lambda _m: None) -> Summary:
    """Write the archive to `destination` (a .tar.gz), atomically."""
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    tables: dict[str, int] = {}
    tmp = destination.with_name(destination.name + ".partial")
    with tarfile.open(tmp, "w:gz") as archive:
        for table in db.metadata.sorted_tables:
            lines = [json.dumps(row, ensure_ascii=False, sort_keys=True) for row in _rows(table)]
            _add_bytes(archive, f"database/{table.name}.jsonl", ("\n".join(lines) + "\n" if lines else "").encode())
            tables[table.name] = len(lines)
            progress(f"table {table.name} : {len(lines)} ligne(s)")
        db.session.rollback()  # end the snapshot: the files below were written before its rows
        files = instance_files()
        digests = {}
        for name, read in files:
            data = read()
            digests[name] = hashlib.sha256(data).hexdigest()
            _add_bytes(archive, f"files/{name}", data)
        progress(f"{len(files)} fichier(s)")
        manifest = {"format": FORMAT, "schema": sorted(schema.current_revisions()), "tables": tables,
                    "files": digests}
        _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode())
    make_private(tmp)  # it holds the instance secret, hence the CA keys and session signing
    tmp.replace(destination)
    return Summary(tables, len(files))


def restore_backup(source: Path, progress: Progress = lambda _m: None) -> Summary:
    """Restore an archive on an empty, migrated instance (database and folder)."""
    with tarfile.open(source, "r:gz") as archive:
        manifest = _manifest(archive)
        _check_empty()
        for table in db.metadata.sorted_tables:
            count = _restore_table(archive, table)
            progress(f"table {table.name} : {count} ligne(s)")
        _reset_sequences()
        files = _restore_files(archive, manifest["files"])
        progress(f"{files} fichier(s)")
    return Summary(manifest["tables"], files)


def _manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        manifest = json.loads(_read(archive, "manifest.json"))
    except (KeyError, ValueError) as error:
        raise BackupError("Ce fichier n'est pas une sauvegarde convsign (manifeste absent ou illisible).") from error
    if manifest.get("format") != FORMAT:
        raise BackupError("Format de sauvegarde inconnu.")
    if sorted(schema.current_revisions()) != manifest["schema"]:
        raise BackupError("La sauvegarde a été faite avec une autre version du schéma de la base "
                          f"({', '.join(manifest['schema'])}) : restaurez-la avec la même version de convsign.")
    return dict(manifest)


def _read(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    if member is None:
        raise KeyError(name)
    return member.read()


def _check_empty() -> None:
    for table in db.metadata.sorted_tables:
        if db.session.scalar(sa.select(sa.func.count()).select_from(table)):
            raise BackupError(f"La base n'est pas vide (table {table.name}) : restaurez sur une instance neuve.")
    objects = documents.objects()
    if next(objects.keys("documents/"), None) is not None:
        raise BackupError("Le dossier des documents de l'instance n'est pas vide : restaurez sur une instance neuve.")
    configured = platform.configured_pki_directory()
    if (any(p.is_file() for p in configured.rglob("*")) if configured is not None
            else next(objects.keys("pki/"), None) is not None):
        raise BackupError("L'instance a déjà sa propre PKI : restaurez sur une instance neuve, avant tout usage.")


def _restore_table(archive: tarfile.TarFile, table: sa.Table) -> int:
    text = _read(archive, f"database/{table.name}.jsonl").decode()
    rows = [json.loads(line) for line in text.splitlines() if line]
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    decoded = [{name: _decode(value, table.c[name]) for name, value in row.items()} for row in rows]
    if decoded:  # self-references (an organisation's EPCI, a convention's previous version) set afterwards
        db.session.execute(table.insert(), [{**row, **dict.fromkeys(self_refs)} for row in decoded])
        key = next(iter(table.primary_key.columns))
        for row in decoded:
            links = {name: row[name] for name in self_refs if row[name] is not None}
            if links:
                db.session.execute(table.update().where(key == row[key.name]).values(**links))
    return len(rows)


def _reset_sequences() -> None:
    """PostgreSQL: the next id after the restored ones (SQLite takes max(id) + 1 by itself)."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if len(key) == 1 and isinstance(key[0].type, sa.Integer) and key[0].autoincrement in (True, "auto"):
            following = sa.select(sa.func.coalesce(sa.func.max(key[0]), 0) + 1).scalar_subquery()
            sequence = sa.func.pg_get_serial_sequence(table.name, key[0].name)
            db.session.execute(sa.select(sa.func.setval(sequence, following, False)))


def _restore_files(archive: tarfile.TarFile, digests: dict[str, str]) -> int:
    instance = Path(current_app.instance_path)
    objects, configured_pki = documents.objects(), platform.configured_pki_directory()
    for name, digest in digests.items():
        data = _read(archive, f"files/{name}")
        if hashlib.sha256(data).hexdigest() != digest:
            raise BackupError(f"Le fichier {name} de la sauvegarde est altéré.")
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise BackupError(f"Nom de fichier refusé dans la sauvegarde : {name}")
        head, _, rest = name.partition("/")
        if head == "pki" and configured_pki is not None and rest:
            _write_private(configured_pki / rest, data)
        elif rest and f"{head}/" in STORE_PREFIXES:
            objects.put_once(name, data)
        else:
            path = instance / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            if name == "secret_key":
                path.chmod(0o600)
    return len(digests)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o600)
