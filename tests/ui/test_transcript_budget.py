"""How many messages a conversation mounts when it opens (issue 6: opening a long
conversation must stay fast whatever the size of its newest replies)."""

from __future__ import annotations

from aichat_tui.models import Message
from aichat_tui.ui.widgets.transcript import INITIAL_CHARS, INITIAL_MESSAGES, first_shown


def _messages(sizes: list[int]) -> list[Message]:
    return [
        Message(role="user" if i % 2 == 0 else "assistant", content="x" * n)
        for i, n in enumerate(sizes)
    ]


def test_short_messages_mount_the_last_initial_messages() -> None:
    messages = _messages([20] * 100)
    assert first_shown(messages) == 100 - INITIAL_MESSAGES


def test_long_replies_mount_only_enough_to_fill_the_budget() -> None:
    messages = _messages([3_000] * 100)
    first = first_shown(messages)
    shown = messages[first:]
    assert sum(len(m.content) for m in shown) >= INITIAL_CHARS
    assert sum(len(m.content) for m in shown[1:]) < INITIAL_CHARS
    assert len(shown) == 2


def test_one_huge_reply_is_still_shown_and_small_conversations_entirely() -> None:
    assert first_shown(_messages([10, 100_000])) == 1
    assert first_shown(_messages([10, 10, 10])) == 0
    assert first_shown([]) == 0
