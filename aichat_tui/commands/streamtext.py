"""Make a streamed reply safe for a terminal chunk by chunk.

``strip_control`` works on whole strings; a stream can split an escape sequence
(or a CR LF pair) across two chunks, and stripping each chunk alone would let the
tail of a sequence through as text or turn CR LF into two line breaks. The
sanitizer holds back an unfinished sequence until it is complete.
"""

from __future__ import annotations

import re

from aichat_tui.sanitize import _ESCAPES, strip_control

# A sequence that can still grow: no final byte or string terminator yet. The last
# token strip_control's tokeniser finds at the end of the buffer is held back if it
# is one of these.
_OPEN = re.compile(
    r"""
    \x1b[ -/]*
  | (?:\x1b\[|\x9b)[0-?]*[ -/]*
  | (?:\x1b\]|\x9d)[^\x07\x1b\x9c]*
  | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*
    """,
    re.VERBOSE,
)
_INTRODUCERS = frozenset("\x1b\x90\x98\x9b\x9d\x9e\x9f")
# An unterminated string sequence longer than this is dropped rather than held.
MAX_HELD = 64 * 1024


class StreamSanitizer:
    """Feed raw chunks, get control-free text; ``flush()`` at the end of the stream."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, chunk: str) -> str:
        """Return the safe text that can be shown now."""
        text = self._held + chunk
        self._held = ""
        cut = self._open_tail(text)
        if cut is not None and len(text) - cut <= MAX_HELD:
            text, self._held = text[:cut], text[cut:]
        elif text.endswith("\r"):
            # CR may be the first half of CR LF: decide when the next chunk comes.
            text, self._held = text[:-1], "\r"
        return strip_control(text)

    def flush(self) -> str:
        """Return whatever was held back, sanitized."""
        text, self._held = self._held, ""
        return strip_control(text)

    @staticmethod
    def _open_tail(text: str) -> int | None:
        """Start of an escape sequence that reaches the end of ``text`` unfinished."""
        start = max(0, len(text) - MAX_HELD - 1)
        if not any(ch in _INTRODUCERS for ch in text[start:]):
            return None
        last = None
        for match in _ESCAPES.finditer(text, start):
            last = match
        if last is None or last.end() != len(text):
            return None
        return last.start() if _OPEN.fullmatch(last.group()) else None
