"""Pilot tests of the main flows against the real loopback server and real folders."""

from __future__ import annotations

from aichat_tui.loopback import Behaviour
from aichat_tui.ui.widgets.message_view import MessageView

from .helpers import make_app, wait_until

REPLY = "Hello **world**\n\n```python\nprint(1)\n```\n\nbye"


async def _send(pilot, app, text: str) -> None:
    composer = app.workspace.composer
    composer.focus()
    composer.text = text
    await pilot.press("enter")


def _idle(app) -> bool:
    """No reply runs and the screen has shown every ending."""
    return not app.replies and not app.workspace.transcript.streaming()


async def test_send_streams_saves_titles_and_copies(loopback, profile_openai, app_dirs):
    loopback.push(Behaviour(text=REPLY, chunk_chars=3))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await _send(pilot, app, "hi there")
        assert ws.composer.text == ""
        await wait_until(pilot, lambda: _idle(app) and ws.conv.messages[-1].status, what="reply")
        conv = app.store.load(ws.conv.id)
        assert [m.role for m in conv.messages] == ["user", "assistant"]
        assert conv.messages[0].content == "hi there"
        assert conv.messages[1].content == REPLY
        assert conv.messages[1].status == "complete"
        assert conv.title == "hi there"
        view = ws.transcript.view_for(conv.messages[1].id)
        assert view is not None
        await wait_until(pilot, lambda: view.text == REPLY, what="rendered reply")
        body = loopback.requests[-1].json()
        assert body["messages"][-1] == {"role": "user", "content": "hi there"}
        await pilot.press("ctrl+y")
        assert app.clipboard == REPLY
        await pilot.press("alt+y")
        assert app.clipboard == "print(1)\n"


async def test_newline_keys_and_empty_send(loopback, profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        ws.composer.focus()
        await pilot.press("a", "ctrl+j", "b", "shift+enter", "c")
        assert ws.composer.text == "a\nb\nc"
        ws.composer.text = "   "
        await pilot.press("enter")
        await pilot.pause()
        assert loopback.requests == []
        assert ws.composer.text == "   "


async def test_stop_keeps_partial_marked_interrupted(loopback, profile_openai, app_dirs):
    loopback.push(Behaviour(text="word " * 400, chunk_chars=5, chunk_delay=0.05))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await _send(pilot, app, "long please")
        await wait_until(pilot, lambda: app.replies and len(app.replies[ws.conv.id].shown) > 40)
        await pilot.press("escape")
        await wait_until(pilot, lambda: _idle(app), what="stop")
        saved = app.store.load(ws.conv.id).messages
        assert saved[-1].status == "interrupted"
        assert saved[-1].error is None
        assert 0 < len(saved[-1].content) < len("word " * 400)
        assert ("word " * 400).startswith(saved[-1].content)
        view = ws.transcript.view_for(saved[-1].id)
        assert view.query_one(".status").render().plain == "interrupted"
        await wait_until(pilot, lambda: loopback.aborted >= 1, what="server saw the hang-up")
        # The next request works on the same client.
        await _send(pilot, app, "again")
        await wait_until(pilot, lambda: _idle(app) and ws.conv.messages[-1].status == "complete")


async def test_error_shows_message_and_retry_recovers(loopback, profile_openai, app_dirs):
    loopback.push(Behaviour(status=500, times=3))  # the first try and both automatic retries
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await _send(pilot, app, "please answer")
        await wait_until(pilot, lambda: _idle(app) and ws.conv.messages[-1].status == "error")
        saved = app.store.load(ws.conv.id).messages
        assert saved[0].content == "please answer"  # the prompt is never lost
        assert saved[-1].status == "error" and saved[-1].error
        assert "network" not in saved[-1].error.lower() or "500" in saved[-1].error
        view = ws.transcript.view_for(saved[-1].id)
        error_line = view.query_one(".error-line")
        assert error_line.display and saved[-1].error[:20] in error_line.render().plain
        assert view.query_one(".retry").display
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: _idle(app) and ws.conv.messages[-1].status == "complete")
        saved = app.store.load(ws.conv.id).messages
        assert [m.role for m in saved] == ["user", "assistant"]
        assert saved[-1].content


async def test_cut_stream_keeps_partial_with_error(loopback, profile_openai, app_dirs):
    loopback.push(Behaviour(text="abcdefghij" * 20, chunk_chars=10, cut_after=50))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await _send(pilot, app, "go")
        await wait_until(pilot, lambda: _idle(app) and ws.conv.messages[-1].status)
        last = app.store.load(ws.conv.id).messages[-1]
        assert last.status == "error"
        assert last.content and ("abcdefghij" * 20).startswith(last.content)
        # Retry button works like ctrl+r.
        view = ws.transcript.view_for(last.id)
        await pilot.click(view.query_one(".retry"))
        await wait_until(pilot, lambda: _idle(app) and ws.conv.messages[-1].status == "complete")


