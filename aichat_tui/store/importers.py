"""Import conversations from a ChatGPT data export and from this tool's own JSON.

ChatGPT (Settings → Data controls → Export) produces ``conversations.json`` (inside a
zip): a list of conversations, each a ``mapping`` tree of message nodes where every
edit or regeneration starts a branch. Every branch is kept (issue 13); the one the
user last saw, the chain of ``parent`` links from ``current_node`` up to the root,
is the active one. System, tool and hidden messages, messages addressed to a
tool, and non-text parts (images, code run, browsing results, reasoning
summaries) are skipped: a kept message's parent is its nearest kept ancestor.

Imports are idempotent: ids are derived from ChatGPT's conversation and message ids
(uuid5), own exports keep theirs, and :func:`merge_into_store` only adds what a
stored conversation lacks.
"""

from __future__ import annotations

import json
import os
import stat
import struct
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from aichat_tui import branches
from aichat_tui.models import Conversation, Message, utcnow
from aichat_tui.sanitize import one_line
from aichat_tui.store.json_stream import JsonLimitError, iter_items, read_capped

# Fixed namespace: the same ChatGPT id always maps to the same local id.
CHATGPT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "aichat-tui:import:chatgpt")
TEXT_TYPES = ("text", "multimodal_text")

# Import limits: a real export is far below each; a hostile file stops at the first.
MAX_IMPORT_BYTES = 512 * 2**20  # uncompressed conversations.json
MAX_ZIP_ENTRIES = 100_000  # files in the zip (a ChatGPT export holds a few hundred)
MAX_CONVERSATIONS = 100_000
MAX_CONVERSATION_CHARS = 48 * 2**20  # one conversation's JSON: held whole while parsed
MAX_DEPTH = 100  # JSON nesting; ChatGPT's deepest metadata is ~15 levels


class ImportFormatError(ValueError):
    """The file is not a ChatGPT export or this tool's JSON export."""


@dataclass
class ImportReport:
    """What an import did; ``notes`` are one-line remarks for the user."""

    imported: int = 0
    updated: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)


def local_id(chatgpt_id: str, message_id: str | None = None) -> str:
    """Our stable id for a ChatGPT conversation (or one of its messages)."""
    key = f"{chatgpt_id}/{message_id}" if message_id is not None else chatgpt_id
    return uuid.uuid5(CHATGPT_NAMESPACE, key).hex


def _time(value: Any) -> datetime | None:
    """ChatGPT times are epoch seconds (floats); some tools write ISO strings."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float):
            when = datetime.fromtimestamp(float(value), UTC)
        elif isinstance(value, str):
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
        else:
            return None
    except (ValueError, OverflowError, OSError):
        return None
    return when.replace(microsecond=(when.microsecond // 1000) * 1000)


def _walk(mapping: dict[str, Any], current: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every node, parents before children, siblings in ChatGPT's order (a
    regeneration is appended as the last child). Nodes on a cycle of parent links
    (a damaged file) are reached from the top of the chain above ``current``."""
    roots = [
        k for k, n in mapping.items() if not isinstance(n, dict) or n.get("parent") not in mapping
    ]
    out: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    while True:
        stack = list(reversed(roots))
        while stack:
            node_id = stack.pop()
            node = mapping.get(node_id)
            if node_id in seen or not isinstance(node, dict):
                continue
            seen.add(node_id)
            out.append((node_id, node))
            kids = [c for c in (node.get("children") or []) if isinstance(c, str) and c in mapping]
            stack.extend(reversed(kids))
        left = [k for k, n in mapping.items() if k not in seen and isinstance(n, dict)]
        if not left:
            return out
        top = current if isinstance(current, str) and current in left else left[0]
        chain: set[str] = set()
        while top not in chain:
            chain.add(top)
            parent = mapping[top].get("parent")
            if not isinstance(parent, str) or parent in chain or parent in seen:
                break
            if not isinstance(mapping.get(parent), dict):
                break
            top = parent
        roots = [top]


def _visible_text(msg: dict[str, Any]) -> str | None:
    """The text of a message a user saw in the chat, or None to skip it."""
    role = (msg.get("author") or {}).get("role")
    if role not in ("user", "assistant"):
        return None
    if msg.get("recipient") not in (None, "all"):
        return None  # addressed to a tool (code interpreter, browsing, ...)
    meta = msg.get("metadata") or {}
    if meta.get("is_visually_hidden_from_conversation") or msg.get("weight") == 0:
        return None
    content = msg.get("content") or {}
    # Older exports (and some tools) leave out content_type: string parts are text.
    if content.get("content_type", "text") not in TEXT_TYPES:
        return None
    parts = [p for p in content.get("parts") or [] if isinstance(p, str) and p.strip()]
    text = "\n\n".join(parts)
    return text if text.strip() else None


