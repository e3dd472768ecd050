"""The view follows a stream until the user scrolls up; large pastes; aichat backend."""

from __future__ import annotations

from textual import events

from aichat_tui.loopback import Behaviour

from .helpers import make_app, settled, wait_until

LINES = "".join(f"line {i}\n\n" for i in range(120))


async def test_follows_stream_until_user_scrolls_up(loopback, profile_openai, app_dirs):
    loopback.push(Behaviour(text=LINES, chunk_chars=40, chunk_delay=0.03))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(100, 30)) as pilot:
        ws = app.workspace
        ws.composer.text = "many lines"
        await pilot.press("enter")
        transcript = ws.transcript
        conv_id = ws.conv.id
        await wait_until(pilot, lambda: transcript.max_scroll_y > 20, what="overflow")
        await pilot.pause(0.1)
        assert transcript.scroll_y >= transcript.max_scroll_y - 3  # following
        # The user scrolls up (mouse wheel): following stops.
        transcript.scroll_to(y=2, animate=False, immediate=True)
        await wait_until(pilot, lambda: conv_id not in app.replies, timeout=20)
        await pilot.pause()
        assert transcript.scroll_y < 10
        assert transcript.max_scroll_y > 40


async def test_large_paste_is_kept_and_sent(loopback, profile_openai, app_dirs):
    big = "".join(f"{i:06d} some pasted text with [brackets] and `code`\n" for i in range(3000))
    loopback.push(Behaviour(text="got it"))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        ws.composer.focus()
        # As the terminal driver delivers it: to the app, which hands it to the focus.
        app.post_message(events.Paste(big))
        # 3,000 lines: held aside, shown as one token, sent in full (test_paste.py).
        await wait_until(pilot, lambda: ws.composer.full_text == big, what="paste")
        assert ws.composer.text.startswith("[pasted text #1: 3,001 lines")
        await pilot.press("enter")
        await wait_until(pilot, lambda: settled(app))
        assert loopback.requests[-1].json()["messages"][-1]["content"] == big
        assert app.store.load(ws.conv.id).messages[0].content == big


async def test_aichat_profile_streams_too(loopback, profile_aichat, app_dirs):
    loopback.push(Behaviour(text="aichat says hi", aichat_stream="sse"))
    app = make_app(app_dirs, profile_aichat)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        ws.composer.text = "hello aichat"
        await pilot.press("enter")
        await wait_until(pilot, lambda: settled(app))
        last = ws.conv.messages[-1]
        assert (last.status, last.content) == ("complete", "aichat says hi")
        assert loopback.requests[-1].path.endswith("/api/text")
