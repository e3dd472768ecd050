"""What a backend receives for messages with attachments.

Text files are inlined after the message text, each as a block headed by its
name (``File: notes.txt``) and fenced with more backticks than any run inside
it. A message with images becomes a list of OpenAI content parts: one ``text``
part, then one ``image_url`` part per image holding a ``data:`` URL.

Images of earlier messages are sent again while they fit: walking from the
newest message back, images are included until the next one would take the
request past ``resend_bytes`` or ``resend_images``; that one and every older
image are replaced by a one-line note in the text, so the model knows an image
was there. The newest message's own images count first (and always fit: one
message never holds more than a request may resend).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
from collections.abc import Sequence
from typing import Any

from aichat_tui.attachments.limits import DEFAULT_LIMITS, AttachmentLimits, human_size
from aichat_tui.models import Attachment, Message

__all__ = [
    "conversation_wire",
    "fence",
    "has_images",
    "image_bytes",
    "message_wire",
    "text_block",
]

_BACKTICKS = re.compile(r"`+")
_LANGUAGE = re.compile(r"^[A-Za-z0-9+#-]{1,12}$")


def fence(text: str) -> str:
    """A backtick fence longer than any backtick run in ``text`` (at least 3)."""
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(text)), default=0)
    return "`" * max(3, longest + 1)


def text_block(attachment: Attachment) -> str:
    """A text file as the model sees it: a ``File: name`` line and a fenced block
    (the info string is the file's extension, when it looks like a language)."""
    text = attachment.text or ""
    marks = fence(text)
    suffix = attachment.name.rpartition(".")[2] if "." in attachment.name else ""
    info = suffix.lower() if _LANGUAGE.match(suffix) else ""
    body = text if text.endswith("\n") else text + "\n"
    return f"File: {attachment.name}\n{marks}{info}\n{body}{marks}"


def image_bytes(attachment: Attachment) -> bytes | None:
    """An image's bytes: in memory, else from its stored file (None when the
    file is missing, unreadable or no longer matches its sha256)."""
    if attachment.data is not None:
        return attachment.data
    if not attachment.path:
        return None
    data = _read_regular(attachment.path, attachment.size)
    if data is None:
        return None
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        return None
    return data


def _read_regular(path: str, size: int) -> bytes | None:
    """Up to ``size + 1`` bytes of a regular file; None for anything else or on
    failure (O_NONBLOCK: a FIFO put in its place must not block the app)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read(size + 1)
    except OSError:
        return None


def has_images(messages: Sequence[dict[str, Any]]) -> bool:
    """Whether any wire message carries an ``image_url`` part."""
    for message in messages:
        content = message.get("content")
        if isinstance(content, list) and any(
            isinstance(p, dict) and p.get("type") == "image_url" for p in content
        ):
            return True
    return False


def _note(attachment: Attachment, why: str) -> str:
    return f"[image {attachment.name} ({human_size(attachment.size)}) {why}]"


def message_wire(message: Message, *, send_images: bool | set[int] = True) -> dict[str, Any]:
    """One message for the wire. ``send_images``: True (all), False (none) or
    the set of ``id()`` of the image attachments to include."""
    texts = [message.content] if message.content else []
    parts: list[dict[str, Any]] = []
    for attachment in message.attachments:
        if not attachment.is_image:
            texts.append(text_block(attachment))
            continue
        wanted = send_images if isinstance(send_images, bool) else id(attachment) in send_images
        if not wanted:
            texts.append(_note(attachment, "was attached here; not sent again"))
            continue
        data = image_bytes(attachment)
        if data is None:
            texts.append(_note(attachment, "could not be sent: its stored copy is missing"))
            continue
        url = f"data:{attachment.media_type};base64,{base64.b64encode(data).decode('ascii')}"
        parts.append({"type": "image_url", "image_url": {"url": url}})
    text = "\n\n".join(texts)
    if not parts:
        return {"role": message.role, "content": text}
    head = [{"type": "text", "text": text}] if text else []
    return {"role": message.role, "content": head + parts}


def conversation_wire(
    messages: Sequence[Message], limits: AttachmentLimits = DEFAULT_LIMITS
) -> list[dict[str, Any]]:
    """Wire messages for ``messages`` (already filtered), applying the resend
    rule of the module docstring."""
    chosen: set[int] = set()
    used_bytes = used_count = 0
    full = False
    for message in reversed(messages):
        for attachment in message.attachments:
            if not attachment.is_image or full:
                continue
            if (
                used_count + 1 > limits.resend_images
                or used_bytes + attachment.size > limits.resend_bytes
            ) and message is not messages[-1]:
                full = True
                continue
            chosen.add(id(attachment))
            used_bytes += attachment.size
            used_count += 1
    return [message_wire(m, send_images=chosen) for m in messages]
