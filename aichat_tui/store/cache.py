"""Parsed conversations cached in ``cache/<id>.json`` (issue 6).

Parsing a 2,000-message TOML file (~4 MB) is the largest part of opening it;
reading the same document as JSON is several times faster. Like the index this
is a cache, never the truth: each file records the stamp (inode, mtime_ns, size)
of the TOML version it was made from, and is used only while the TOML file still
has exactly that stamp. Any other version, a hand edit included, is parsed from
the TOML file (so a broken file is still detected and quarantined). A missing,
corrupt or unreadable cache file is ignored and rewritten; a failed cache write
never fails a load or a save. The cache holds nothing that is not in the TOML
file (no secrets) and is never executed: plain JSON, checked on reading.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from aichat_tui import branches
from aichat_tui.models import (
    ENDINGS,
    MESSAGE_STATUSES,
    ROLES,
    Attachment,
    Conversation,
    Message,
    Usage,
)
from aichat_tui.store.atomic import atomic_write, read_limited
from aichat_tui.store.errors import SaveError
from aichat_tui.store.index import Stamp
from aichat_tui.store.toml_codec import aware, fix_surrogates

# 2: messages may carry a 7th item, their attachments; 3: conversation trees
# (issue 13): "off_path" holds [parent, message row] pairs; 4: rows may carry an
# 8th item, a table of reasoning, finish_reason and usage (older files are rebuilt).
# No FIFO waits, no unbounded reads (a cached copy of a 64 MB file is under this).
CACHE_SIZE_LIMIT = 256 * 2**20
CACHE_VERSION = 4
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FLOAT_WORDS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class _Bad(Exception):
    """Internal: a cache file that does not hold what this module writes."""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad("not a string")
    return value


def _opt_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _float(value: Any) -> float | None:
    """Floats as the TOML file reads back (NaN/inf as words: JSON has none)."""
    if value is None:
        return None
    if isinstance(value, str):
        if value not in _FLOAT_WORDS:
            raise _Bad("not a number")
        return _FLOAT_WORDS[value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad("not a number")
    return float(value)


def _float_out(value: float | None) -> float | str | None:
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _time(value: Any) -> datetime:
    return aware(datetime.fromisoformat(_text(value)))


def _row(m: Message) -> list[Any]:
    return [
        fix_surrogates(m.id),
        m.role,
        aware(m.time).isoformat(),
        m.status,
        None if m.error is None else fix_surrogates(m.error),
        fix_surrogates(m.content),
        *_message_tail(m),
    ]


def encode(conv: Conversation) -> dict[str, Any]:
    """The cache body for ``conv``, normalised exactly as its TOML file reads
    back (lone surrogates as U+FFFD, naive times as UTC, numbers as floats).
    The active path's parents follow from its order; the other branches' rows
    are paired with their parent."""
    branches.normalize(conv)
    return {
        "title": fix_surrogates(conv.title),
        "created": aware(conv.created).isoformat(),
        "updated": aware(conv.updated).isoformat(),
        "profile": None if conv.profile is None else fix_surrogates(conv.profile),
        "model": None if conv.model is None else fix_surrogates(conv.model),
        "temperature": _float_out(conv.temperature),
        "top_p": _float_out(conv.top_p),
        "max_tokens": conv.max_tokens,
        "system_prompt": fix_surrogates(conv.system_prompt),
        "messages": [_row(m) for m in conv.messages],
        "off_path": [
            [None if m.parent is None else fix_surrogates(m.parent), _row(m)] for m in conv.off_path
        ],
    }


def _message_tail(m: Message) -> list[Any]:
    """The optional 7th (attachments) and 8th (reasoning, ending, usage) items."""
    extra: dict[str, Any] = {}
    if m.reasoning:
        extra["reasoning"] = fix_surrogates(m.reasoning)
    if m.finish_reason is not None:
        extra["finish_reason"] = m.finish_reason
    if m.usage is not None and not m.usage.is_empty():
        # rounded as the TOML file writes them, so both read back alike
        extra["usage"] = [
            m.usage.prompt_tokens,
            m.usage.completion_tokens,
            None if m.usage.ttft is None else round(m.usage.ttft, 3),
            None if m.usage.tokens_per_second is None else round(m.usage.tokens_per_second, 2),
        ]
    attachments = [_attachment_out(a) for a in m.attachments]
    if extra:
        return [attachments, extra]
    return [attachments] if attachments else []


def _count(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad("not a count")
    return value


def _extra_in(message: Message, raw: Any) -> None:
    if not isinstance(raw, dict) or set(raw) - {"reasoning", "finish_reason", "usage"}:
        raise _Bad("unexpected message extras")
    message.reasoning = _text(raw.get("reasoning", ""))
    ending = raw.get("finish_reason")
    if ending is not None and ending not in ENDINGS:
        raise _Bad("unknown ending")
    message.finish_reason = ending
    if "usage" in raw:
        prompt, completion, ttft, speed = raw["usage"]
        message.usage = Usage(_count(prompt), _count(completion), _float(ttft), _float(speed))


def _attachment_out(a: Attachment) -> list[Any]:
    return [
        fix_surrogates(a.name),
        a.size,
        a.media_type,
        a.sha256,
        a.encoding,
        None if a.text is None else fix_surrogates(a.text),
    ]


def _attachment_in(raw: Any) -> Attachment:
    name, size, media_type, sha256, encoding, text = raw
    if isinstance(size, bool) or not isinstance(size, int):
        raise _Bad("not a size")
    if not _SHA256.match(_text(sha256)):
        raise _Bad("not a sha256")  # it names a file: never trust it blindly
    return Attachment(
        name=_text(name),
        size=size,
        media_type=_text(media_type),
        sha256=_text(sha256),
        encoding=_opt_text(encoding),
        text=_opt_text(text),
    )


def decode(conv_id: str, body: dict[str, Any]) -> Conversation:
    """A Conversation from a cache body (raises _Bad, or ValueError/TypeError/
    KeyError for a malformed one)."""
    conv = Conversation(
        id=conv_id,
        title=_text(body["title"]),
        created=_time(body["created"]),
        updated=_time(body["updated"]),
        profile=_opt_text(body["profile"]),
        model=_opt_text(body["model"]),
        temperature=_float(body["temperature"]),
        top_p=_float(body["top_p"]),
        max_tokens=_count(body["max_tokens"]),
        system_prompt=_text(body["system_prompt"]),
    )
    previous: str | None = None
    for raw in body["messages"]:
        message = _message(raw, previous)
        conv.messages.append(message)
        previous = message.id
    for parent, raw in body["off_path"]:
        conv.off_path.append(_message(raw, _opt_text(parent)))
    return conv


def _message(raw: Any, parent: str | None) -> Message:
    message_id, role, when, status, error, content, *extra = raw
    if role not in ROLES or (status is not None and status not in MESSAGE_STATUSES):
        raise _Bad("unknown role or status")
    if len(extra) > 2:
        raise _Bad("unexpected message fields")
    message = Message(
        role=role,
        content=_text(content),
        time=_time(when),
        status=status,
        error=_opt_text(error),
        id=_text(message_id),
        parent=parent,
    )
    if extra:
        message.attachments = [_attachment_in(item) for item in extra[0]]
    if len(extra) == 2:
        _extra_in(message, extra[1])
    return message


class ConversationCache:
    """``cache/<id>.json`` files: :meth:`get` by stamp, :meth:`put`, :meth:`drop`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0  # loads answered from the cache (the tests count these)

    def _file(self, conv_id: str) -> Path:
        return self.folder / f"{conv_id}.json"

    def get(self, conv_id: str, stamp: Stamp) -> Conversation | None:
        """The cached conversation if it was made from the TOML version ``stamp``."""
        try:
            raw = json.loads(read_limited(self._file(conv_id), CACHE_SIZE_LIMIT))
            if raw["version"] != CACHE_VERSION or [int(x) for x in raw["stamp"]] != list(stamp):
                return None
            conv = decode(conv_id, raw["conversation"])
        except (OSError, ValueError, TypeError, KeyError, AttributeError, _Bad):
            return None  # missing or corrupt: parsed from the TOML file and rewritten
        self.hits += 1
        return conv

    def put(self, conv_id: str, stamp: Stamp, conv: Conversation) -> None:
        """Record ``conv`` as the content of the TOML version ``stamp`` (best effort)."""
        body = {"version": CACHE_VERSION, "stamp": list(stamp), "conversation": encode(conv)}
        try:
            self.folder.mkdir(mode=0o700, exist_ok=True)
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            # rebuildable: a torn file after a power loss fails its check and is rebuilt
            atomic_write(self._file(conv_id), data, durable=False)
        except (OSError, SaveError, ValueError, TypeError):
            self.drop(conv_id)  # never leave an older version behind a failed write

    def drop(self, conv_id: str) -> None:
        """Forget a conversation's cache file (deleted, trashed or failed to load)."""
        with contextlib.suppress(OSError):
            os.unlink(self._file(conv_id))

    def keep_only(self, conv_ids: set[str]) -> None:
        """Remove cache files of conversations that no longer exist."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name.endswith(".json") and name[: -len(".json")] not in conv_ids:
                with contextlib.suppress(OSError):
                    os.unlink(self.folder / name)
