"""The trash view and the delete dialog's keys (issue 12)."""

from __future__ import annotations

from textual.widgets import Button, OptionList

from aichat_tui.ui.screens.confirm import ConfirmScreen
from aichat_tui.ui.screens.trash import TrashScreen

from .helpers import make_app, screen_text, wait_until


async def test_delete_then_restore_from_the_trash_view(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    keep = app.store.create(title="Keep me")
    doomed = app.store.create(title="Restore me")
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await wait_until(pilot, lambda: ws.conv is not None and ws.conv.id == doomed.id)
        await pilot.press("f8")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        # Cancel has the focus (Enter by reflex never deletes); y is shown and confirms.
        assert app.screen.focused is app.screen.query_one("#no", Button)
        assert "Delete (y)" in screen_text(app) and "Cancel (Esc)" in screen_text(app)
        await pilot.press("y")
        await wait_until(pilot, lambda: ws.conv is not None and ws.conv.id == keep.id)
        assert [s.id for s in app.store.list()] == [keep.id]
        app.action_trash()
        await wait_until(pilot, lambda: isinstance(app.screen, TrashScreen))
        await pilot.pause()
        assert "Restore me" in screen_text(app) and "deleted" in screen_text(app)
        assert isinstance(app.screen.focused, OptionList)
        await pilot.press("enter")
        await wait_until(pilot, lambda: ws.conv is not None and ws.conv.id == doomed.id)
        assert not isinstance(app.screen, TrashScreen)
        assert {s.id for s in app.store.list()} == {keep.id, doomed.id}
        assert doomed.id in [s.id for s in ws.sessions.summaries]


async def test_empty_trash_says_so_and_escape_closes(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_trash()
        await wait_until(pilot, lambda: isinstance(app.screen, TrashScreen))
        await pilot.pause()
        assert "The trash is empty." in screen_text(app)
        await pilot.press("enter")  # nothing to restore: nothing happens
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, TrashScreen))


async def test_trash_is_a_palette_command(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Trash" in titles


async def test_delete_undo_delete_again_then_restore_from_the_trash_view(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    keep = app.store.create(title="Keep me")
    doomed = app.store.create(title="Undo me")
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await wait_until(pilot, lambda: ws.conv is not None and ws.conv.id == doomed.id)

        async def delete() -> None:
            await pilot.press("f8")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_until(pilot, lambda: ws.conv is not None and ws.conv.id == keep.id)
            assert [s.id for s in app.store.list()] == [keep.id]

        await delete()
        # The notification names the undo key.
        assert any("Alt+Z undoes it" in str(n.message) for n in app._notifications)
        await pilot.press("alt+z")
        await wait_until(pilot, lambda: ws.conv is not None and ws.conv.id == doomed.id)
        assert {s.id for s in app.store.list()} == {keep.id, doomed.id}
        await delete()
        app.action_trash()
        await wait_until(pilot, lambda: isinstance(app.screen, TrashScreen))
        await pilot.press("enter")
        await wait_until(pilot, lambda: ws.conv is not None and ws.conv.id == doomed.id)
        assert {s.id for s in app.store.list()} == {keep.id, doomed.id}
        await pilot.press("alt+z")  # that delete was undone through the trash already
        await wait_until(
            pilot,
            lambda: any(
                "Nothing to undo" in str(n.message) or "Not restored" in str(n.message)
                for n in app._notifications
            ),
        )
