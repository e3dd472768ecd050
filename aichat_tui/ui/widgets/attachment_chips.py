"""The files attached to the message being written, as chips above the composer.

Each chip shows the name and size; pressing it (Enter or Space when focused,
Delete or Backspace, or a click) removes that file. Hidden when empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.containers import HorizontalScroll
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.widgets import Button

from aichat_tui.attachments.limits import human_size
from aichat_tui.models import Attachment
from aichat_tui.sanitize import one_line


class AttachmentChip(Button):
    """One attached file; pressing it removes it."""

    BINDINGS = [
        Binding("delete,backspace", "press", "Remove", show=False, id="attach.remove"),
    ]

    def __init__(self, attachment: Attachment) -> None:
        label = f"{one_line(attachment.name, 40)} {human_size(attachment.size)} ×"
        super().__init__(Content(label), compact=True, classes="attachment-chip")
        self.attachment = attachment
        self.tooltip = f"{attachment.name} — press to remove"


class AttachmentChips(HorizontalScroll):
    """The chips; ``attachments`` is what the next message will carry."""

    DEFAULT_CSS = """
    AttachmentChips { height: 1; display: none; scrollbar-size-horizontal: 0; }
    AttachmentChips.-has-files { display: block; }
    AttachmentChips .attachment-chip { margin-right: 1; }
    """

    @dataclass
    class Changed(TextualMessage):
        """A file was added or removed."""

        chips: AttachmentChips

        @property
        def control(self) -> AttachmentChips:
            """The chips."""
            return self.chips

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.attachments: list[Attachment] = []

    async def add(self, attachment: Attachment) -> None:
        """Show one more file."""
        self.attachments.append(attachment)
        await self.mount(AttachmentChip(attachment))
        self._changed()

    async def remove_attachment(self, attachment: Attachment) -> None:
        """Drop one file (by identity)."""
        for chip in self.query(AttachmentChip):
            if chip.attachment is attachment:
                await chip.remove()
        self.attachments = [a for a in self.attachments if a is not attachment]
        self._changed()

    async def clear(self) -> list[Attachment]:
        """Drop every chip; returns the files they held (sending takes them)."""
        taken, self.attachments = self.attachments, []
        await self.remove_children()
        self._changed()
        return taken

    def _changed(self) -> None:
        self.set_class(bool(self.attachments), "-has-files")
        self.post_message(self.Changed(self))

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if isinstance(event.button, AttachmentChip):
            await self.remove_attachment(event.button.attachment)
