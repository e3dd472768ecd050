"""The attachment picker, chips and the composer's path offer, by keyboard, in a
small app of their own (the workspace wiring is tested in test_attach_workspace)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input, Label

from aichat_tui.models import Attachment
from aichat_tui.ui.screens.attach_picker import AttachPicker, AttachTree
from aichat_tui.ui.widgets.attachment_chips import AttachmentChip, AttachmentChips
from aichat_tui.ui.widgets.composer import Composer
from tests.attachments.images import png_bytes


class Harness(App[None]):
    """Chips above a composer; the picker's result goes into the chips."""

    def __init__(self, cwd: Path) -> None:
        super().__init__()
        self.cwd = cwd
        self.results: list[Attachment | None] = []
        self.dropped: list[Path] = []
        self.sent: list[str] = []

    def compose(self) -> ComposeResult:
        yield AttachmentChips(id="chips")
        yield Composer(id="composer")

    async def pick(self) -> None:
        def done(result: Attachment | None) -> None:
            self.results.append(result)
            if result is not None:
                self.call_later(self.query_one(AttachmentChips).add, result)

        await self.push_screen(AttachPicker(self.cwd), done)

    def on_composer_path_dropped(self, event: Composer.PathDropped) -> None:
        self.dropped.append(event.path)

    def on_composer_submitted(self, event: Composer.Submitted) -> None:
        self.sent.append(event.text)


async def until(pilot, predicate, limit: float = 60.0) -> None:
    """Let the app run until ``predicate()`` holds (the tree loads folders in a
    worker that never ends, so there is no worker to wait for)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not predicate():
        assert loop.time() < deadline, "the condition was not reached"
        await pilot.pause(0.02)


def _files(tmp_path: Path) -> Path:
    (tmp_path / "notes.txt").write_text("hello\n", encoding="utf-8")
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "shot.png").write_bytes(png_bytes())
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 4)
    return tmp_path


async def test_typing_with_tab_completion_attaches_a_text_file(tmp_path: Path) -> None:
    app = Harness(_files(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.pick()
        await pilot.pause()
        await pilot.press("n", "o", "tab")  # completes to notes.txt
        assert app.screen.query_one(Input).value == "notes.txt"
        await pilot.press("enter")
        await pilot.pause()
        (result,) = app.results
        assert result is not None and (result.name, result.text) == ("notes.txt", "hello\n")
        chips = app.query_one(AttachmentChips)
        await pilot.pause()
        assert [c.attachment.name for c in chips.query(AttachmentChip)] == ["notes.txt"]
        assert "notes.txt 6 B ×" in str(chips.query_one(AttachmentChip).label)


async def test_browsing_the_tree_by_keyboard_attaches_an_image(tmp_path: Path) -> None:
    app = Harness(_files(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.pick()
        await pilot.pause()
        await pilot.press("tab")  # empty input: on to the tree
        tree = app.screen.query_one(AttachTree)
        assert tree.has_focus
        # the root's entries, sorted folders first: pics/, blob.bin, notes.txt
        await until(pilot, lambda: len(tree.root.children) == 3)
        await pilot.press("down")  # pics
        assert tree.cursor_node is not None and tree.cursor_node.label.plain == "pics"
        await pilot.press("enter")  # expand
        pics = tree.cursor_node
        await until(pilot, lambda: len(pics.children) == 1)
        await pilot.press("down")  # its first entry
        assert tree.cursor_node is not None and tree.cursor_node.label.plain == "shot.png"
        await pilot.press("enter")
        await pilot.pause()
        (result,) = app.results
        assert result is not None and result.media_type == "image/png"
        assert result.data == png_bytes()


async def test_a_refused_file_is_explained_and_the_picker_stays_open(tmp_path: Path) -> None:
    app = Harness(_files(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.pick()
        await pilot.pause()
        for key in "blob.bin":
            await pilot.press(key)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AttachPicker)
        said = str(app.screen.query_one("#attach-error", Label).render())
        assert "blob.bin is a binary file" in said
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


async def test_chips_are_removed_by_keyboard(tmp_path: Path) -> None:
    app = Harness(_files(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        chips = app.query_one(AttachmentChips)
        assert not chips.display or not chips.has_class("-has-files")
        for name in ("a.txt", "b.txt"):
            await chips.add(Attachment(name=name, size=3, media_type="text/plain", sha256="0"))
        await pilot.pause()
        assert chips.has_class("-has-files")
        first = chips.query(AttachmentChip).first()
        first.focus()
        await pilot.press("delete")
        await pilot.pause()
        assert [a.name for a in chips.attachments] == ["b.txt"]
        chips.query(AttachmentChip).first().focus()
        await pilot.press("enter")
        await pilot.pause()
        assert chips.attachments == [] and not chips.has_class("-has-files")


async def test_a_pasted_path_alone_is_offered_and_other_text_is_not(tmp_path: Path) -> None:
    app = Harness(_files(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        composer = app.query_one(Composer)
        composer.focus()
        await pilot.pause()
        composer.post_message(events.Paste(f"'{tmp_path / 'notes.txt'}'"))
        await pilot.pause()
        assert app.dropped == [tmp_path / "notes.txt"]
        composer.text = "see notes.txt please"
        await pilot.press("enter")
        await pilot.pause()
        assert app.sent == ["see notes.txt please"] and len(app.dropped) == 1
        # typed then Enter: offered; declined once, Enter sends it as text
        composer.text = str(tmp_path / "notes.txt")
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.dropped) == 2
        composer.declined_path = str(tmp_path / "notes.txt")
        await pilot.press("enter")
        await pilot.pause()
        assert app.sent[-1] == str(tmp_path / "notes.txt")
