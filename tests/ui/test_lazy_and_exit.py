"""Long sessions mount lazily; quitting mid-stream saves and closes cleanly."""

from __future__ import annotations

import warnings

from aichat_tui.loopback import Behaviour
from aichat_tui.models import Message
from aichat_tui.ui.widgets.message_view import MessageView
from aichat_tui.ui.widgets.transcript import BATCH, INITIAL_MESSAGES

from .helpers import make_app, wait_until


async def test_long_session_mounts_recent_first_then_older(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    conv = app.store.create(title="Long one")
    for i in range(60):
        role = "user" if i % 2 == 0 else "assistant"
        conv.messages.append(
            Message(
                role=role,
                content=f"message number {i}",
                status="complete" if role == "assistant" else None,
            )
        )
    app.store.save(conv)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        # Synchronise on the first mount, not on how fast a busy machine got there.
        await wait_until(
            pilot,
            lambda: len(ws.transcript.query(MessageView)) == INITIAL_MESSAGES,
            what="the recent messages",
        )
        views = ws.transcript.query(MessageView)
        assert views.last().message.content == "message number 59"
        assert ws.transcript.hidden_count == 60 - INITIAL_MESSAGES
        ws.transcript.query_one("#load-earlier").press()
        await wait_until(
            pilot, lambda: len(ws.transcript.query(MessageView)) == INITIAL_MESSAGES + BATCH
        )
        # The batch keeps the view where it was (scrolled down to the old first message);
        # only once that is done can scrolling up reach the top.
        await wait_until(
            pilot,
            lambda: ws.transcript.scroll_y > 0 and not ws.transcript.workers,
            what="the batch mounted and the view kept in place",
        )
        # Scrolling to the top loads the rest.
        ws.transcript.scroll_home(animate=False)
        await wait_until(
            pilot, lambda: len(ws.transcript.query(MessageView)) == 60, what="older batch on scroll"
        )
        contents = [v.message.content for v in ws.transcript.query(MessageView)]
        assert contents == [f"message number {i}" for i in range(60)]
        assert not ws.transcript.query("#load-earlier")


async def test_quit_mid_stream_saves_interrupted_and_closes(loopback, profile_openai, app_dirs):
    loopback.push(Behaviour(text="slow " * 200, chunk_chars=5, chunk_delay=0.05))
    app = make_app(app_dirs, profile_openai)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with app.run_test(size=(120, 40)) as pilot:
            ws = app.workspace
            ws.composer.text = "go"
            await pilot.press("enter")
            conv_id = ws.conv.id
            await wait_until(pilot, lambda: app.replies and app.replies[conv_id].raw)
            client = next(iter(app.clients.values()))
            await pilot.press("ctrl+q")
        assert app.return_code == 0 or app.return_code is None
    saved = app.store.load(conv_id).messages[-1]
    assert saved.status == "interrupted" and saved.content
    assert app.clients == {}
    assert client._closed  # no public "is closed" on ChatClient; aclose() sets this
    assert not [w for w in caught if "was destroyed" in str(w.message)]
