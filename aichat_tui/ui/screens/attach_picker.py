"""The file picker for attachments: a path input with completion from the
current folder, and a folder tree for browsing. Keyboard first, fits 80x24.

Type a path (Tab completes it, as in a shell; Enter attaches the file or opens
the folder), or Tab again into the tree (arrows, Enter attaches a file).
The file is read here, so a refusal (too big, binary, not an image the
backend can take) is shown in the dialog, which stays open; Escape closes it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import DirectoryTree, Input, Label

from aichat_tui.attachments.paths import complete_path
from aichat_tui.attachments.reading import AttachmentError, read_path
from aichat_tui.models import Attachment
from aichat_tui.sanitize import one_line

Validate = Callable[[Attachment], str | None]
"""Returns why an attachment cannot be added (one line), or None."""


class PathSuggester(Suggester):
    """Suggests the completion of the path typed so far (see complete_path)."""

    def __init__(self, cwd: Path) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.cwd = cwd

    async def get_suggestion(self, value: str) -> str | None:
        found = complete_path(value, self.cwd)
        return found if found and found != value else None


class PathInput(Input):
    """The path input: Tab completes (when there is something to add), else
    moves on to the tree."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False, id="attach.complete")]

    def __init__(self, cwd: Path, **kwargs: object) -> None:
        super().__init__(suggester=PathSuggester(cwd), **kwargs)  # type: ignore[arg-type]
        self.cwd = cwd

    def action_complete(self) -> None:
        found = complete_path(self.value, self.cwd)
        if found and found != self.value:
            self.value = found
            self.cursor_position = len(found)
        else:
            self.screen.focus_next()


class AttachTree(DirectoryTree):
    """A folder tree without hidden entries."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if not p.name.startswith(".")]


class AttachPicker(ModalScreen[Attachment | None]):
    """Dismisses with the attachment read from the chosen file, or None."""

    DEFAULT_CSS = """
    AttachPicker .dialog { width: 76; height: 20; max-height: 95%; }
    AttachPicker #attach-error { color: $error; height: auto; }
    AttachPicker AttachTree { height: 1fr; margin-top: 1; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="attach.cancel")]

    def __init__(self, cwd: str | Path | None = None, validate: Validate | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.cwd = Path(cwd or os.getcwd())
        self.validate = validate

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(f"Attach a file  (from {self.cwd})"), classes="dialog-title")
            yield PathInput(self.cwd, id="attach-path", placeholder="path/to/file")
            yield Label(Content(""), id="attach-error")
            yield Label(
                Content("Tab completes · Enter attaches · Tab again: browse · Esc cancels"),
                classes="dialog-hint",
            )
            yield AttachTree(self.cwd, id="attach-tree")

    def on_mount(self) -> None:
        self.query_one(PathInput).focus()

    def _error(self, text: str) -> None:
        self.query_one("#attach-error", Label).update(Content(one_line(text, 300)))

    def _resolve(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.cwd / path

    def attach(self, path: Path) -> None:
        """Read ``path`` and close with it, or say why it cannot be attached."""
        try:
            if path.exists() and not path.is_dir() and not path.is_file():
                raise AttachmentError(f"{path.name} is not a regular file")  # FIFO, device
            attachment = read_path(path)
        except AttachmentError as exc:
            self._error(str(exc))
            return
        problem = self.validate(attachment) if self.validate is not None else None
        if problem:
            self._error(problem)
            return
        self.dismiss(attachment)

    @on(Input.Submitted, "#attach-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if not value:
            self._error("type a path, or Tab to the tree to browse")
            return
        path = self._resolve(value)
        if path.is_dir():
            self.query_one(AttachTree).path = path
            shown = value if value.endswith("/") else value + "/"
            self.query_one(PathInput).value = shown
            self._error("")
            return
        self.attach(path)

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.attach(Path(event.path))

    def action_cancel(self) -> None:
        self.dismiss(None)