def chatgpt_conversation(raw: dict[str, Any]) -> Conversation:
    """One ChatGPT conversation, every branch of it, as a Conversation."""
    source_id = raw.get("conversation_id") or raw.get("id")
    if not isinstance(source_id, str) or not source_id:
        source_id = f"{raw.get('title')}|{raw.get('create_time')}"
    mapping = raw.get("mapping")
    if not isinstance(mapping, dict):
        raise ImportFormatError(f"conversation {source_id!r} has no message tree")
    created = _time(raw.get("create_time")) or utcnow()
    # node id -> the kept message standing for it (its own, or its nearest kept
    # ancestor's); nodes whose text is skipped point at their ancestor's.
    standing: dict[str, Message | None] = {}
    kept: list[Message] = []
    nodes = _walk(mapping, raw.get("current_node"))
    texts = {
        node_id: _visible_text(node["message"]) if isinstance(node.get("message"), dict) else None
        for node_id, node in nodes
    }
    # the nearest visible ancestor node of each node, and how many visible
    # nodes hang below each visible one (a reply continued around a tool call
    # is folded into its first part only when it is the only way on)
    shown_above: dict[str, str | None] = {}
    visible_kids: dict[str, int] = {}
    for node_id, node in nodes:
        parent = node.get("parent")
        up = None
        if isinstance(parent, str) and parent in shown_above:
            up = parent if texts.get(parent) is not None else shown_above[parent]
        shown_above[node_id] = up
        if texts[node_id] is not None and up is not None:
            visible_kids[up] = visible_kids.get(up, 0) + 1
    for node_id, node in nodes:
        msg = node.get("message")
        above = _above(standing, node)
        text = texts[node_id]
        if text is None or not isinstance(msg, dict):
            standing[node_id] = above
            continue
        role = msg["author"]["role"]
        if (
            above is not None
            and role == "assistant"
            and above.role == "assistant"
            and visible_kids.get(shown_above[node_id] or "", 0) == 1
        ):
            # One reply split around tool calls reads as one message.
            above.content += "\n\n" + text
            standing[node_id] = above
            continue
        message = Message(
            role=role,
            content=text,
            time=_time(msg.get("create_time")) or created,
            status="complete" if role == "assistant" else None,
            id=local_id(source_id, str(msg.get("id") or node.get("id"))),
            parent=above.id if above is not None else None,
        )
        standing[node_id] = message
        kept.append(message)
    title = raw.get("title") if isinstance(raw.get("title"), str) else ""
    conv = Conversation(id=local_id(source_id), title=title.strip() or "Imported chat")
    conv.created = created
    conv.off_path = kept
    current = raw.get("current_node")
    leaf = standing.get(current) if isinstance(current, str) else None
    branches.activate(conv, leaf.id if leaf is not None else None)
    last = max((m.time for m in kept), default=created)
    updated = _time(raw.get("update_time")) or last
    conv.updated = max(updated, created)
    return conv


def _above(standing: dict[str, Message | None], node: dict[str, Any]) -> Message | None:
    """The kept message standing for a node's parent (None: a root)."""
    parent = node.get("parent")
    return standing.get(parent) if isinstance(parent, str) else None


def _limit() -> str:
    return f"{MAX_IMPORT_BYTES / 2**20:g} MiB"


def _is_chatgpt_item(item: Any) -> bool:
    return isinstance(item, dict) and "mapping" in item


def _is_own_item(item: Any) -> bool:
    return isinstance(item, dict) and "messages" in item


def _neither(source: str) -> ImportFormatError:
    return ImportFormatError(
        f"{source} is neither a ChatGPT export (conversations.json) nor an aichat-tui JSON export"
    )


def convert_items(items: Iterable[Any], source: str = "input") -> tuple[str, list[Conversation]]:
    """(format name, conversations) from the top-level items of an import file,
    converted one at a time (the raw item is dropped once converted)."""
    from aichat_tui.store.export import from_json

    kind = "empty"
    conversations: list[Conversation] = []
    for item in items:
        if kind == "empty":
            if _is_chatgpt_item(item):
                kind = "ChatGPT export"
            elif _is_own_item(item):
                kind = "aichat-tui export"
            else:
                raise _neither(source)
        if kind == "ChatGPT export":
            if not _is_chatgpt_item(item):
                raise _neither(source)
            conversations.append(chatgpt_conversation(item))
            continue
        if not _is_own_item(item):
            raise _neither(source)
        try:
            conversations.append(from_json(json.dumps(item)))
        except (ValueError, KeyError, TypeError) as exc:
            raise ImportFormatError(f"{source}: {exc}") from None
    return kind, conversations


def parse_import(text: str, source: str = "input") -> tuple[str, list[Conversation]]:
    """(format name, conversations) from the text of a JSON file."""
    if len(text) > MAX_IMPORT_BYTES:
        raise ImportFormatError(f"{source} is larger than the import limit of {_limit()}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:  # json recurses once per level
        raise ImportFormatError(
            f"{source} is nested too deeply; not a conversation export"
        ) from None
    items = data if isinstance(data, list) else [data]
    if len(items) > MAX_CONVERSATIONS:
        raise ImportFormatError(
            f"{source} holds more than {MAX_CONVERSATIONS:,} conversations; the import limit"
        )
    return convert_items(items, source)


def _zip_entry_count(path: Path) -> int | None:
    """The entry count from a zip's end record, read before zipfile loads the whole
    central directory (whose size grows with the count). None if not found."""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 65_557))  # end record (22 bytes) + longest comment
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    (count,) = struct.unpack("<H", tail[at + 10 : at + 12])
    if count == 0xFFFF and at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
        (offset,) = struct.unpack("<Q", tail[at - 12 : at - 4])  # zip64 end record
        with path.open("rb") as handle:
            handle.seek(offset)
            record = handle.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) >= 40:
            (count,) = struct.unpack("<Q", record[32:40])
    return count


