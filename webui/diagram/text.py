"""Text without a browser: font sizes, estimated glyph widths, and wrapping names to fit their shapes."""

from __future__ import annotations

import re
import unicodedata

LABEL_SIZE = 11.0  # external labels (events, gateways, data, flows)
NAME_SIZE = 12.0  # names inside activities, pools and lanes
NOTE_SIZE = 10.0
FIT_SIZES = (NAME_SIZE, 11.0, 10.0, 9.0)  # names shrink down to this to fit small shapes
LINE_HEIGHT = 1.2

_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"

# Whitespace, one CJK character, or a word up to and including its hyphens ("Sub-" "Process").
_TOKENS = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}-]+-*|-+")

# Punctuation that must not begin a line (kinsoku), so it stays with the text before it.
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕,.;:?!)]}%")

# Advance widths (em) of printable ASCII in Noto Sans CJK SC, measured in Chromium; Microsoft YaHei and
# PingFang are within a few percent.  Index = code point - 32.
_ASCII_EM = (
    ".22 .32 .47 .55 .55 .92 .68 .28 .34 .34 .47 .55 .28 .35 .28 .39 .55 .55 .55 .55 .55 .55 .55 .55 .55 .55 "
    ".28 .28 .55 .55 .55 .47 .95 .61 .66 .64 .69 .59 .55 .69 .73 .29 .53 .65 .54 .81 .72 .74 .63 .74 .63 .6 "
    ".6 .72 .57 .88 .57 .53 .6 .34 .39 .34 .55 .56 .61 .56 .62 .51 .62 .55 .32 .56 .61 .27 .27 .55 .28 .93 "
    ".61 .61 .62 .62 .39 .47 .38 .61 .52 .8 .5 .52 .47 .34 .27 .34 .55"
)

_ASCII_WIDTHS = tuple(float(w) for w in _ASCII_EM.split())


def char_em(ch: str) -> float:
    code = ord(ch)
    if 32 <= code < 127:
        return _ASCII_WIDTHS[code - 32]
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    return 0.65 if ch.isupper() else 0.58  # accented Latin, Greek, Cyrillic: roughly like ASCII letters


def text_width(text: str, size: float) -> float:
    return sum(char_em(ch) for ch in text) * size


def wrap(text: str, width: float, size: float, split: bool = True) -> list[str]:
    """Greedy wrap by estimated glyph width; CJK may break between any two characters.

    With ``split`` a word longer than the line is broken inside; without, it overhangs.
    """
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lines.extend(_wrap_paragraph(paragraph.strip(), max(width, size * 2), size, split))
    while lines and not lines[-1]:
        lines.pop()
    return lines


def try_fit(text: str, width: float, height: float, sizes: tuple[float, ...]) -> tuple[list[str], float] | None:
    """Wrap at the largest font size whose block fits the box without breaking words."""
    for size in sizes:
        lines = wrap(text, width, size, split=False)
        if block_width(lines, size) <= width and block_height(lines, size) <= height:
            return lines, size
    return None


def fit(text: str, width: float, height: float) -> tuple[list[str], float]:
    return try_fit(text, width, height, FIT_SIZES) or (wrap(text, width, FIT_SIZES[-1]), FIT_SIZES[-1])


def _wrap_paragraph(text: str, width: float, size: float, split: bool) -> list[str]:
    lines: list[str] = []
    current = ""
    for token in _TOKENS.findall(text):
        if token.isspace():
            current += " " if current else ""
            continue
        candidate = current + token
        if not current or token in _NO_LINE_START or text_width(candidate, size) <= width:
            current = candidate
        else:
            lines.append(current.rstrip())
            current = token
        if split and text_width(current, size) > width and _splittable(current):
            *full, current = _split_word(current, width, size)
            lines.extend(full)
    lines.append(current.rstrip())
    return lines


def _splittable(text: str) -> bool:
    """A lone over-long word may be broken; kinsoku punctuation allowed to overhang may not."""
    return len(text) > 1 and text[-1] not in _NO_LINE_START


def _split_word(word: str, width: float, size: float) -> list[str]:
    """Break a word longer than the line (URLs, codes) at the character that overflows."""
    pieces, current = [], ""
    for ch in word:
        if current and text_width(current + ch, size) > width:
            pieces.append(current)
            current = ""
        current += ch
    return [*pieces, current]


def block_height(lines: list[str], size: float) -> float:
    return len(lines) * size * LINE_HEIGHT


def block_width(lines: list[str], size: float) -> float:
    return max((text_width(line, size) for line in lines), default=0.0)
