"""One conversation <-> the text of its TOML file, with strict validation.

File layout (schema_version 1)::

    schema_version = 1
    id = "…"
    title = "…"
    created = 2026-01-02T03:04:05.678+00:00
    updated = …
    profile = "…"          # optional
    model = "…"            # optional
    temperature = 0.7      # optional
    top_p = 1.0            # optional
    max_tokens = 4096      # optional: the reply length limit sent to the server
    system_prompt = "…"
    message_count = 2      # informative; the messages are the truth

    [[messages]]
    id = "…"
    role = "user"          # system | user | assistant
    time = 2026-…
    status = "complete"    # replies only: complete | interrupted | error
    finish_reason = "length"  # replies: why it ended (stop, length, content_filter,
                           # tool_calls, error, interrupted); optional
    error = "…"            # optional
    usage = { prompt_tokens = 50, completion_tokens = 40, ttft = 0.31, tokens_per_second = 1184.3 }
    content = \"\"\"
    …\"\"\"
    reasoning = \"\"\"       # the model's thinking (optional; never sent back)
    …\"\"\"

    [[messages.attachments]]   # files attached to that message, in order
    name = "notes.txt"
    size = 1234            # bytes of the original file
    media_type = "text/plain"
    sha256 = "…"           # of the original bytes
    encoding = "utf-8"     # text files: how they were decoded
    text = \"\"\"…\"\"\"       # text files: the text the model saw
    # images: no text; the bytes are in <id>.files/<sha256>.<ext> beside this file

A conversation with branches (issue 13) is written as ``schema_version = 2``
with ``active_leaf = "…"`` (the last message of the branch on screen) at the
top, and ``parent = "…"`` in every message that is not a root. The active path
comes first, root to leaf, then the other branches, each read top to bottom. A
file without ``parent`` keys is one linear branch, in file order; a conversation
without branches is still written exactly as version 1, so older versions read it.

Lone surrogates (half of an emoji split across stream chunks) are written as
U+FFFD; surrogate pairs are joined. Everything else round-trips byte-exact.
Files written by hand are accepted with an inline ``messages = [...]`` array,
local (offset-less) datetimes (taken as UTC) and messages without ids.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from datetime import UTC, datetime
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
from aichat_tui.store.errors import ConversationFileError, TruncatedFile
from aichat_tui.store.toml_codec import (
    basic_string,
    decode_error_line,
    decode_text,
    find_key_line,
    inline_table,
    key,
    multiline_string,
    toml_error_message,
    toml_error_position,
    value,
)

SCHEMA_VERSION = 2  # the newest version read; linear conversations are written as 1
LINEAR_VERSION = 1
_FIRST_MESSAGE = re.compile(r"^\[\[\s*messages\s*\]\]", re.MULTILINE)
_MESSAGE_TABLE = re.compile(rb"^[ \t]*\[\[\s*messages\s*\]\]", re.MULTILINE)
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOP_KEYS = {
    "schema_version",
    "id",
    "title",
    "created",
    "updated",
    "profile",
    "model",
    "temperature",
    "top_p",
    "max_tokens",
    "system_prompt",
    "message_count",
    "active_leaf",
    "messages",
}
_MESSAGE_KEYS = {
    "id",
    "parent",
    "role",
    "time",
    "status",
    "finish_reason",
    "error",
    "usage",
    "content",
    "reasoning",
    "attachments",
}
_USAGE_INTS = ("prompt_tokens", "completion_tokens")
_USAGE_FLOATS = ("ttft", "tokens_per_second")
_ATTACHMENT_KEYS = {"name", "size", "media_type", "sha256", "encoding", "text"}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def valid_id(conv_id: str) -> bool:
    """Whether ``conv_id`` is safe as a file name (letters, digits, ``_``, ``-``)."""
    return bool(ID_PATTERN.match(conv_id))


def dumps(conv: Conversation) -> str:
    """The file text for ``conv`` (its active path's parents are linked first)."""
    branches.normalize(conv)
    tree = bool(conv.off_path)
    lines = [f"schema_version = {SCHEMA_VERSION if tree else LINEAR_VERSION}"]
    leaf = conv.messages[-1].id if tree and conv.messages else None
    top: list[tuple[str, Any]] = [
        ("id", conv.id),
        ("title", conv.title),
        ("created", conv.created),
        ("updated", conv.updated),
        ("profile", conv.profile),
        ("model", conv.model),
        ("temperature", conv.temperature),
        ("top_p", conv.top_p),
        ("max_tokens", conv.max_tokens),
        ("system_prompt", conv.system_prompt),
        ("message_count", len(conv.messages)),
        ("active_leaf", leaf),
    ]
    lines += [f"{key(name)} = {value(val)}" for name, val in top if val is not None]
    ordered = [*conv.messages, *conv.off_path] if tree else conv.messages
    for message in ordered:
        lines += ["", "[[messages]]"]
        for name, val in (
            ("id", message.id),
            ("parent", message.parent if tree else None),
            ("role", message.role),
            ("time", message.time),
            ("status", message.status),
            ("finish_reason", message.finish_reason),
            ("error", message.error),
        ):
            if val is not None:
                lines.append(f"{name} = {value(val)}")
        if message.usage is not None and not message.usage.is_empty():
            lines.append(f"usage = {_usage_table(message.usage)}")
        content = message.content
        text = multiline_string(content) if "\n" in content else basic_string(content)
        lines.append(f"content = {text}")
        if message.reasoning:
            thought = message.reasoning
            shown = multiline_string(thought) if "\n" in thought else basic_string(thought)
            lines.append(f"reasoning = {shown}")
        for attachment in message.attachments:
            lines += ["", "[[messages.attachments]]"]
            for name, val in (
                ("name", attachment.name),
                ("size", attachment.size),
                ("media_type", attachment.media_type),
                ("sha256", attachment.sha256),
                ("encoding", attachment.encoding),
            ):
                if val is not None:
                    lines.append(f"{name} = {value(val)}")
            if attachment.text is not None:
                body = attachment.text
                shown = multiline_string(body) if "\n" in body else basic_string(body)
                lines.append(f"text = {shown}")
    return "\n".join(lines) + "\n"


def _usage_table(usage: Usage) -> str:
    return inline_table(
        [
            ("prompt_tokens", usage.prompt_tokens),
            ("completion_tokens", usage.completion_tokens),
            ("ttft", None if usage.ttft is None else round(usage.ttft, 3)),
            (
                "tokens_per_second",
                None if usage.tokens_per_second is None else round(usage.tokens_per_second, 2),
            ),
        ]
    )


def _usage(check: _Validator, raw: Any, where: tuple) -> Usage:
    where = (*where, "usage")
    if not isinstance(raw, dict):
        raise check.fail(where, "must be a table")
    usage = Usage()
    for name in raw:
        if name not in _USAGE_INTS + _USAGE_FLOATS:
            raise check.fail((*where, name), "unknown key")
    for name in _USAGE_INTS:
        if name in raw:
            count = check.get(raw, name, (int,), where)
            if count < 0:
                raise check.fail((*where, name), "must not be negative")
            setattr(usage, name, count)
    for name in _USAGE_FLOATS:
        if name in raw:
            setattr(usage, name, float(check.get(raw, name, (int, float), where)))
    return usage


class _Validator:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, keypath: tuple[str | int, ...], message: str) -> ConversationFileError:
        line = find_key_line(self.text, keypath)
        name = ".".join(f"[{p}]" if isinstance(p, int) else p for p in keypath).replace(".[", "[")
        return ConversationFileError(self.path, message, line=line, key=name or None)

    def get(
        self, doc: dict[str, Any], name: str, kinds: tuple[type, ...], where: tuple = ()
    ) -> Any:
        val = doc[name]
        if (isinstance(val, bool) and bool not in kinds) or not isinstance(val, kinds):
            wanted = " or ".join(k.__name__.replace("str", "string") for k in kinds)
            raise self.fail((*where, name), f"must be {wanted}, not {type(val).__name__}")
        return val

    def time(self, doc: dict[str, Any], name: str, where: tuple = ()) -> datetime:
        val = doc[name]
        if not isinstance(val, datetime):
            raise self.fail((*where, name), f"must be a date-time, not {type(val).__name__}")
        return val if val.tzinfo is not None else val.replace(tzinfo=UTC)


