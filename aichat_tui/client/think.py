"""Split ``<think>...</think>`` out of answer text as it streams.

Many models (and llama.cpp with ``--reasoning-format none``) put their
thinking inside ``content``, opened by ``<think>`` at the very start of the
reply. The tags may be split across chunks and the block may never close
(the model ran out of tokens while thinking). Only a block that opens the
reply counts: a ``<think>`` in the middle of an answer is text.
"""

from __future__ import annotations

__all__ = ["ThinkSplitter"]

OPEN = "<think>"
CLOSE = "</think>"


def _held_suffix(text: str, tag: str) -> int:
    """Length of the longest end of ``text`` that could begin ``tag``."""
    for size in range(min(len(text), len(tag) - 1), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


class ThinkSplitter:
    """``push(text) -> [(kind, text)]`` with kind ``"text"`` or ``"reasoning"``."""

    def __init__(self) -> None:
        self._state = "start"  # start | thinking | answer
        self._buf = ""
        self._strip_next = False  # drop the blank lines right after </think>

    def push(self, text: str) -> list[tuple[str, str]]:
        """The pieces that are certain now (a possible partial tag is held)."""
        if self._state == "answer":
            return self._answer(text)
        self._buf += text
        if self._state == "start":
            head = self._buf.lstrip()
            if not head:
                return []
            if head.startswith(OPEN):
                self._state = "thinking"
                self._buf = head[len(OPEN) :]
            elif OPEN.startswith(head):
                return []  # "<thi": wait for more
            else:
                self._state = "answer"
                text, self._buf = self._buf, ""
                return self._answer(text)
        return self._thinking()

    def _thinking(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        at = self._buf.find(CLOSE)
        if at >= 0:
            before, after = self._buf[:at], self._buf[at + len(CLOSE) :]
            self._buf = ""
            self._state = "answer"
            self._strip_next = True
            if before:
                out.append(("reasoning", before))
            out.extend(self._answer(after))
            return out
        keep = _held_suffix(self._buf, CLOSE)
        ready = self._buf[: len(self._buf) - keep]
        self._buf = self._buf[len(self._buf) - keep :]
        return [("reasoning", ready)] if ready else []

    def _answer(self, text: str) -> list[tuple[str, str]]:
        if self._strip_next:
            text = text.lstrip()
            if not text:
                return []
            self._strip_next = False
        return [("text", text)] if text else []

    def flush(self) -> list[tuple[str, str]]:
        """The end of the reply: whatever is held (an unclosed block is reasoning)."""
        held, self._buf = self._buf, ""
        if not held:
            return []
        if self._state == "thinking":
            return [("reasoning", held)]
        return [("text", held)]
