"""Found by hand (qa): after Ctrl+N the composer has the focus, wherever it was.

With the sidebar focused (alt+l / ctrl+b), Ctrl+N opened a new chat but the
keys typed next, and a paste, went to the sidebar and were lost.
"""

from __future__ import annotations

from .helpers import make_app, wait_until


async def test_new_session_from_the_sidebar_focuses_the_composer(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = app.workspace
        await pilot.press("ctrl+b")
        await wait_until(pilot, lambda: ws.sessions.display and ws.sessions.has_focus_within)
        before = ws.conv.id if ws.conv else None
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: ws.conv is not None and ws.conv.id != before)
        await wait_until(pilot, lambda: ws.composer.has_focus, what="composer focused")
        await pilot.press("h", "i")
        assert ws.composer.text == "hi"