def _read_zip(path: Path) -> tuple[str, list[Conversation]]:
    count = _zip_entry_count(path)
    if count is not None and count > MAX_ZIP_ENTRIES:
        raise ImportFormatError(
            f"{path} holds {count:,} files; more than the import limit of {MAX_ZIP_ENTRIES:,}"
        )
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise ImportFormatError(
                f"{path} holds more than the import limit of {MAX_ZIP_ENTRIES:,} files"
            )
        found = [i for i in infos if i.filename.rsplit("/", 1)[-1] == "conversations.json"]
        if not found:
            raise ImportFormatError(f"{path} holds no conversations.json")
        info = min(found, key=lambda i: len(i.filename))
        where = f"{path}: {info.filename}"
        if info.file_size > MAX_IMPORT_BYTES:  # the declared size, checked before reading
            raise ImportFormatError(
                f"{where} is {info.file_size / 2**20:,.0f} MiB uncompressed; "
                f"the import limit is {_limit()}"
            )
        with archive.open(info) as member:
            return _read_stream(member, where)


def _read_stream(stream: BinaryIO, source: str) -> tuple[str, list[Conversation]]:
    chunks = read_capped(stream, MAX_IMPORT_BYTES, source, _limit())
    items = iter_items(
        chunks,
        source=source,
        max_depth=MAX_DEPTH,
        max_items=MAX_CONVERSATIONS,
        max_item=MAX_CONVERSATION_CHARS,
    )
    try:
        return convert_items(items, source)
    except JsonLimitError as exc:
        raise ImportFormatError(str(exc)) from None
    except zipfile.BadZipFile as exc:
        raise ImportFormatError(f"{source}: damaged zip ({exc})") from None


def read_import_file(path: Path) -> tuple[str, list[Conversation]]:
    """Parse a file: JSON, or a ChatGPT export zip holding ``conversations.json``.

    Read in chunks, one conversation at a time, within the limits above; a file
    breaking one raises ImportFormatError saying which.
    """
    # Opened once: a pipe or FIFO (`import <(…)`, /dev/stdin) can be read only once,
    # and zipfile's probe reads a device such as /dev/zero without end.
    with path.open("rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):
            if handle.peek(4)[:4] == b"PK\x03\x04":
                raise ImportFormatError(
                    f"{path} is a zip arriving through a pipe; save it to a file first"
                )
            return _read_stream(handle, str(path))
        if st.st_size > MAX_IMPORT_BYTES and not zipfile.is_zipfile(handle):
            raise ImportFormatError(
                f"{path} is {st.st_size / 2**20:,.0f} MiB; the import limit is {_limit()}"
            )
        handle.seek(0)
        if not zipfile.is_zipfile(handle):
            handle.seek(0)
            return _read_stream(handle, str(path))
    try:
        return _read_zip(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise ImportFormatError(f"{path}: damaged or unsupported zip ({exc})") from None


def merge_into_store(
    store: Any, conversations: Iterable[Conversation], trashed: Iterable[str] = ()
) -> ImportReport:
    """Save new conversations; extend stored ones that the file continues.

    A stored conversation already holding every imported message is skipped (also
    when it was continued here). One whose messages (every branch) are all in the
    imported one gets the new messages and the imported active branch (title kept,
    in case it was renamed here). One that changed both here and in the file, or
    that sits in the trash, is left alone.
    """
    report = ImportReport()
    existing = {s.id for s in store.list()}
    in_trash = set(trashed)
    for conv in conversations:
        if not conv.messages and not conv.off_path:
            report.skipped += 1
            report.notes.append(f"{one_line(conv.title, 60)!r} has no text messages")
            continue
        if conv.id in in_trash:
            report.skipped += 1
            report.notes.append(f"{conv.id[:8]} is in the trash; restore it to re-import")
            continue
        if conv.id not in existing:
            store.save(conv, touch=False)  # keep the original times
            existing.add(conv.id)
            report.imported += 1
            continue
        stored = store.load(conv.id)
        have = {m.id for m in branches.all_messages(stored)}
        incoming = {m.id for m in branches.all_messages(conv)}
        if incoming <= have:
            report.skipped += 1
        elif have <= incoming:
            stored.messages[:] = conv.messages
            stored.off_path[:] = conv.off_path
            stored.updated = max(stored.updated, conv.updated)
            store.save(stored, touch=False)
            report.updated += 1
        else:
            report.skipped += 1
            report.notes.append(f"{conv.id[:8]} changed both here and in the file; left as it is")
    return report
