"""How many messages a conversation mounts when it opens (issue 6: opening a long
conversation must stay fast whatever the size of its newest replies)."""

from __future__ import annotations

from aichat_tui.models import Message
from aichat_tui.ui.widgets.message_view import MessageView
from aichat_tui.ui.widgets.transcript import INITIAL_CHARS, INITIAL_MESSAGES, first_shown

from .helpers import make_app


def _messages(sizes: list[int]) -> list[Message]:
    return [
        Message(role="user" if i % 2 == 0 else "assistant", content="x" * n)
        for i, n in enumerate(sizes)
    ]


def test_short_messages_mount_the_last_initial_messages() -> None:
    messages = _messages([20] * 100)
    assert first_shown(messages, 4_800) == 100 - INITIAL_MESSAGES


def test_long_replies_mount_only_enough_to_fill_the_budget() -> None:
    messages = _messages([3_000] * 100)
    shown = messages[first_shown(messages, 7_000) :]
    assert sum(len(m.content) for m in shown) >= 7_000
    assert sum(len(m.content) for m in shown[1:]) < 7_000
    assert len(shown) == 3


def test_one_huge_reply_is_still_shown_and_small_conversations_entirely() -> None:
    assert first_shown(_messages([10, 100_000])) == 1
    assert first_shown(_messages([10, 10, 10])) == 0
    assert first_shown([]) == 0
    assert first_shown(_messages([INITIAL_CHARS // 2] * 4)) == 2


async def test_the_budget_is_about_one_screen(app_dirs) -> None:  # type: ignore[no-untyped-def]
    app = make_app(app_dirs, None)
    conv = app.store.create(title="Long replies")
    conv.messages = _messages([1_000] * 40)
    app.store.save(conv)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        views = app.workspace.transcript.query(MessageView)
        # 120 x 40 = 4,800 characters: the last five messages of 1,000.
        assert len(views) == 5
        assert app.workspace.transcript.hidden_count == 35
