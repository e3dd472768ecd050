"""Recognising a file path pasted or typed alone (terminals paste a path when a
file is dropped on them), and completing a path being typed."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["complete_path", "dropped_path"]

MAX_PATH_CHARS = 4096


def dropped_path(text: str, cwd: str | Path | None = None) -> Path | None:
    """The existing regular file ``text`` names, when it is a path alone: as
    typed, quoted (``'a b.png'``), with backslash-escaped spaces (``a\\ b.png``)
    or as a ``file://`` URI; relative paths are taken from ``cwd``. Else None."""
    candidate = text.strip()
    if not candidate or "\n" in candidate or len(candidate) > MAX_PATH_CHARS:
        return None
    if len(candidate) >= 2 and candidate[0] == candidate[-1] and candidate[0] in "'\"":
        candidate = candidate[1:-1]
    if candidate.startswith("file://"):
        parts = urlsplit(candidate)
        if parts.netloc not in ("", "localhost"):
            return None
        candidate = unquote(parts.path)
    elif "\\ " in candidate and os.sep == "/":
        candidate = candidate.replace("\\ ", " ")
    path = Path(candidate).expanduser()
    if not path.is_absolute():
        path = Path(cwd or os.getcwd()) / path
    try:
        return path if path.is_file() else None
    except OSError:  # a name too long, a permission problem on the way
        return None


def _common_start(names: list[str]) -> str:
    """The longest string every name starts with (character by character)."""
    first, last = min(names), max(names)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


def complete_path(value: str, cwd: str | Path | None = None, limit: int = 2000) -> str | None:
    """``value`` completed from the folder it names: the longest common start of
    the entries beginning with its last part (a folder gets a trailing ``/``),
    or the first such entry when that adds nothing. None when nothing matches.
    Hidden entries only when the last part starts with a dot."""
    if not value or "\n" in value:
        return None
    head, _, prefix = value.rpartition("/")
    folder_text = head + "/" if _ else ""
    folder = Path(folder_text or ".").expanduser()
    if not folder.is_absolute():
        folder = Path(cwd or os.getcwd()) / folder
    try:
        entries = []
        with os.scandir(folder) as scan:
            for count, entry in enumerate(scan):
                if count >= limit:
                    break
                if entry.name.startswith(prefix) and (
                    prefix.startswith(".") or not entry.name.startswith(".")
                ):
                    entries.append(entry)
    except OSError:
        return None
    if not entries:
        return None
    entries.sort(key=lambda e: e.name)
    common = _common_start([e.name for e in entries])
    if len(entries) == 1 or common == prefix:
        entry = entries[0]
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        return folder_text + entry.name + ("/" if is_dir else "")
    return folder_text + common
