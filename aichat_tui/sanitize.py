"""Make untrusted text (model output, titles, server errors) safe for a terminal.

Stored data keeps every byte; these functions are applied where text leaves the
program: widgets, stdout, exports and the clipboard. They remove escape
sequences (CSI, OSC, DCS, SOS, PM, APC and two-byte ESC forms), 8-bit C1
controls, C0 controls other than TAB and LF, DEL, and bidi override/isolate
characters that can make text display differently from what it is.
"""

from __future__ import annotations

import re

# ESC [ ... final, ESC ] ... (BEL | ST), ESC P/X/^/_ ... ST, ESC + one char;
# and the 8-bit forms: CSI (0x9b), OSC (0x9d), DCS/SOS/PM/APC (0x90/0x98/0x9e/0x9f).
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?              # CSI
  | \x9b[0-?]*[ -/]*[@-~]?                # 8-bit CSI
  | (?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC, to BEL or ST
  | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?  # DCS SOS PM APC
  | \x1b[ -/]*[0-~]?                      # other ESC sequences (and a lone ESC)
    """,
    re.VERBOSE,
)
# C0 except TAB/LF, DEL, C1, and bidi embedding/override/isolate controls.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CRLF = re.compile(r"\r\n?")


def strip_control(text: str) -> str:
    """Remove terminal control sequences and characters; keep TAB and newlines.

    CR LF and lone CR become LF so that a carriage return cannot overwrite
    what was printed before it.
    """
    if text.isprintable():
        return text
    text = _CRLF.sub("\n", text)
    text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", text)


def one_line(text: str, limit: int = 200) -> str:
    """A control-free single line (for titles, toasts, list rows), cut to ``limit``."""
    # Only the beginning can show: sanitizing all of a 5 MB prompt for a title took
    # seconds. The window is generous, as escape sequences and spaces shrink it.
    flat = " ".join(strip_control(text[: max(8 * limit, 4096)]).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return flat


def scrub(text: str, secrets: list[str] | tuple[str, ...] | set[str]) -> str:
    """Replace each secret value found in ``text`` with ``***``."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and len(secret) >= 3:
            text = text.replace(secret, "***")
    return text


# --- streams -------------------------------------------------------------------
# strip_control works on whole strings; a stream can split an escape sequence (or a
# CR LF pair) across two chunks, and stripping each chunk alone would let the tail of
# a sequence through as text or turn CR LF into two line breaks. StreamSanitizer
# holds back an unfinished sequence until it is complete.

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
