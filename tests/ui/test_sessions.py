"""Pilot tests: several sessions, switching, drafts, rename, delete, sidebar, palette."""

from __future__ import annotations

from aichat_tui.loopback import Behaviour
from aichat_tui.models import Message
from aichat_tui.ui.screens.confirm import ConfirmScreen
from aichat_tui.ui.screens.prompt import PromptScreen

from .helpers import make_app, wait_until

SLOW = "chunk " * 40


async def _send(pilot, app, text: str) -> None:
    composer = app.workspace.composer
    composer.focus()
    composer.text = text
    await pilot.press("enter")


async def test_two_sessions_stream_at_once_and_switching_keeps_drafts(
    loopback, profile_openai, app_dirs
):
    loopback.push(Behaviour(text=SLOW, chunk_chars=6, chunk_delay=0.05, times=2))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await _send(pilot, app, "session A")
        a = ws.conv.id
        await pilot.press("ctrl+n")
        b = ws.conv.id
        assert a != b
        await _send(pilot, app, "session B")
        await wait_until(pilot, lambda: {a, b} <= set(app.replies), what="two streams")
        ws.composer.text = "draft for B"
        await pilot.press("ctrl+down")  # newest first: B, then A
        assert ws.conv.id == a
        assert ws.composer.text == ""
        # A is still streaming and its view follows the stream again.
        await wait_until(pilot, lambda: not app.replies, timeout=20, what="both replies")
        for conv_id in (a, b):
            last = app.store.load(conv_id).messages[-1]
            assert last.status == "complete" and last.content == SLOW
        view = ws.transcript.view_for(ws.conv.messages[-1].id)
        await wait_until(pilot, lambda: view.text == SLOW, what="A's view caught up")
        await pilot.press("ctrl+up")
        assert ws.conv.id == b
        assert ws.composer.text == "draft for B"
        view = ws.transcript.view_for(ws.conv.messages[-1].id)
        assert view.text == SLOW


async def test_rename_and_delete_with_confirmation(loopback, profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await pilot.press("ctrl+n")
        conv_id = ws.conv.id
        await pilot.press("f2")
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one("Input").value = "Renamed [b]session[/]"
        await pilot.press("enter")
        assert app.store.load(conv_id).title == "Renamed [b]session[/]"
        assert str(ws.query_one("#header-title").render()) == "Renamed [b]session[/]"
        assert "Renamed [b]session[/]" in ws.sessions.get_option_at_index(0).prompt.plain
        await pilot.press("f8")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # cancel keeps it
        assert conv_id in [s.id for s in app.store.list()]
        await pilot.press("f8")
        await pilot.press("y")
        await wait_until(pilot, lambda: conv_id not in [s.id for s in app.store.list()])
        assert ws.conv is None or ws.conv.id != conv_id


async def test_sidebar_collapses_at_80_columns_and_toggles(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = app.workspace
        assert not ws.sessions.display
        await pilot.press("ctrl+b")
        assert ws.sessions.display
        await pilot.press("ctrl+b")
        assert not ws.sessions.display
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.workspace.sessions.display


async def test_mouse_selects_session_in_sidebar(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    first = app.store.create(title="Older one")
    app.store.create(title="Newer one")
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        assert ws.conv.title == "Newer one"  # newest opens first
        await pilot.click("#sessions", offset=(3, 1))
        await wait_until(pilot, lambda: ws.conv.id == first.id, what="click switch")


async def test_welcome_without_profile(app_dirs):
    app = make_app(app_dirs, None)
    async with app.run_test(size=(80, 24)) as pilot:
        welcome = app.workspace.query_one("#welcome")
        assert welcome.display
        text = welcome.render().plain
        assert "config.toml" in text and "F3" in text and "--demo" in text
        app.workspace.composer.text = "hello?"
        await pilot.press("enter")
        assert app.workspace.composer.text == "hello?"  # kept, not sent


async def test_palette_switches_by_title_and_content(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    target = app.store.create(title="Quarterly planning")
    target.messages.append(Message(role="user", content="the zebra migration"))
    app.store.save(target)
    other = app.store.create(title="Something else")
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await app.switch_session(other.id)
        assert ws.conv.id == other.id
        await pilot.press("ctrl+p")
        await pilot.press(*"zebra")
        await wait_until(
            pilot,
            lambda: (
                app.screen.query("CommandList Option")
                or len(app.screen.query_one("CommandList").options) > 0
            ),
            what="palette hits",
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: ws.conv is not None and ws.conv.id == target.id)


async def test_sidebar_keyboard_choose_and_delete(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    older = app.store.create(title="Older")
    app.store.create(title="Newer")
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        ws.sessions.focus()
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: ws.conv.id == older.id)
        assert app.focused is ws.composer
        ws.sessions.focus()
        ws.sessions.mark(older.id)
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.click("#yes")
        await wait_until(pilot, lambda: [s.title for s in app.store.list()] == ["Newer"])
        assert ws.conv.title == "Newer"