def _fallback_id(index: int, message: dict[str, Any]) -> str:
    """A stable id for a hand-written message without one, so that two
    instances loading the same file agree on it."""
    seed = f"{index}\0{message.get('role')}\0{message.get('time')}\0{message.get('content')}"
    return hashlib.sha256(seed.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _attachments(check: _Validator, raw: Any, where: tuple) -> list[Attachment]:
    """The ``[[messages.attachments]]`` of one message, validated."""
    where = (*where, "attachments")
    if not isinstance(raw, list):
        raise check.fail(where, "must be an array of tables ([[messages.attachments]])")
    found: list[Attachment] = []
    for index, item in enumerate(raw):
        at = (*where, index)
        if not isinstance(item, dict):
            raise check.fail(at, "must be a table")
        for name in item:
            if name not in _ATTACHMENT_KEYS:
                raise check.fail((*at, name), "unknown key")
        for name in ("name", "size", "media_type", "sha256"):
            if name not in item:
                raise check.fail(at, f"missing {name!r}")
        size = check.get(item, "size", (int,), at)
        if size < 0:
            raise check.fail((*at, "size"), "must not be negative")
        sha = check.get(item, "sha256", (str,), at)
        if not _SHA256.match(sha):
            raise check.fail((*at, "sha256"), "must be 64 lower-case hex digits")
        found.append(
            Attachment(
                name=check.get(item, "name", (str,), at),
                size=size,
                media_type=check.get(item, "media_type", (str,), at),
                sha256=sha,
                text=check.get(item, "text", (str,), at) if "text" in item else None,
                encoding=check.get(item, "encoding", (str,), at) if "encoding" in item else None,
            )
        )
    return found


def from_document(doc: dict[str, Any], path: Path, text: str = "") -> Conversation:
    """Validate a parsed document into a Conversation (raises ConversationFileError)."""
    check = _Validator(path, text)
    for name in doc:
        if name not in _TOP_KEYS:
            raise check.fail((name,), "unknown key")
    if "schema_version" not in doc:
        raise ConversationFileError(path, "missing schema_version: not a conversation file")
    version = check.get(doc, "schema_version", (int,))
    if version > SCHEMA_VERSION:
        raise check.fail(("schema_version",), f"written by a newer aichat-tui (version {version})")
    conv = Conversation(id=path.stem)
    for name in ("title", "system_prompt"):
        if name in doc:
            setattr(conv, name, check.get(doc, name, (str,)))
    for name in ("profile", "model"):
        if name in doc:
            setattr(conv, name, check.get(doc, name, (str,)))
    for name in ("temperature", "top_p"):
        if name in doc:
            setattr(conv, name, float(check.get(doc, name, (int, float))))
    if "max_tokens" in doc:
        conv.max_tokens = check.get(doc, "max_tokens", (int,))
        if conv.max_tokens < 1:
            raise check.fail(("max_tokens",), "must be at least 1")
    for name in ("created", "updated"):
        if name in doc:
            setattr(conv, name, check.time(doc, name))
    if "message_count" in doc:
        check.get(doc, "message_count", (int,))
    if "id" in doc:
        check.get(doc, "id", (str,))  # the file name is the id; this one is informative
    raw_messages = doc.get("messages", [])
    if not isinstance(raw_messages, list):
        raise check.fail(("messages",), "must be an array of tables ([[messages]])")
    leaf = check.get(doc, "active_leaf", (str,)) if "active_leaf" in doc else None
    # A tree names parents; a file without any is one linear branch in file order.
    tree = leaf is not None or any(isinstance(r, dict) and "parent" in r for r in raw_messages)
    found: list[Message] = []
    previous: str | None = None
    seen: set[str] = set()
    for index, raw in enumerate(raw_messages):
        where: tuple[str | int, ...] = ("messages", index)
        if not isinstance(raw, dict):
            raise check.fail(where, "must be a table")
        for name in raw:
            if name not in _MESSAGE_KEYS:
                raise check.fail((*where, name), "unknown key")
        for name in ("role", "content"):
            if name not in raw:
                raise check.fail(where, f"missing {name!r}")
        role = check.get(raw, "role", (str,), where)
        if role not in ROLES:
            raise check.fail((*where, "role"), f"must be one of {', '.join(ROLES)}")
        content = check.get(raw, "content", (str,), where)
        when = check.time(raw, "time", where) if "time" in raw else conv.created
        status = None
        if "status" in raw:
            status = check.get(raw, "status", (str,), where)
            if status not in MESSAGE_STATUSES:
                raise check.fail(
                    (*where, "status"), f"must be one of {', '.join(MESSAGE_STATUSES)}"
                )
        error = check.get(raw, "error", (str,), where) if "error" in raw else None
        if "id" in raw:
            message_id = check.get(raw, "id", (str,), where)
        else:
            message_id = _fallback_id(index, raw)
        # Built once with every field: the defaults (a fresh uuid4 and the current
        # time) cost ~25 ms per 2,000 messages when computed only to be replaced.
        if tree:
            parent = check.get(raw, "parent", (str,), where) if "parent" in raw else None
        else:
            parent = previous
        message = Message(
            role=role,
            content=content,
            time=when,
            status=status,
            error=error,
            id=message_id,
            parent=parent,
        )
        if "attachments" in raw:
            message.attachments = _attachments(check, raw["attachments"], where)
        if "reasoning" in raw:
            message.reasoning = check.get(raw, "reasoning", (str,), where)
        if "finish_reason" in raw:
            ending = check.get(raw, "finish_reason", (str,), where)
            if ending not in ENDINGS:
                raise check.fail((*where, "finish_reason"), f"must be one of {', '.join(ENDINGS)}")
            message.finish_reason = ending
        if "usage" in raw:
            message.usage = _usage(check, raw["usage"], where)
        if message.id in seen:
            raise check.fail((*where, "id"), "the same message id appears twice")
        seen.add(message.id)
        found.append(message)
        previous = message.id
    if not tree:
        conv.messages = found
        return conv
    conv.off_path = found
    branches.activate(conv, leaf)
    return conv


def loads(data: bytes, path: Path) -> Conversation:
    """Parse and validate a conversation file's bytes (raises ConversationFileError
    naming the file and line)."""
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        line = decode_error_line(data, exc)
        raise ConversationFileError(path, "is not valid UTF-8 text", line=line) from exc
    if not text.strip():
        raise ConversationFileError(path, "the file is empty")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, col = toml_error_position(exc)
        message = toml_error_message(exc) + (f" (column {col})" if col else "")
        raise ConversationFileError(path, message, line=line) from exc
    except RecursionError as exc:  # tomllib recurses once per nesting level
        raise ConversationFileError(path, "invalid TOML: nested too deeply") from exc
    conv = from_document(doc, path, text)
    declared = doc.get("message_count")
    if isinstance(declared, int) and declared > len(conv.messages):
        raise TruncatedFile(
            path,
            f"cut short: its header says {declared} messages, {len(conv.messages)} are there",
            conv,
            declared,
        )
    return conv


def count_message_tables(data: bytes) -> int:
    """How many ``[[messages]]`` headers the bytes hold (a quick check of the
    header's count; a line inside a multi-line string may be miscounted, which
    only costs a full parse)."""
    return len(_MESSAGE_TABLE.findall(data))


def loads_header(data: bytes, path: Path) -> tuple[Conversation, int] | None:
    """The metadata and ``message_count`` from the part of the file before the
    first ``[[messages]]``, without parsing any message; None when the file does
    not allow that (hand-edited, no count) and must be read in full."""
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        return None
    match = _FIRST_MESSAGE.search(text)
    if match is None:
        return None
    try:
        doc = tomllib.loads(text[: match.start()])
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    count = doc.get("message_count")
    if "messages" in doc or not isinstance(count, int) or isinstance(count, bool) or count < 0:
        return None
    try:
        return from_document(doc, path), count
    except ConversationFileError:
        return None