async def test_edit_previous_prompt_resends_from_there(loopback, profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        for text in ("first", "second"):
            await _send(pilot, app, text)
            await wait_until(pilot, lambda: _idle(app) and ws.conv.messages[-1].status)
        ws.composer.focus()
        await pilot.press("up")  # in an empty composer: edit the last prompt
        assert ws.composer.text == "second"
        assert ws.editing is not None
        ws.composer.text = "second, edited"
        await pilot.press("enter")
        await wait_until(pilot, lambda: _idle(app) and ws.conv.messages[-1].status)
        saved = app.store.load(ws.conv.id).messages
        assert [m.content for m in saved if m.role == "user"] == ["first", "second, edited"]
        assert len(saved) == 4
        # Choose the first prompt in the transcript and edit it.
        await pilot.press("f5")
        await pilot.press("up", "up", "up")
        focused = app.focused
        assert isinstance(focused, MessageView) and focused.message.content == "first"
        await pilot.press("e")
        assert ws.composer.text == "first"
        ws.composer.text = "first again"
        await pilot.press("enter")
        await wait_until(pilot, lambda: _idle(app) and ws.conv.messages[-1].status)
        saved = app.store.load(ws.conv.id).messages
        assert [m.content for m in saved if m.role == "user"] == ["first again"]
        # Escape cancels an edit without sending.
        await pilot.press("up")
        assert ws.editing is not None
        await pilot.press("escape")
        assert ws.editing is None and ws.composer.text == ""


async def test_new_prompt_while_streaming_interrupts_the_previous(
    loopback, profile_openai, app_dirs
):
    loopback.push(Behaviour(text="slow " * 200, chunk_chars=5, chunk_delay=0.05))
    loopback.push(Behaviour(text="second answer"))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await _send(pilot, app, "first")
        await wait_until(pilot, lambda: app.replies and app.replies[ws.conv.id].raw)
        await _send(pilot, app, "second")
        await wait_until(pilot, lambda: _idle(app) and ws.conv.messages[-1].status == "complete")
        saved = app.store.load(ws.conv.id).messages
        assert [m.role for m in saved] == ["user", "assistant", "user", "assistant"]
        assert saved[1].status == "interrupted" and saved[1].error is None
        assert saved[3].content == "second answer"
        # The interrupted partial reply is part of the context sent with "second".
        sent = loopback.requests[-1].json()["messages"]
        assert [m["role"] for m in sent] == ["user", "assistant", "user"]


async def test_only_the_last_failed_reply_offers_retry(loopback, profile_openai, app_dirs):
    loopback.push(Behaviour(status=500, times=3))  # the first try and both automatic retries
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await _send(pilot, app, "one")
        await wait_until(pilot, lambda: _idle(app) and ws.conv.messages[-1].status == "error")
        failed = ws.transcript.view_for(ws.conv.messages[-1].id)
        assert failed.query_one(".retry").display
        await _send(pilot, app, "two")
        await wait_until(pilot, lambda: _idle(app) and ws.conv.messages[-1].status == "complete")
        assert not failed.query_one(".retry").display
        # Reopening the session shows the old error without a Retry button too.
        await app.switch_session(ws.conv.id)
        old = ws.transcript.view_for(ws.conv.messages[1].id)
        assert old.message.status == "error" and not old.query_one(".retry").display


async def test_choose_a_message_and_copy_it_or_its_code(loopback, profile_openai, app_dirs):
    loopback.push(Behaviour(text=REPLY))
    loopback.push(Behaviour(text="no code in this one"))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        for text in ("first \x1b[31mred\x1b[0m", "second"):
            await _send(pilot, app, text)
            await wait_until(pilot, lambda: _idle(app) and ws.conv.messages[-1].status)
        await pilot.press("f5", "up", "up")  # last reply, last prompt, first reply
        assert app.focused.message.content == REPLY
        await pilot.press("b")
        assert app.clipboard == "print(1)\n"
        await pilot.press("up", "c")
        assert app.clipboard == "first red"  # control sequences stripped
        await pilot.press("down", "down", "down", "b")
        assert app.clipboard == "first red"  # that reply has no code block: unchanged
        await pilot.press("escape")
        assert app.focused is ws.composer
