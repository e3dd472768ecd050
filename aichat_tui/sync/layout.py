"""What the sync repository holds: conversations (with their attached images),
their trash tombstones and user themes, nothing else. The ``.gitignore`` keeps
everything else out (caches, the index, locks, crash sidecars, the quarantine,
temp files); :func:`refusal` checks each file before it is committed, so that a
stray file (a copy of config.toml, say) or a file holding one of the profiles'
secrets never leaves the machine.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

from aichat_tui.store import schema
from aichat_tui.store.atomic import read_limited
from aichat_tui.store.errors import ConversationFileError
from aichat_tui.store.toml_codec import basic_string

DRIVER_NAME = "aichat-tui"
FOLDERS = ("conversations", "trash", "themes")
MERGED_FOLDERS = ("conversations", "trash")  # merged message by message
SIZE_LIMIT = 64 * 1024 * 1024

# An allow-list: ignore everything, then let in the synced files. Dot files (the
# quarantine, locks, temp files of atomic writes) stay out even inside them.
GITIGNORE = (
    """\
# Written by aichat-tui sync: only conversations, their trash and themes travel.
/*
!/.gitignore
!/.gitattributes
"""
    + "".join(f"!/{f}/\n/{f}/*\n!/{f}/*.toml\n/{f}/.*\n" for f in FOLDERS)
    + "".join(f"!/{f}/*.files/\n/{f}/*.files/.*\n" for f in MERGED_FOLDERS)
)
# An attached image: <conversation id>.files/<sha256>.<extension> (store/attachments.py).
_IMAGE = re.compile(r"^([A-Za-z0-9_-]{1,64})\.files/([0-9a-f]{64})\.[a-z0-9]{1,8}$")

GITATTRIBUTES = (
    "# Written by aichat-tui sync: files are stored byte for byte and merged by\n"
    "# aichat-tui (messages by id), never with conflict markers.\n"
    "* -text\n"
    + "".join(f"/{f}/*.toml merge={DRIVER_NAME}\n" for f in FOLDERS)
    + f"/.gitignore merge={DRIVER_NAME}\n/.gitattributes merge={DRIVER_NAME}\n"
)

# The keys a theme file may have (aichat_tui/ui/themes.py checks them in full;
# this package stays free of Textual, so only the shape is checked here).
THEME_KEYS = frozenset(
    (
        "name",
        "variables",
        "primary",
        "secondary",
        "accent",
        "foreground",
        "background",
        "surface",
        "panel",
        "boost",
        "success",
        "warning",
        "error",
        "luminosity_spread",
        "text_alpha",
        "dark",
        "ansi",
    )
)


def kind_of(relpath: str) -> str | None:
    """The kind of a path that may be synced (relative, with ``/``): "conversation",
    "trash", "image", "theme" or "setup"; None for any other path."""
    if relpath in (".gitignore", ".gitattributes"):
        return "setup"
    folder, _, rest = relpath.partition("/")
    if folder in MERGED_FOLDERS and _IMAGE.match(rest):
        return "image"
    parts = relpath.split("/")
    if len(parts) != 2 or not parts[1].endswith(".toml") or parts[1].startswith("."):
        return None
    folder, stem = parts[0], parts[1][: -len(".toml")]
    if folder in MERGED_FOLDERS and schema.valid_id(stem):
        return "conversation" if folder == "conversations" else "trash"
    if folder == "themes" and stem:
        return "theme"
    return None


def secret_forms(secrets: list[str]) -> list[bytes]:
    """Each secret as it would appear in a file: raw, and escaped as in TOML."""
    forms: set[bytes] = set()
    for secret in secrets:
        if len(secret) < 3:
            continue
        forms.add(secret.encode("utf-8", "surrogatepass"))
        forms.add(basic_string(secret)[1:-1].encode("utf-8", "surrogatepass"))
    return sorted(forms)


def refusal(root: Path, relpath: str, secrets: list[bytes]) -> str | None:
    """Why the file at ``relpath`` must not be committed, or None when it may be."""
    kind = kind_of(relpath)
    if kind is None:
        return "not a conversation or a theme"
    if kind == "setup":
        return None
    path = root / relpath
    if path.is_symlink() or not path.is_file():
        return "not a regular file"
    try:
        data = read_limited(path, SIZE_LIMIT)
    except (OSError, ValueError) as exc:
        return f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
    if any(secret in data for secret in secrets):
        return "it contains a secret from config.toml (a key, cookie or proxy password)"
    if kind == "image":
        match = _IMAGE.match(relpath.partition("/")[2])
        if match is None or hashlib.sha256(data).hexdigest() != match.group(2):
            return "an attached image whose content does not match its name"
        return None
    if kind == "theme":
        return _theme_refusal(data)
    try:
        schema.loads(data, path)
    except ConversationFileError as exc:
        return f"not a valid conversation file ({exc.detail})"
    return None


def _theme_refusal(data: bytes) -> str | None:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return "not a valid theme file (bad TOML)"
    unknown = sorted(set(doc) - THEME_KEYS)
    if unknown:
        return f"not a theme file (unknown key {unknown[0]!r})"
    return None
