"""Pure text helpers for the UI: code blocks, relative times, link checks.

Nothing here touches a widget, so all of it is unit-testable without an app.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from aichat_tui.sanitize import strip_control


def code_blocks(markdown: str) -> list[str]:
    """The contents of the fenced and indented code blocks in ``markdown``."""
    try:
        from markdown_it import MarkdownIt  # loaded on first use (start-up time)

        tokens = MarkdownIt("gfm-like").parse(markdown)
    except Exception:  # a parser bug must not break copying
        return []
    return [t.content for t in tokens if t.type in ("fence", "code_block")]


def count_of(count: int, noun: str, plural: str | None = None) -> str:
    """``1 model``, ``3 models`` (``plural`` for irregular nouns)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def relative_time(when: datetime, now: datetime) -> str:
    """A short relative time such as ``now``, ``5m``, ``3h``, ``2d`` or a date."""
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)}d"
    return when.strftime("%Y-%m-%d")


ALLOWED_SCHEMES = ("http", "https", "mailto")


def check_link(href: str) -> tuple[str, str | None]:
    """Return ``(shown_target, refusal)`` for a link target from model output.

    ``shown_target`` is the exact target with control characters removed;
    ``refusal`` is None when the link may be opened after confirmation, or the
    reason it may not (only absolute http, https and mailto links are allowed).
    """
    target = strip_control(href).strip()
    if not target or target != href.strip():
        return target, "The link contains control characters."
    try:
        parts = urlsplit(target)
    except ValueError:
        return target, "The link is not a valid URL."
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = scheme or "a relative path"
        return target, f"Links to {shown} are not opened; only http, https and mailto."
    if scheme in ("http", "https") and not parts.netloc:
        return target, "The link has no host."
    return target, None
