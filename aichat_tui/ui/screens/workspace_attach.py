"""Attaching files in the workspace (a mixin of
:class:`~aichat_tui.ui.screens.workspace.WorkspaceScreen`).

The picker (``workspace.attach``, the palette) and a path pasted or typed alone
in the composer both end as a chip above the composer; sending takes the chips
with the message. Each conversation keeps its own unsent chips, like its draft.
A file is refused in one line when it cannot go: too big, binary, already
attached, over the message's limits, or an image for an aichat profile.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from aichat_tui.attachments.reading import (
    AttachmentError,
    check_message,
    encoding_note,
    read_path,
)
from aichat_tui.models import Attachment, Conversation
from aichat_tui.sanitize import one_line
from aichat_tui.ui.widgets.attachment_chips import AttachmentChips
from aichat_tui.ui.widgets.composer import Composer

if TYPE_CHECKING:
    from aichat_tui.ui.app import AichatApp


class AttachMixin:
    """The workspace's side of attachments."""

    conv: Conversation | None
    aichat: AichatApp
    composer: Composer
    #: unsent chips of the conversations not shown (id -> files)
    attachment_drafts: dict[str, list[Attachment]]

    if TYPE_CHECKING:  # provided by Textual's Screen

        def query_one(self, selector: type[AttachmentChips]) -> AttachmentChips: ...
        def call_later(self, callback: object, *args: object) -> bool: ...

    @property
    def chips(self) -> AttachmentChips:
        """The chips above the composer."""
        return self.query_one(AttachmentChips)

    def attach_cwd(self) -> Path:
        """The folder the picker starts in (where aichat-tui was started)."""
        return Path(os.getcwd())

    def attachment_problem(self, attachment: Attachment) -> str | None:
        """Why ``attachment`` cannot join the next message (one line), or None."""
        existing = self.chips.attachments
        if any(a.sha256 == attachment.sha256 for a in existing):
            return f"{attachment.name} is attached already"
        try:
            check_message([*existing, attachment])
        except AttachmentError as exc:
            return str(exc)
        profile = self.aichat.profile_for(self.conv)
        if attachment.is_image and profile is not None and profile.kind == "aichat":
            return (
                f"profile '{profile.name}' uses the aichat protocol, which takes text only: "
                f"the image {attachment.name} cannot be sent"
            )
        return None

    def action_attach(self) -> None:
        """Open the file picker; the chosen file becomes a chip."""
        from aichat_tui.ui.screens.attach_picker import AttachPicker

        def done(result: Attachment | None) -> None:
            if result is not None:
                self.call_later(self.add_attachment, result)
            else:
                self.composer.focus()

        self.aichat.push_screen(
            AttachPicker(self.attach_cwd(), validate=self.attachment_problem), done
        )

    async def add_attachment(self, attachment: Attachment) -> None:
        """Show ``attachment`` as a chip (already checked); tell about its encoding."""
        await self.chips.add(attachment)
        note = encoding_note(attachment)
        if note:
            self.aichat.notify(one_line(note, 300), markup=False)
        self.composer.focus()

    def on_composer_path_dropped(self, event: Composer.PathDropped) -> None:
        """A path alone in the composer: ask whether to attach that file."""
        from aichat_tui.ui.screens.confirm import ConfirmScreen

        text = self.composer.text.strip()
        path = event.path

        async def done(yes: bool | None) -> None:
            if not yes:
                self.composer.declined_path = text  # Enter now sends it as text
                self.composer.focus()
                return
            try:
                attachment = read_path(path)
            except AttachmentError as exc:
                problem: str | None = str(exc)
            else:
                problem = self.attachment_problem(attachment)
            if problem:
                self.aichat.notify(one_line(problem, 300), severity="error", markup=False)
                self.composer.declined_path = text
                self.composer.focus()
                return
            self.composer.text = ""
            await self.add_attachment(attachment)

        self.aichat.push_screen(
            ConfirmScreen(
                "Attach this file?",
                f"{path}\n\ny attaches it to your message; Escape keeps the path as text.",
                yes="Attach",
                no="Keep as text",
            ),
            done,
        )

    def on_attachment_chips_changed(self, event: AttachmentChips.Changed) -> None:
        self.composer.has_attachments = bool(event.chips.attachments)

    async def take_attachments(self) -> list[Attachment]:
        """The files for the message being sent (the chips are emptied)."""
        return await self.chips.clear()

    async def swap_attachments(self, leaving: str | None, entering: str | None) -> None:
        """Keep the unsent chips of ``leaving`` and show those of ``entering``. With
        nothing open before (a session is being created to send), the chips stay."""
        if leaving is None or leaving == entering:
            return
        taken = await self.chips.clear()
        if taken:
            self.attachment_drafts[leaving] = taken
        for attachment in self.attachment_drafts.pop(entering, []) if entering else []:
            await self.chips.add(attachment)

    async def show_attachments(self, attachments: list[Attachment]) -> None:
        """Replace the chips with ``attachments`` (editing a prompt keeps its files)."""
        await self.chips.clear()
        for attachment in attachments:
            await self.chips.add(attachment)
