"""Full-text search over titles (from the index) and message text.

Files are read one at a time. When the query has no character that the file
format escapes, a file whose raw text does not contain the query is skipped
without parsing it. Every branch of a conversation is searched (issue 13), the
active path first; a hit names the message and the leaf of the branch to open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from aichat_tui import branches
from aichat_tui.sanitize import one_line
from aichat_tui.store.atomic import read_limited
from aichat_tui.store.errors import StoreError
from aichat_tui.store.toml_codec import _UNSAFE

if TYPE_CHECKING:
    from aichat_tui.models import Conversation
    from aichat_tui.store.conversations import ConversationStore

SNIPPET_CONTEXT = 40


@dataclass
class SearchHit:
    """One matching conversation. ``message_index`` is the match's place on the
    active path (None for a title or system prompt match, or another branch);
    ``message_id`` is the matching message and ``leaf_id`` the last message of
    the branch that shows it (its most recent one), both None for a title match;
    ``branch`` is that branch's number in tree order, 1-based (None: linear)."""

    id: str
    title: str
    snippet: str
    updated: datetime
    message_index: int | None = None
    message_id: str | None = None
    leaf_id: str | None = None
    branch: int | None = None


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
        hit = _first_match(conv, needle, query)
        if hit is not None:
            hits.append(hit)
    return hits


def _first_match(conv: Conversation, needle: str, query: str) -> SearchHit | None:
    """The first message holding ``needle``: the system prompt, then the active
    path, then the other branches in tree order."""
    if needle in conv.system_prompt.casefold():
        return SearchHit(conv.id, conv.title, snippet(conv.system_prompt, query), conv.updated)
    for index, message in enumerate(conv.messages):
        # the thinking is searchable too (the answer first: it makes a better snippet)
        text = next((t for t in (message.content, message.reasoning) if needle in t.casefold()), "")
        if text:
            leaf = conv.messages[-1].id
            hit = SearchHit(conv.id, conv.title, snippet(text, query), conv.updated)
            hit.message_index, hit.message_id, hit.leaf_id = index, message.id, leaf
            if conv.off_path:
                hit.branch = _branch_number(conv, leaf)
            return hit
    for message in branches.tree_order(conv):
        if needle in message.content.casefold():
            tip = branches.newest_leaf(conv, message.id)
            leaf = tip.id if tip is not None else message.id
            hit = SearchHit(conv.id, conv.title, snippet(message.content, query), conv.updated)
            hit.message_id, hit.leaf_id = message.id, leaf
            hit.branch = _branch_number(conv, leaf)
            return hit
    return None


def _branch_number(conv: Conversation, leaf_id: str) -> int | None:
    ids = [m.id for m in branches.leaves(conv)]
    return ids.index(leaf_id) + 1 if leaf_id in ids else None
