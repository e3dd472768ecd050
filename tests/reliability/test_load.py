"""Load through the real app (no wall-clock assertions): 1,000 sessions, a
10,000-message conversation, a 1 MB reply, 10 replies streaming at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Conversation, Message, Profile, new_id, utcnow
from aichat_tui.store import ConversationStore, Paths
from aichat_tui.store.schema import dumps
from aichat_tui.ui.widgets.message_view import MessageView
from aichat_tui.ui.widgets.transcript import INITIAL_MESSAGES

from .uihelpers import make_app, send, settled, wait_until

pytestmark = pytest.mark.slow


def write_conversations(paths: Paths, count: int, messages: int = 2) -> list[str]:
    """``count`` conversation files written directly (the store would fsync each)."""
    ids = []
    start = utcnow() - timedelta(days=30)
    for i in range(count):
        when = start + timedelta(minutes=i)
        conv = Conversation(
            id=new_id(), title=f"session {i:04d} [/] [b]", created=when, updated=when
        )
        for j in range(messages):
            role = "user" if j % 2 == 0 else "assistant"
            conv.messages.append(
                Message(
                    role,
                    f"message {j} of session {i}",
                    time=when,
                    status="complete" if role == "assistant" else None,
                )
            )
        (paths.conversations_dir / f"{conv.id}.toml").write_text(dumps(conv), encoding="utf-8")
        ids.append(conv.id)
    return ids


async def test_1000_sessions_are_listed_and_usable(
    app_dirs: Paths, loopback: LoopbackServer, profile_openai: Profile
) -> None:
    ids = write_conversations(app_dirs, 1000)
    app, notices = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        assert ws.sessions.option_count == 1000
        assert ws.conv is not None and ws.conv.id == ids[-1]  # the newest opens
        await pilot.press("ctrl+down")
        await wait_until(pilot, lambda: ws.conv.id == ids[-2], what="next session")
        await send(pilot, app, "still fast?")
        await wait_until(pilot, lambda: settled(app))
        assert ws.sessions.option_count == 1000
        assert ws.conv.messages[-1].status == "complete"
    assert not notices.errors()
    assert len(ConversationStore(app_dirs).list()) == 1000


async def test_10000_message_conversation_opens_lazily_and_saves(
    app_dirs: Paths, loopback: LoopbackServer, profile_openai: Profile
) -> None:
    [conv_id] = write_conversations(app_dirs, 1, messages=10_000)
    app, notices = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        assert len(ws.conv.messages) == 10_000
        mounted = len(ws.transcript.query(MessageView))
        assert mounted == INITIAL_MESSAGES  # bounded, not 10,000 widgets
        assert ws.transcript.hidden_count == 10_000 - INITIAL_MESSAGES
        await send(pilot, app, "one more")
        await wait_until(pilot, lambda: settled(app), timeout=30)
        assert len(ws.transcript.query(MessageView)) == INITIAL_MESSAGES + 2
    saved = ConversationStore(app_dirs).load(conv_id).messages
    assert len(saved) == 10_002 and saved[-1].status == "complete"
    assert saved[9_999].content == "message 9999 of session 0"
    assert not notices.errors()


async def test_1_mb_reply_streams_completely_and_saves_byte_exact(
    app_dirs: Paths, loopback: LoopbackServer, profile_openai: Profile
) -> None:
    # ~1,000 paragraphs of ~1,000 characters. (Measured, not asserted: 1 MB as
    # 20,000 tiny paragraphs takes ~45 s headless, since Textual's Markdown mounts
    # one widget per block; as one paragraph of short lines, ~6 s.)
    line = "a line of *markdown* with `code` and ünïcödé 😀 — {n} " * 18 + "\n\n"
    text = "".join(line.format(n=n) for n in range(1100))[:1_000_000]
    loopback.push(Behaviour(text=text, chunk_chars=8192))
    app, _ = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await send(pilot, app, "a megabyte please")
        await wait_until(pilot, lambda: settled(app), timeout=120, what="1 MB reply")
        reply = ws.conv.messages[-1]
        assert reply.status == "complete" and reply.content == text
        view = ws.transcript.view_for(reply.id)
        await wait_until(pilot, lambda: view.text == text, timeout=60, what="rendered")
        conv_id = ws.conv.id
    assert ConversationStore(app_dirs).load(conv_id).messages[-1].content == text


async def test_10_replies_streaming_at_once_all_complete_and_save(
    app_dirs: Paths, profile_openai: Profile
) -> None:
    def reply(messages: list[dict]) -> str:
        return f"reply to <{messages[-1]['content']}> " + "x" * 400

    # Every reply waits after its first chunk until all 10 have started: they overlap
    # whatever the machine's load (the test used to hope the pace made them overlap).
    server = LoopbackServer(reply=reply, chunk_chars=8, hold_replies_until=10)
    await server.start()
    try:
        profile = Profile(
            name="p", kind="openai", base_url=server.openai_url, model="m", timeout=300.0, proxy=""
        )
        app, notices = make_app(app_dirs, profile)
        async with app.run_test(size=(120, 40)) as pilot:
            ws = app.workspace
            ids = []
            for i in range(10):
                await pilot.press("ctrl+n")
                await wait_until(pilot, lambda: ws.conv is not None and ws.conv.id not in ids)
                ids.append(ws.conv.id)
                await send(pilot, app, f"prompt {i}")
                await wait_until(pilot, lambda: ws.conv.id in app.replies or settled(app))
            await wait_until(pilot, lambda: not app.replies, timeout=240, what="all replies")
        assert server.peak_streams == 10, "the replies did not all stream at once"
        assert not notices.errors()
        store = ConversationStore(app_dirs)
        for i, conv_id in enumerate(ids):
            messages = store.load(conv_id).messages
            assert [m.content for m in messages] == [
                f"prompt {i}",
                f"reply to <prompt {i}> " + "x" * 400,
            ]
            assert messages[-1].status == "complete"
    finally:
        await server.stop()
