"""One assistant reply as the engine runs it: its state, text and outcome."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aichat_tui.engine.state import ReplyState
from aichat_tui.models import Conversation, Message, Profile, Usage
from aichat_tui.sanitize import StreamSanitizer

if TYPE_CHECKING:
    from aichat_tui.engine.journal import Journal
    from aichat_tui.engine.listener import ReplyListener


@dataclass(eq=False)
class Reply:
    """A reply streaming into ``message`` (the last message of ``conv``).

    ``raw`` is every character received (saved as is); ``shown`` the sanitized text
    a screen may display; ``reasoning`` the sanitized reasoning text, if any.
    ``error`` is the (scrubbed) reason of an ERROR; ``save_error`` why the final
    save failed (the text is then kept in memory and in the crash journal).
    """

    conv: Conversation
    message: Message
    profile: Profile
    model: str | None = None
    listener: ReplyListener | None = None
    state: ReplyState = ReplyState.QUEUED
    host: str = ""
    raw: str = ""
    shown: str = ""
    reasoning: str = ""
    raw_reasoning: str = ""  # as received (saved); ``reasoning`` is the sanitized view
    finish_reason: str | None = None  # what the server said (stop, length, ...)
    tool_names: tuple[str, ...] | None = None  # set when the model asked for tools
    usage: Usage | None = None
    thinking_started: float | None = None  # loop time of the first reasoning piece
    thinking_ended: float | None = None  # loop time of the first answer piece after it
    error: str | None = None
    save_error: str | None = None
    #: the exception behind an ERROR (for exit codes; never shown unscrubbed)
    exception: BaseException | None = field(default=None, repr=False)
    #: True once its conversation was deleted: nothing of it is saved any more.
    discarded: bool = False
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    sanitizer: StreamSanitizer = field(default_factory=StreamSanitizer, repr=False)
    reasoning_sanitizer: StreamSanitizer = field(default_factory=StreamSanitizer, repr=False)
    journal: Journal | None = field(default=None, repr=False)
    _done: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def conv_id(self) -> str:
        """The conversation this reply belongs to."""
        return self.conv.id

    @property
    def done(self) -> bool:
        """Whether the reply is over (COMPLETE, INTERRUPTED or ERROR)."""
        return self.state.final

    async def wait(self) -> ReplyState:
        """Wait until the reply is over; its final state. For ``ask`` and tests:
        the workspace never waits on a reply, it listens."""
        await self._done.wait()
        return self.state
