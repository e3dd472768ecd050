"""Attaching files in the workspace, by keyboard at 80x24, against the loopback server."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from textual import events

from aichat_tui.models import Profile
from aichat_tui.store import Paths
from aichat_tui.ui.screens.attach_picker import AttachPicker
from aichat_tui.ui.screens.confirm import ConfirmScreen
from aichat_tui.ui.widgets.attachment_chips import AttachmentChip
from tests.attachments.images import png_bytes

from .helpers import make_app, wait_until

PNG = png_bytes(seed=21)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a text file and an image, made the current folder."""
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "notes.txt").write_text("alpha\nbeta\n", encoding="utf-8")
    (folder / "shot.png").write_bytes(PNG)
    monkeypatch.chdir(folder)
    return folder


def _idle(app) -> bool:
    conv = app.workspace.conv
    return (
        conv is not None
        and not app.engine.busy(conv.id)
        and bool(conv.messages)
        and bool(conv.messages[-1].status)
        and not app.workspace.transcript.streaming()
    )


async def _type(pilot, text: str) -> None:
    for char in text:
        await pilot.press(char)


async def _pick(pilot, app, typed: str) -> None:
    await pilot.press("alt+a")
    await wait_until(pilot, lambda: isinstance(app.screen, AttachPicker), what="picker")
    await _type(pilot, typed)
    await pilot.press("tab")  # completes the name
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, AttachPicker), what="closed")


def _chip_names(app) -> list[str]:
    return [chip.attachment.name for chip in app.workspace.query(AttachmentChip)]


async def test_a_text_file_and_an_image_attached_by_keyboard_reach_the_server(
    loopback, profile_openai: Profile, app_dirs: Paths, files: Path
) -> None:
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = app.workspace
        await _pick(pilot, app, "no")
        await _pick(pilot, app, "sh")
        await wait_until(pilot, lambda: _chip_names(app) == ["notes.txt", "shot.png"])
        ws.composer.focus()
        await _type(pilot, "explain")
        await pilot.press("enter")
        await wait_until(pilot, lambda: _idle(app), what="the reply")
        assert _chip_names(app) == []
        text, image = loopback.requests[-1].json()["messages"][-1]["content"]
        assert text == {
            "type": "text",
            "text": "explain\n\nFile: notes.txt\n```txt\nalpha\nbeta\n```",
        }
        assert base64.b64decode(image["image_url"]["url"].split(",", 1)[1]) == PNG
        conv_id = ws.conv.id
        prompt = ws.conv.messages[0]
        view = ws.transcript.view_for(prompt.id)
        assert view is not None
        shown = view.query_one(".attachments").render()
        assert str(shown) == f"Attached: notes.txt (11 B), shot.png ({len(PNG)} B)"
    stored = app_dirs.conversations_dir / f"{conv_id}.files"
    assert [p.read_bytes() for p in stored.iterdir()] == [PNG]

    # reopened: the attachments are listed on the message; deleting removes the image
    again = make_app(app_dirs, profile_openai)
    async with again.run_test(size=(80, 24)) as pilot:
        ws = again.workspace
        await ws.open_session(conv_id)
        await pilot.pause()
        prompt = ws.conv.messages[0]
        assert [a.name for a in prompt.attachments] == ["notes.txt", "shot.png"]
        view = ws.transcript.view_for(prompt.id)
        assert view is not None and "shot.png" in str(view.query_one(".attachments").render())
        await pilot.press("f8")
        await wait_until(pilot, lambda: isinstance(again.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: not stored.exists(), what="images removed")
    assert not (app_dirs.conversations_dir / f"{conv_id}.toml").exists()


async def test_a_pasted_path_is_offered_and_a_chip_can_be_removed(
    loopback, profile_openai: Profile, app_dirs: Paths, files: Path
) -> None:
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = app.workspace
        ws.composer.focus()
        ws.composer.post_message(events.Paste(str(files / "shot.png")))
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="offer")
        await pilot.press("y")
        await wait_until(pilot, lambda: _chip_names(app) == ["shot.png"], what="chip")
        assert ws.composer.text == ""
        # declined: the path stays as text and Enter then sends it as text
        ws.composer.post_message(events.Paste(str(files / "notes.txt")))
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="offer")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert ws.composer.text == str(files / "notes.txt")
        # remove the image chip by keyboard, then send: only the text goes
        ws.composer.focus()
        await pilot.press("shift+tab")  # from the composer back to the chip above it
        assert isinstance(app.focused, AttachmentChip)
        await pilot.press("delete")
        await wait_until(pilot, lambda: _chip_names(app) == [], what="chip removed")
        ws.composer.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: _idle(app), what="the reply")
        sent = loopback.requests[-1].json()["messages"][-1]
        assert sent == {"role": "user", "content": str(files / "notes.txt")}


async def test_an_aichat_profile_refuses_an_image_in_the_picker(
    loopback, app_dirs: Paths, files: Path
) -> None:
    profile = Profile(
        name="chat", kind="aichat", base_url=loopback.url, cookies={"s": "v"}, proxy=""
    )
    app = make_app(app_dirs, profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("alt+a")
        await wait_until(pilot, lambda: isinstance(app.screen, AttachPicker), what="picker")
        await _type(pilot, "shot.png")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AttachPicker)
        said = str(app.screen.query_one("#attach-error").render())
        assert "uses the aichat protocol, which takes text only" in said
        assert loopback.requests == []


async def test_the_attach_key_is_listed_in_help(
    loopback, profile_openai: Profile, app_dirs: Paths
) -> None:
    from aichat_tui.ui.screens.help import collect_bindings

    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(80, 24)):
        rows = {row.binding_id: row for row in collect_bindings(app.workspace)}
        assert rows["workspace.attach"].keys == "alt+a, f7"


async def test_editing_a_prompt_brings_its_files_back_as_chips(
    loopback, profile_openai: Profile, app_dirs: Paths, files: Path
) -> None:
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = app.workspace
        await _pick(pilot, app, "no")
        ws.composer.focus()
        await _type(pilot, "read")
        await pilot.press("enter")
        await wait_until(pilot, lambda: _idle(app), what="the reply")
        await pilot.press("f4")
        await wait_until(pilot, lambda: _chip_names(app) == ["notes.txt"], what="chips back")
        assert ws.composer.text == "read"
        ws.composer.text = "read again"
        await pilot.press("enter")
        await wait_until(pilot, lambda: _idle(app) and len(loopback.requests) == 2)
        sent = loopback.requests[-1].json()["messages"][-1]["content"]
        assert sent == "read again\n\nFile: notes.txt\n```txt\nalpha\nbeta\n```"
