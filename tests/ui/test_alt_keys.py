"""The tmux-safe alt keys work while the composer (a TextArea) has the focus.

A terminal sends alt+l as ESC + "l", which Textual turns into a printable key
(``Key("alt+l", "l")``); Pilot's ``press("alt+l")`` carries no character, so
these tests post the key exactly as the terminal driver does.
"""

from __future__ import annotations

from textual import events

from aichat_tui.loopback import Behaviour
from aichat_tui.ui.screens.session_settings import SessionSettingsScreen

from .helpers import make_app, wait_until


async def _terminal_alt(pilot, app, letter: str) -> None:
    app.post_message(events.Key(f"alt+{letter}", letter))
    await pilot.pause()


async def test_alt_keys_reach_the_bindings_not_the_composer(loopback, profile_openai, app_dirs):
    loopback.push(Behaviour(text="one\n\n```python\nprint(1)\n```\n"))
    loopback.push(Behaviour(text="two"))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        for prompt in ("first", "second"):
            await pilot.press("ctrl+n")
            ws.composer.text = prompt
            await pilot.press("enter")
            await wait_until(pilot, lambda: not app.replies and ws.conv.messages[-1].status)
        second = ws.conv.id
        ws.composer.focus()
        await pilot.pause()
        ws.composer.text = "draft"

        shown = ws.sessions.display
        await _terminal_alt(pilot, app, "l")
        assert ws.sessions.display is not shown
        await _terminal_alt(pilot, app, "l")
        assert ws.sessions.display is shown
        ws.composer.focus()
        await pilot.pause()

        await _terminal_alt(pilot, app, "j")
        await wait_until(pilot, lambda: ws.conv.id != second, what="alt+j switched")
        ws.composer.focus()
        await _terminal_alt(pilot, app, "k")
        await wait_until(pilot, lambda: ws.conv.id == second, what="alt+k switched back")

        ws.composer.focus()
        await _terminal_alt(pilot, app, "j")
        await wait_until(pilot, lambda: ws.conv.id != second, what="alt+j again")
        ws.composer.focus()
        await _terminal_alt(pilot, app, "y")
        await wait_until(pilot, lambda: app.clipboard == "print(1)\n", what="alt+y copied")

        ws.composer.focus()
        await _terminal_alt(pilot, app, "s")
        await wait_until(pilot, lambda: isinstance(app.screen, SessionSettingsScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is ws)
        # None of the letters was typed.
        assert "l" not in ws.composer.text.replace("draft", "")
        assert not any(c in ws.composer.text for c in "jksy")


async def test_plain_letters_still_type(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        ws.composer.focus()
        await pilot.press("l", "j", "k")
        assert ws.composer.text == "ljk"
