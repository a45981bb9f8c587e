"""Previews of attached files, drawn on the server: a thumbnail of a photo, the first page of a PDF.

A preview is drawn once, on first request, and kept beside the files under the file's SHA-256
(FileStore.preview_path). No file leaves the server to be previewed. A file that cannot be drawn (a damaged
photo, a PDF with a password, a photo format Pillow cannot read) simply has no preview.
"""
from __future__ import annotations

import io
import logging
from pathlib import Path

import pypdfium2
from PIL import Image, ImageOps

from engine.store.files import FileStore, write_atomically

#: the longest side of a preview, in pixels
PREVIEW_SIZE = 480
#: a photo with more pixels than this is not decoded for a preview (a decompression bomb)
MAX_PIXELS = 80_000_000
PREVIEWABLE = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff",
                         "application/pdf"})

log = logging.getLogger(__name__)


def has_preview(media_type: str) -> bool:
    return media_type in PREVIEWABLE


def preview(store: FileStore, sha256: str, media_type: str) -> Path | None:
    """The preview's file (a JPEG), drawn now if it was not yet; None where the file has none."""
    target = store.preview_path(sha256)
    if target.exists():
        return target
    if not has_preview(media_type):
        return None
    try:
        picture = _first_page(store.path(sha256)) if media_type == "application/pdf" else _photo(store.path(sha256))
    except (OSError, ValueError, Image.DecompressionBombError, pypdfium2.PdfiumError) as exc:
        log.info("no preview for %s: %s", sha256, exc)
        return None
    write_atomically(target, _jpeg(picture))
    return target


def _photo(path: Path) -> Image.Image:
    with Image.open(path) as image:
        if image.width * image.height > MAX_PIXELS:
            raise ValueError("too many pixels to preview")
        image.draft("RGB", (PREVIEW_SIZE, PREVIEW_SIZE))  # a JPEG is decoded at a fraction of its size
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((PREVIEW_SIZE, PREVIEW_SIZE))
        return upright.convert("RGB")


def _first_page(path: Path) -> Image.Image:
    document = pypdfium2.PdfDocument(path)
    try:
        page = document[0]
        scale = PREVIEW_SIZE / max(page.get_width(), page.get_height(), 1)
        picture = page.render(scale=scale).to_pil().convert("RGB")
        page.close()
        return picture
    finally:
        document.close()


def _jpeg(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()
