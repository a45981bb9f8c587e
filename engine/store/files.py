"""Uploaded files (佐证材料 and other attachments): checked by content, stored outside the web root under their SHA-256.

The type is read from the file's first bytes (filetype), never from its name: a renamed
executable is refused. A file is written only when the whole step succeeds; a step that
fails removes what it wrote (see FileWriter.discard_new).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import filetype

from engine.core.errors import InvalidSubmission
from engine.core.text import N_
from engine.core.uploads import Upload

#: what may be uploaded, by detected type: photos, PDF, office documents, short videos
ALLOWED_TYPES = {
    "jpg", "png", "gif", "webp", "heic", "tif", "bmp",
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf",
    "mp4", "mov",
}
#: what the public may attach to an objection: photos only
PHOTO_TYPES = frozenset({"jpg", "png", "webp", "heic"})
NAME_MAX = 200


@dataclass(frozen=True)
class Limits:
    """What one form accepts: the types, the size of each file, how many files."""

    types: frozenset[str] = frozenset(ALLOWED_TYPES)
    max_bytes: int | None = None  # None: the store's limit
    max_count: int = 20


class FileState(StrEnum):
    """A stored file as found on disk, against the SHA-256 it was stored under."""

    INTACT = "intact"
    MISSING = "missing"
    ALTERED = "altered"


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    sha256: str
    size: int
    media_type: str
    data: bytes = field(repr=False)


class FileStore:
    """Files stored outside the web root under their SHA-256 (evidence, and any other upload)."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def writer(self) -> FileWriter:
        """What one use case writes, so that it can be taken back if the use case fails."""
        return FileWriter(self)

    def check(self, uploads: list[Upload], field: str = "evidence", limits: Limits = Limits()) -> list[CheckedFile]:
        """Every problem of every file at once, reported on the form's `field`; nothing is written."""
        if len(uploads) > limits.max_count:
            raise InvalidSubmission({field: [N_("最多上传 %(n)s 个文件", n=limits.max_count)]})
        problems, checked = [], []
        for upload in uploads:
            try:
                checked.append(self._check_one(upload, limits))
            except ValueError as exc:
                problems.append(f"{_display_name(upload.filename)}：{exc}")
        if problems:
            raise InvalidSubmission({field: problems})
        return checked

    def _check_one(self, upload: Upload, limits: Limits) -> CheckedFile:
        size, max_bytes = len(upload.data), min(limits.max_bytes or self.max_bytes, self.max_bytes)
        if size == 0:
            raise ValueError(N_("文件是空的"))
        if size > max_bytes:
            raise ValueError(N_("文件超过 %(mb)s MB 的上限", mb=max_bytes // (1024 * 1024)))
        kind = filetype.guess(upload.data)
        if kind is None:
            raise ValueError(N_("无法识别文件类型；只接受照片、PDF、Office 文档和视频"))
        if kind.extension not in limits.types:
            raise ValueError(N_("不接受此类文件（实际内容为 %(kind)s）", kind=kind.extension))
        return CheckedFile(_display_name(upload.filename), hashlib.sha256(upload.data).hexdigest(), size,
                           kind.mime, upload.data)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def preview_path(self, sha256: str) -> Path:
        """Where the preview of a file is kept once drawn (engine/store/previews.py)."""
        return self.root / "previews" / sha256[:2] / f"{sha256}.jpg"

    def state(self, sha256: str) -> FileState:
        """Whether the file is still there with the very bytes that were uploaded (its hash is its name)."""
        try:
            with open(self.path(sha256), "rb") as stream:
                digest = hashlib.file_digest(stream, "sha256").hexdigest()
        except OSError:
            return FileState.MISSING
        return FileState.INTACT if digest == sha256 else FileState.ALTERED


class FileWriter:
    def __init__(self, store: FileStore) -> None:
        self.store = store
        self.created: list[Path] = []

    def save(self, checked: CheckedFile) -> None:
        """Write the file (once: the name is its hash) atomically; remember it if it is new."""
        target = self.store.path(checked.sha256)
        if target.exists():
            return
        write_atomically(target, checked.data)
        self.created.append(target)

    def discard_new(self) -> None:
        """The step failed: remove the files it wrote (files that were already there stay)."""
        while self.created:
            self.created.pop().unlink(missing_ok=True)


def write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.replace(temporary, target)


def _display_name(filename: str) -> str:
    name = Path(str(filename or "").replace("\\", "/")).name.strip() or "未命名文件"
    return "".join(ch for ch in name if ch.isprintable())[:NAME_MAX]
