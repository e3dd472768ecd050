"""Small TOML helpers: a byte-exact string writer, decoding with line numbers,
and finding the line where a key is defined.

tomli-w is not used for conversation files because its multi-line strings turn
CR LF into LF and it writes short ``[[messages]]`` entries as inline tables.
Here every string is a TOML basic string with explicit escapes for everything
that is not plain printable text, so any text round-trips exactly; multi-line text
with nothing to escape is a multi-line literal string (read much faster).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

UTF8_BOM = b"\xef\xbb\xbf"

# Escaped in every string: C0 controls (TAB and LF are handled per style), DEL,
# C1 controls, line/paragraph separators and the BOM (editors mangle them).
_UNSAFE = re.compile('["\\\\\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff]')
_UNSAFE_MULTI = re.compile('["\\\\\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]')
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a multi-line literal string cannot hold (or the store would escape): controls
# other than TAB and LF, DEL, C1, line/paragraph separators, the BOM, and '''.
_LITERAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]|'''")
_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_LINE_COL = re.compile(r"\(at line (\d+), column (\d+)\)")


def aware(moment: datetime) -> datetime:
    """``moment`` with a UTC offset if it had none (naive times are taken as UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def fix_surrogates(text: str) -> str:
    """Join surrogate pairs that arrived in separate stream chunks into one
    character, and replace lone surrogates (unencodable in UTF-8) with U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _SHORT.get(char) or f"\\u{ord(char):04X}"


def basic_string(text: str) -> str:
    """``text`` as a one-line TOML basic string."""
    return '"' + _UNSAFE.sub(_escape, fix_surrogates(text)) + '"'


def multiline_string(text: str) -> str:
    """``text`` as a TOML multi-line string that keeps LF as real line breaks
    (readable in an editor). Text with nothing to escape is written as a literal
    string (``'''``), which Python's TOML parser reads several times faster than a
    basic one (it scans basic strings character by character: opening a
    2,000-message conversation spent most of its time there, issue 6); anything
    else is a basic string that escapes everything else, CR included."""
    text = fix_surrogates(text)
    if not _LITERAL_UNSAFE.search(text) and not text.endswith("'"):
        return "'''\n" + text + "'''"
    return '"""\n' + _UNSAFE_MULTI.sub(_escape, text) + '"""'


def key(name: str) -> str:
    """A TOML key: bare when possible, else quoted."""
    return name if _BARE_KEY.match(name) else basic_string(name)


def value(obj: Any) -> str:
    """A TOML scalar (str, bool, int, float, aware datetime) as text."""
    if isinstance(obj, str):
        return basic_string(obj)
    if isinstance(obj, bool):
        return "true" if obj else "false"
    if isinstance(obj, int):
        return str(obj)
    if isinstance(obj, float):
        if math.isnan(obj):
            return "nan"
        if math.isinf(obj):
            return "inf" if obj > 0 else "-inf"
        return repr(obj)
    if isinstance(obj, datetime):
        # an offset-less time would read back as a TOML local time: write it as UTC
        return aware(obj).isoformat()
    raise TypeError(f"cannot write {type(obj).__name__} as a TOML value")


def inline_table(pairs: list[tuple[str, Any]]) -> str:
    """A one-line TOML inline table of scalars (None values left out)."""
    body = ", ".join(f"{key(name)} = {value(val)}" for name, val in pairs if val is not None)
    return "{ " + body + " }" if body else "{}"


def decode_text(data: bytes) -> str:
    """UTF-8 bytes to text, stripping a BOM. Raises ``UnicodeDecodeError``."""
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    return data.decode("utf-8")


def decode_error_line(data: bytes, exc: UnicodeDecodeError) -> int:
    """The 1-based line holding the first undecodable byte."""
    return data[: exc.start].count(b"\n") + 1


def toml_error_position(exc: tomllib.TOMLDecodeError) -> tuple[int | None, int | None]:
    """(line, column) of a TOML syntax error (3.11's error has them only in the text)."""
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "colno", None)
    if line is not None:
        return line, col
    match = _LINE_COL.search(str(exc))
    if match:
        return int(match.group(1)), int(match.group(2))
    return None, None


def toml_error_message(exc: tomllib.TOMLDecodeError) -> str:
    """The syntax error's text without the trailing position."""
    msg = getattr(exc, "msg", None) or _LINE_COL.sub("", str(exc)).strip()
    return f"invalid TOML: {msg}"


# --- finding the line of a key --------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*(\]\]?)\s*(?:#.*)?$")
_KEY_PART = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)"""
_KEY_LINE = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")


def _parse_dotted(text: str) -> list[str] | None:
    """Split a dotted TOML key into its parts by letting tomllib read it."""
    try:
        doc: Any = tomllib.loads(f"{text} = 0")
    except tomllib.TOMLDecodeError:
        return None
    parts: list[str] = []
    while isinstance(doc, dict) and len(doc) == 1:
        name, doc = next(iter(doc.items()))
        parts.append(name)
    return parts or None


def find_key_line(text: str, path: Sequence[str | int]) -> int | None:
    """Best-effort 1-based line where ``path`` (e.g. ``("profiles", "work", "timeout")``
    or ``("messages", 3, "role")``) is defined, else the line of its closest
    enclosing table or key. Array-of-tables entries are counted by index."""
    target = tuple(str(p) for p in path)
    best_line: int | None = None
    best_len = 0
    table: tuple[str, ...] = ()
    counters: dict[tuple[str, ...], int] = {}
    in_multiline: str | None = None

    for lineno, line in enumerate(text.splitlines(), start=1):
        if in_multiline is not None:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        header = _HEADER.match(line)
        if header and not _KEY_LINE.match(line):
            parts = _parse_dotted(header.group(2))
            if parts is None:
                continue
            if header.group(1) == "[[":
                base = tuple(parts)
                counters[base] = counters.get(base, -1) + 1
                table = (*base, str(counters[base]))
            else:
                table = tuple(parts)
            full = table
        else:
            match = _KEY_LINE.match(line)
            if not match:
                continue
            parts = _parse_dotted(match.group(1))
            if parts is None:
                continue
            full = (*table, *parts)
            rest = line[match.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
                    break
        common = 0
        for a, b in zip(full, target, strict=False):
            if a != b:
                break
            common += 1
        if common == len(full) and common > best_len:
            best_line, best_len = lineno, common
            if common == len(target):
                return lineno
    return best_line
