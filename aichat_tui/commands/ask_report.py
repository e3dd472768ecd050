"""What ``ask`` says besides the answer: thinking on stderr, the ending, the
usage line, and arguments that are not UTF-8 (no Textual, no Rich)."""

from __future__ import annotations

import sys
from typing import Any

from aichat_tui.commands import EXIT_USAGE, CliError
from aichat_tui.models import Usage

DIM, PLAIN = "\x1b[2m", "\x1b[0m"


def check_utf8(text: str | None, what: str) -> None:
    """A command-line argument holding bytes that are not UTF-8 (Python keeps them
    as lone surrogates) is a usage error naming the byte, before anything is sent."""
    if not text:
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        char = text[exc.start]
        byte = ord(char) - 0xDC00 if "\udc80" <= char <= "\udcff" else None
        shown = f"byte 0x{byte:02X}" if byte is not None else f"U+{ord(char):04X}"
        raise CliError(
            f"the {what} is not valid UTF-8 text ({shown} at character {exc.start + 1}); "
            "check the terminal's or the file's encoding",
            EXIT_USAGE,
        ) from None


def show_reasoning(flag: bool | None, stdout: Any) -> bool:
    """``--reasoning`` / ``--no-reasoning``; by default only when stdout is a terminal."""
    if flag is not None:
        return flag
    try:
        return bool(stdout.isatty())
    except (AttributeError, ValueError):
        return False


class ThinkingOut:
    """Writes the thinking to stderr as it streams (dimmed on a terminal)."""

    def __init__(self, err: Any = None) -> None:
        self.err = err if err is not None else sys.stderr
        try:
            self.dim = bool(self.err.isatty())
        except (AttributeError, ValueError):
            self.dim = False
        self.open = False
        self.ends_with_newline = True

    def piece(self, text: str) -> None:
        if not self.open:
            self.err.write((DIM if self.dim else "") + "thinking: ")
            self.open = True
        self.err.write(text)
        self.ends_with_newline = text.endswith("\n")
        self.err.flush()

    def close(self) -> None:
        """End the thinking block (before the answer, or at the end)."""
        if not self.open:
            return
        self.open = False
        self.err.write(("" if self.ends_with_newline else "\n") + (PLAIN if self.dim else ""))
        self.err.flush()


def stats_line(usage: Usage | None) -> str:
    """``--stats``: tokens, time to first token, tokens/s (what is known)."""
    if usage is None or usage.is_empty():
        return "stats: the server reported no usage"
    parts = []
    if usage.prompt_tokens is not None:
        parts.append(f"prompt {usage.prompt_tokens} tokens")
    if usage.completion_tokens is not None:
        parts.append(f"reply {usage.completion_tokens} tokens")
    if usage.ttft is not None:
        parts.append(f"first token after {usage.ttft:.3f} s")
    if usage.tokens_per_second is not None:
        parts.append(f"{usage.tokens_per_second:.1f} tokens/s")
    return "stats: " + ", ".join(parts)


def ending_warning(finish_reason: str | None, has_text: bool, has_thinking: bool) -> str | None:
    """The stderr warning for an unusual ending, or None."""
    empty = ""
    if not has_text:
        empty = " and has no answer text" + (" (only thinking)" if has_thinking else "")
    if finish_reason == "length":
        return (
            f"warning: the reply was truncated at max_tokens{empty}; "
            "raise max_tokens (--max-tokens, or max_tokens in the profile) for a longer one"
        )
    if finish_reason == "content_filter":
        return f"warning: the server's content filter stopped the reply{empty}"
    if not has_text:
        return "warning: the reply has no answer text" + (
            " (only thinking)" if has_thinking else ""
        )
    return None
