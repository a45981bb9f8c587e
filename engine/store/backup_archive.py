"""The backup artifact: one tar holding the database, every evidence file and a manifest.

The manifest (JSON) names each member with its SHA-256 and holds a digest of each table; the SHA-256 of the
manifest's bytes is the backup's own digest, recorded in the audit trail when the backup is made. Reading an
artifact checks every member against the manifest and names each one added, changed or missing.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from engine.core.errors import DomainError

MANIFEST = "manifest.json"
FORMAT = "duban-backup/1"
EVIDENCE = "files"


class BackupError(DomainError):
    """A backup or restore that cannot be done; the message says why, for the operator."""


@dataclass
class OpenedArchive:
    """An artifact unpacked into a folder: its manifest, the manifest's digest and every difference found."""

    folder: Path
    manifest: dict[str, Any]
    digest: str
    differences: list[str] = field(default_factory=list)

    def member(self, name: str) -> Path:
        return self.folder / name

    def evidence(self) -> list[tuple[str, Path]]:
        """The evidence files unpacked (their SHA-256 and where they are), those that are intact."""
        found = []
        for name, sha256 in self.manifest.get("files", {}).items():
            path = self.member(name)
            if name.startswith(f"{EVIDENCE}/") and path.is_file() and _sha256(path) == sha256:
                found.append((sha256, path))
        return found


def evidence_name(sha256: str) -> str:
    return f"{EVIDENCE}/{sha256[:2]}/{sha256}"


def write_archive(target: Path, members: dict[str, Path], fields: dict[str, Any]) -> str:
    """Write the members and their manifest to `target` (a tar); return the manifest's SHA-256."""
    manifest = {"format": FORMAT, **fields, "files": {name: _sha256(path) for name, path in members.items()}}
    raw = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")
    manifest_file = target.with_name(target.name + ".manifest")
    manifest_file.write_bytes(raw)
    try:
        with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as archive:
            archive.add(manifest_file, arcname=MANIFEST)
            for name, path in members.items():
                archive.add(path, arcname=name)
    finally:
        manifest_file.unlink(missing_ok=True)
    return hashlib.sha256(raw).hexdigest()


def open_archive(source: Path, folder: Path) -> OpenedArchive:
    """Unpack `source` into `folder` and compare every member with the manifest."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    try:
        with tarfile.open(source, "r:") as archive:
            names = [_unpack(archive, member, folder) for member in archive]
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{source} is not a duban backup (not a readable tar archive: {exc})") from None
    if MANIFEST not in names:
        raise BackupError(f"{source} is not a duban backup (it has no {MANIFEST})")
    raw = (folder / MANIFEST).read_bytes()
    manifest = _parse(raw, source)
    opened = OpenedArchive(folder, manifest, hashlib.sha256(raw).hexdigest())
    opened.differences.extend(_member_differences(manifest["files"], [n for n in names if n != MANIFEST], folder))
    return opened


def _parse(raw: bytes, source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise BackupError(f"{source}: its {MANIFEST} is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{source}: its {MANIFEST} is not a {FORMAT} manifest")
    return manifest


def _member_differences(listed: dict[str, str], present: list[str], folder: Path) -> list[str]:
    differences = [f"file added: {name} (not in the manifest)" for name in present if name not in listed]
    for name, sha256 in listed.items():
        if name not in present:
            differences.append(f"file missing: {name}")
        elif _sha256(folder / name) != sha256:
            differences.append(f"file changed: {name} (its SHA-256 is not the manifest's)")
    return differences


def _unpack(archive: tarfile.TarFile, member: tarfile.TarInfo, folder: Path) -> str:
    """One regular file, under `folder` only (no links, devices or paths that climb out)."""
    name = PurePosixPath(member.name)
    if not member.isfile() or name.is_absolute() or ".." in name.parts:
        raise tarfile.TarError(f"unexpected member {member.name!r}")
    target = folder.joinpath(*name.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = archive.extractfile(member)
    if source is None:
        raise tarfile.TarError(f"unreadable member {member.name!r}")
    with source, open(target, "wb") as out:
        shutil.copyfileobj(source, out)
    return str(name)


def _sha256(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()
