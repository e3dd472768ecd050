"""Export a conversation to Markdown or JSON, and read this tool's JSON back.

Conversations hold no secrets (profiles are referenced by name only; cookies,
keys and proxy URLs live in config.toml), and the exports are built from an
explicit list of fields, so nothing else can slip in. Every format passes its
text through :func:`export_text`: terminal control sequences, C0/C1 controls and
bidi overrides are stripped, because an export is read in terminals and editors
(a JSON file is ``cat``-ed as often as it is imported). Attachments: Markdown
lists them and includes text files as fenced blocks; JSON round-trips them, image
bytes as base64 (``data_base64``, checked against size and sha256 on import).

Branches (issue 13): Markdown holds the active path, and with ``all_branches``
every other branch after it, from where it leaves the active path. JSON holds
the whole tree: each message's ``parent`` and the ``active_leaf``; a
conversation with branches is written as version 2 (a version 1 reader would
flatten it), a linear one as version 1.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

from aichat_tui import branches
from aichat_tui.attachments.limits import human_size
from aichat_tui.attachments.wire import image_bytes, text_block
from aichat_tui.models import (
    ENDINGS,
    MESSAGE_STATUSES,
    ROLES,
    Attachment,
    Conversation,
    Message,
    Usage,
    new_id,
)
from aichat_tui.sanitize import one_line, strip_control
from aichat_tui.store.toml_codec import fix_surrogates

EXPORT_FORMAT = "aichat-tui.conversation"
EXPORT_VERSION = 2  # the newest version read; linear conversations are written as 1
_HEADINGS = {"user": "User", "assistant": "Assistant", "system": "System"}
_ENDING_NOTES = {
    "length": "*(truncated: the reply reached max_tokens)*",
    "content_filter": "*(stopped by the server's content filter)*",
    "tool_calls": "*(the model asked for a tool call, which aichat-tui does not run)*",
}
_STATUS_NOTES = {
    "interrupted": "*(reply interrupted: it may be incomplete)*",
    "error": "*(reply failed)*",
}


def export_text(text: str) -> str:
    """Text as every export format writes it: lone surrogates replaced, control
    sequences and characters (C0 but TAB/LF, C1 such as U+009B, bidi overrides
    such as U+202E) removed, CR LF made LF."""
    return strip_control(fix_surrogates(text))


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _message_md(message: Message, heading: str = "##") -> list[str]:
    lines = [f"{heading} {_HEADINGS.get(message.role, message.role)}", ""]
    if message.reasoning:
        lines += _markdown_reasoning(message.reasoning)
    lines.append(export_text(message.content))
    if message.attachments:
        lines += ["", *_markdown_attachments(message.attachments)]
    note = _STATUS_NOTES.get(message.status or "")
    if message.status == "error" and message.error:
        note = f"*(reply failed: {one_line(message.error, 300)})*"
    ending = _ENDING_NOTES.get(message.finish_reason or "")
    if ending and message.status != "error":
        note = f"{note} {ending}" if note else ending
    if note:
        lines += ["", note]
    if message.usage is not None and not message.usage.is_empty():
        lines += ["", f"<sub>{message.usage.summary()}</sub>"]
    lines.append("")
    return lines


def _other_branches_md(conv: Conversation) -> list[str]:
    """Each branch but the active one, from where it leaves the active path."""
    tips = branches.leaves(conv)
    active = conv.messages[-1].id if conv.messages else None
    lines: list[str] = []
    for number, tip in enumerate(tips, start=1):
        if tip.id == active:
            continue
        path = branches.path_to(conv, tip.id)
        fork = branches.fork_index(conv.messages, path)
        where = f"after message {fork}" if fork else "from the start"
        lines += [f"## Branch {number} of {len(tips)} ({where})", ""]
        for message in path[fork:]:
            lines += _message_md(message, "###")
    return lines


def to_markdown(conv: Conversation, *, all_branches: bool = False) -> str:
    """A readable Markdown transcript: title, metadata, one section per message
    of the active path; ``all_branches`` adds every other branch after it."""
    lines = [f"# {one_line(conv.title, 200) or 'Untitled'}", ""]
    meta = [f"- Created: {_when(conv.created)}", f"- Updated: {_when(conv.updated)}"]
    if conv.model:
        meta.append(f"- Model: {one_line(conv.model, 200)}")
    if conv.temperature is not None:
        meta.append(f"- Temperature: {conv.temperature:g}")
    if conv.top_p is not None:
        meta.append(f"- Top-p: {conv.top_p:g}")
    lines += [*meta, ""]
    if conv.system_prompt:
        lines += ["## System prompt", "", export_text(conv.system_prompt), ""]
    for message in conv.messages:
        lines += _message_md(message)
    if all_branches and conv.off_path:
        count = branches.branch_count(conv)
        lines += [f"# Other branches ({count - 1})", ""]
        lines += _other_branches_md(conv)
    return "\n".join(lines).rstrip("\n") + "\n"


def _markdown_reasoning(reasoning: str) -> list[str]:
    """The thinking as a folded section (GitHub and most viewers fold ``<details>``)."""
    text = export_text(reasoning).strip("\n")
    # A "</details>" inside the thinking would close the section early.
    text = text.replace("</details>", "&lt;/details>")
    return ["<details>", "<summary>Thinking</summary>", "", text, "", "</details>", ""]


def _markdown_attachments(attachments: list[Attachment]) -> list[str]:
    """The list of attached files, then each text file as a fenced block."""
    lines = ["Attached files:"]
    for a in attachments:
        lines.append(
            f"- {one_line(a.name, 200)} ({human_size(a.size)}, {one_line(a.media_type, 80)})"
        )
    for a in attachments:
        if a.text is not None:
            shown = dataclasses.replace(a, name=one_line(a.name, 200), text=export_text(a.text))
            lines += ["", text_block(shown)]
    return lines


def _attachment_json(a: Attachment) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": export_text(a.name),
        "size": a.size,
        "media_type": export_text(a.media_type),
        "sha256": a.sha256,
    }
    if a.encoding is not None:
        body["encoding"] = a.encoding
    if a.text is not None:
        body["text"] = export_text(a.text)
    if a.is_image:
        data = image_bytes(a)
        if data is not None:  # else the export records the image without its bytes
            body["data_base64"] = base64.b64encode(data).decode("ascii")
    return body


def _attachment_from_json(item: Any, where: str) -> Attachment:
    if not isinstance(item, dict):
        raise ValueError(f"{where}: must be an object")
    size = item.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ValueError(f"{where}.size: must be a whole number of bytes")
    sha = _str(item, "sha256", f"{where}.")
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise ValueError(f"{where}.sha256: must be 64 lower-case hex digits")
    attachment = Attachment(
        name=_str(item, "name", f"{where}."),
        size=size,
        media_type=_str(item, "media_type", f"{where}."),
        sha256=sha,
    )
    if item.get("encoding") is not None:
        attachment.encoding = _str(item, "encoding", f"{where}.")
    if item.get("text") is not None:
        attachment.text = _str(item, "text", f"{where}.")
    if item.get("data_base64") is not None:
        try:
            data = base64.b64decode(_str(item, "data_base64", f"{where}."), validate=True)
        except binascii.Error:
            raise ValueError(f"{where}.data_base64: not valid base64") from None
        if len(data) != size or hashlib.sha256(data).hexdigest() != sha:
            raise ValueError(f"{where}.data_base64: does not match its size and sha256")
        attachment.data = data
    return attachment


def _message_json(message: Message, tree: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": message.id,
        "role": message.role,
        "content": export_text(message.content),
        "time": message.time.isoformat(),
    }
    if message.status is not None:
        body["status"] = message.status
    if message.error is not None:
        body["error"] = export_text(message.error)
    if message.attachments:
        body["attachments"] = [_attachment_json(a) for a in message.attachments]
    if tree:
        body["parent"] = message.parent
    if message.reasoning:
        body["reasoning"] = export_text(message.reasoning)
    if message.finish_reason is not None:
        body["finish_reason"] = message.finish_reason
    if message.usage is not None and not message.usage.is_empty():
        body["usage"] = {k: v for k, v in vars(message.usage).items() if v is not None}
    return body


def to_json(conv: Conversation) -> str:
    """The conversation as JSON (``format``, ``version``, metadata, ``messages``:
    the active path first, then the other branches; see the module docstring)."""
    branches.normalize(conv)
    tree = bool(conv.off_path)
    body: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION if tree else 1,
        "id": conv.id,
        "title": export_text(conv.title),
        "created": conv.created.isoformat(),
        "updated": conv.updated.isoformat(),
        "model": None if conv.model is None else export_text(conv.model),
        "temperature": conv.temperature,
        "top_p": conv.top_p,
        "system_prompt": export_text(conv.system_prompt),
        "messages": [_message_json(m, tree) for m in branches.all_messages(conv)],
    }
    if tree and conv.messages:
        body["active_leaf"] = conv.messages[-1].id
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def _time(raw: Any, name: str) -> datetime:
    if not isinstance(raw, str):
        raise ValueError(f"{name}: must be an ISO 8601 date-time string")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(f"{name}: not an ISO 8601 date-time: {raw[:40]!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _str(raw: dict[str, Any], name: str, where: str, default: str | None = None) -> str:
    val = raw.get(name, default)
    if not isinstance(val, str):
        raise ValueError(f"{where}{name}: must be a string")
    return val


def _usage_from_json(raw: Any, where: str) -> Usage:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: must be an object")
    usage = Usage()
    for name in ("prompt_tokens", "completion_tokens"):
        val = raw.get(name)
        if val is not None:
            if isinstance(val, bool) or not isinstance(val, int) or val < 0:
                raise ValueError(f"{where}.{name}: must be a whole number")
            setattr(usage, name, val)
    for name in ("ttft", "tokens_per_second"):
        val = raw.get(name)
        if val is not None:
            if isinstance(val, bool) or not isinstance(val, int | float):
                raise ValueError(f"{where}.{name}: must be a number")
            setattr(usage, name, float(val))
    return usage


def from_json(text: str) -> Conversation:
    """Read :func:`to_json` output back (raises ValueError naming the bad field).

    The conversation keeps its id; the caller gives it a new one if that id exists.
    """
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from exc
    if not isinstance(raw, dict) or raw.get("format") != EXPORT_FORMAT:
        raise ValueError(
            f"not an aichat-tui conversation export (format must be {EXPORT_FORMAT!r})"
        )
    if not isinstance(raw.get("version"), int) or raw["version"] > EXPORT_VERSION:
        raise ValueError("unsupported export version")
    conv = Conversation(
        id=_str(raw, "id", "", new_id()),
        title=_str(raw, "title", "", "Imported chat"),
        system_prompt=_str(raw, "system_prompt", "", ""),
    )
    conv.created = _time(raw.get("created"), "created")
    conv.updated = _time(raw.get("updated"), "updated")
    if raw.get("model") is not None:
        conv.model = _str(raw, "model", "")
    for name in ("temperature", "top_p"):
        val = raw.get(name)
        if val is not None:
            if isinstance(val, bool) or not isinstance(val, int | float):
                raise ValueError(f"{name}: must be a number")
            setattr(conv, name, float(val))
    messages = raw.get("messages", [])
    if not isinstance(messages, list):
        raise ValueError("messages: must be an array")
    leaf = raw.get("active_leaf")
    if leaf is not None and not isinstance(leaf, str):
        raise ValueError("active_leaf: must be a string")
    tree = leaf is not None or any(isinstance(m, dict) and "parent" in m for m in messages)
    found: list[Message] = []
    for i, item in enumerate(messages):
        where = f"messages[{i}]."
        if not isinstance(item, dict):
            raise ValueError(f"messages[{i}]: must be an object")
        role = _str(item, "role", where)
        if role not in ROLES:
            raise ValueError(f"{where}role: must be one of {', '.join(ROLES)}")
        message = Message(role=role, content=_str(item, "content", where))  # type: ignore[arg-type]
        message.id = _str(item, "id", where, new_id())
        message.time = _time(item.get("time"), f"{where}time")
        status = item.get("status")
        if status is not None:
            if status not in MESSAGE_STATUSES:
                raise ValueError(f"{where}status: must be one of {', '.join(MESSAGE_STATUSES)}")
            message.status = status
        if item.get("error") is not None:
            message.error = _str(item, "error", where)
        if item.get("reasoning") is not None:
            message.reasoning = _str(item, "reasoning", where)
        ending = item.get("finish_reason")
        if ending is not None:
            if ending not in ENDINGS:
                raise ValueError(f"{where}finish_reason: must be one of {', '.join(ENDINGS)}")
            message.finish_reason = ending
        if item.get("usage") is not None:
            message.usage = _usage_from_json(item["usage"], f"{where}usage")
        attachments = item.get("attachments")
        if attachments is not None:
            if not isinstance(attachments, list):
                raise ValueError(f"{where}attachments: must be an array")
            message.attachments = [
                _attachment_from_json(a, f"{where}attachments[{j}]")
                for j, a in enumerate(attachments)
            ]
        if tree and item.get("parent") is not None:
            message.parent = _str(item, "parent", where)
        found.append(message)
    if len({m.id for m in found}) != len(found):
        raise ValueError("messages: the same id appears twice")
    if not tree:
        conv.messages = found
        branches.link(conv)
        return conv
    conv.off_path = found
    branches.activate(conv, leaf)
    return conv
