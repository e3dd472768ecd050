"""Small breakage of issue 12: footer order after a remap, one-line sidebar rows."""

from __future__ import annotations

from datetime import timedelta

from aichat_tui.models import ConversationSummary, Message
from aichat_tui.ui.widgets.session_list import row

from .helpers import FIXED_NOW, make_app, screen_text, wait_until


def _footer(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_footer_keeps_new_after_a_remap_and_help_first_in_message_mode(
    profile_openai, app_dirs
):
    app = make_app(app_dirs, profile_openai)
    # F6 was TextArea's "select line": the focused composer took it and "New" vanished.
    app.settings.keys = {"workspace.new_session": "f6"}
    conv = app.store.create(title="Chat")
    conv.messages = [Message(role="user", content="hi"), Message(role="assistant", content="yo")]
    app.store.save(conv)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.workspace.conv is not None)
        await pilot.pause()
        footer = _footer(app)
        assert footer.lstrip().startswith("f1 Help")
        assert "f6 New" in footer
        await pilot.press("f6")
        await wait_until(pilot, lambda: app.workspace.conv.id != conv.id, what="f6 made a session")
    again = make_app(app_dirs, profile_openai, session_id=conv.id)
    async with again.run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await wait_until(pilot, lambda: app.workspace.conv is not None)
        await pilot.press("f5")  # message mode: four more keys in the footer
        await pilot.pause()
        assert _footer(app).lstrip().startswith("f1 Help")
        assert "c Copy message" in _footer(app)


def test_sidebar_row_is_one_line_with_the_age_apart() -> None:
    summary = ConversationSummary(
        id="x",
        title="Please tell me something about the weather please",
        created=FIXED_NOW,
        updated=FIXED_NOW - timedelta(seconds=5),
        message_count=2,
    )
    text = row(summary, FIXED_NOW, busy=False, width=28).plain
    assert len(text) == 28 and "\n" not in text
    assert text.endswith(" now") and "…" in text
    short = row(summary, FIXED_NOW, busy=False, width=80).plain
    assert short.startswith(summary.title) and short.endswith("  now")


async def test_palette_screenshot_is_saved_and_named(profile_openai, app_dirs, monkeypatch):
    # No Downloads folder (a server, a container): the data folder takes it.
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(app_dirs.data_dir / "no-such-folder"))
    monkeypatch.setenv("HOME", str(app_dirs.data_dir / "no-home"))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Screenshot"].callback()
        folder = app_dirs.data_dir / "screenshots"
        await wait_until(pilot, lambda: folder.is_dir() and any(folder.glob("*.svg")))
        messages = [str(n.message) for n in app._notifications]
        assert any("Screenshot saved to" in m and str(folder) in m for m in messages)
        assert not any("Failed" in m for m in messages)
