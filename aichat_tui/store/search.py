"""Full-text search over titles (from the index) and message text.

Files are read one at a time. When the query has no character that the file
format escapes, a file whose raw text does not contain the query is skipped
without parsing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from aichat_tui.sanitize import one_line
from aichat_tui.store.atomic import read_limited
from aichat_tui.store.errors import StoreError
from aichat_tui.store.toml_codec import _UNSAFE

if TYPE_CHECKING:
    from aichat_tui.store.conversations import ConversationStore

SNIPPET_CONTEXT = 40


@dataclass
class SearchHit:
    """One matching conversation; ``message_index`` is None for a title match."""

    id: str
    title: str
    snippet: str
    updated: datetime
    message_index: int | None = None


def snippet(text: str, query: str, context: int = SNIPPET_CONTEXT) -> str:
    """A one-line excerpt of ``text`` around the first match of ``query``."""
    at = text.lower().find(query.lower())
    if at < 0:
        return one_line(text, 2 * context + len(query))
    start = max(0, at - context)
    end = at + len(query) + context
    body = one_line(text[start:end], 2 * context + len(query) + 2)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def search_conversations(store: ConversationStore, query: str, limit: int = 50) -> list[SearchHit]:
    """Conversations whose title or messages contain ``query`` (case-insensitive),
    newest first, at most ``limit``."""
    needle = query.casefold()
    if not needle.strip():
        return []
    prefilter = not _UNSAFE.search(query) and "\t" not in query
    hits: list[SearchHit] = []
    for summary in store.list():
        if len(hits) >= limit:
            break
        if needle in summary.title.casefold():
            hits.append(
                SearchHit(summary.id, summary.title, snippet(summary.title, query), summary.updated)
            )
            continue
        path = store.path_of(summary.id)
        try:
            data = read_limited(path, 64 * 1024 * 1024)
        except (OSError, ValueError):
            continue
        if prefilter and needle not in data.decode("utf-8", "replace").casefold():
            continue
        try:
            conv = store.load(summary.id)
        except StoreError:
            continue
        texts = [(None, conv.system_prompt), *enumerate(m.content for m in conv.messages)]
        for index, text in texts:
            if needle in text.casefold():
                hits.append(
                    SearchHit(conv.id, conv.title, snippet(text, query), conv.updated, index)
                )
                break
    return hits
