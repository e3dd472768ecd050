"""Benchmark data made with the project's own store API (into temp data folders).

- ``big_conversation``: one conversation of N messages (alternating prompts and
  markdown replies of 200-3,000 characters, like a long real session); its last
  reply ends with a unique marker so a screen scrape can see it opened.
- ``many_sessions``: N small conversations with distinct titles; the newest is
  titled ``NEWEST_TITLE`` (first row of a newest-first sidebar).
"""

from __future__ import annotations

from datetime import timedelta

from aichat_tui.models import Conversation, Message, utcnow
from aichat_tui.store import ConversationStore, Paths
from tests.perf.replies import make_reply

#: Text at the end of the last reply of ``big_conversation``.
LAST_MESSAGE_MARKER = "LASTOFTHEBIGCONVERSATION"
#: Title of the newest of ``many_sessions``.
NEWEST_TITLE = "Bench session newest"


def big_messages(n: int, *, marker: str = LAST_MESSAGE_MARKER) -> list[Message]:
    """``n`` alternating user/assistant messages with increasing times."""
    start = utcnow() - timedelta(days=30)
    out: list[Message] = []
    for i in range(n):
        when = start + timedelta(minutes=i)
        if i % 2 == 0:
            text = f"Question {i // 2 + 1}: how do I make the transcript render quickly?"
            out.append(Message(role="user", content=text, time=when))
        else:
            size = 200 + (i * 7919) % 2800
            text = make_reply(size, seed=i)
            out.append(Message(role="assistant", content=text, time=when, status="complete"))
    if out:
        last = out[-1]
        last.content = last.content + f"\n\nThe end: {marker}"
    return out


def big_conversation(paths: Paths, n: int = 2000) -> str:
    """Create a conversation of ``n`` messages; return its id."""
    store = ConversationStore(paths)
    conv = store.create(title=f"Big conversation of {n} messages")
    conv.messages = big_messages(n)
    conv.updated = conv.messages[-1].time if conv.messages else conv.updated
    store.save(conv)
    return conv.id


def many_sessions(paths: Paths, n: int = 1000, messages: int = 4) -> list[str]:
    """Create ``n`` small conversations, oldest first; return their ids (newest last)."""
    store = ConversationStore(paths)
    start = utcnow() - timedelta(days=400)
    ids: list[str] = []
    for i in range(n):
        title = NEWEST_TITLE if i == n - 1 else f"Bench session {i + 1:04d}"
        when = start + timedelta(hours=i)
        conv = Conversation(title=title, created=when, updated=when)
        for j in range(messages):
            role = "user" if j % 2 == 0 else "assistant"
            body = f"Session {i + 1} message {j + 1}: " + ("lorem ipsum " * (5 + j * 10))
            conv.messages.append(
                Message(
                    role=role,
                    content=body,
                    time=when + timedelta(seconds=j),
                    status="complete" if role == "assistant" else None,
                )
            )
        conv.updated = conv.messages[-1].time if conv.messages else when
        store.save(conv)
        ids.append(conv.id)
    return ids


def small_conversation(paths: Paths, title: str = "Streaming bench") -> str:
    """An empty conversation to stream into; return its id."""
    return ConversationStore(paths).create(title=title).id
