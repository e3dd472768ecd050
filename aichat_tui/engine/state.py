"""The states one reply goes through, and which moves between them are allowed."""

from __future__ import annotations

from enum import Enum

from aichat_tui.models import MessageStatus


class ReplyState(Enum):
    """Where one reply is: waiting, on its way, or finished (one of three ways)."""

    QUEUED = "queued"  # created and saved as a placeholder, its task not yet running
    CONNECTING = "connecting"  # the request is sent, no byte of the reply yet
    THINKING = "thinking"  # reasoning text arrives (models that think aloud)
    STREAMING = "streaming"  # reply text arrives
    COMPLETE = "complete"
    INTERRUPTED = "interrupted"  # stopped: by the user, a newer prompt, a quit
    ERROR = "error"  # the server or the network failed (text received is kept)

    @property
    def final(self) -> bool:
        """Whether the reply is over."""
        return self in FINAL

    @property
    def status(self) -> MessageStatus:
        """The status saved on the message (final states only)."""
        if self is ReplyState.COMPLETE:
            return "complete"
        if self is ReplyState.ERROR:
            return "error"
        # Anything unfinished is saved as interrupted: a crash leaves it so.
        return "interrupted"


FINAL = frozenset({ReplyState.COMPLETE, ReplyState.INTERRUPTED, ReplyState.ERROR})

#: The moves a reply may make; a final state is never left.
TRANSITIONS: dict[ReplyState, frozenset[ReplyState]] = {
    ReplyState.QUEUED: frozenset({ReplyState.CONNECTING, *FINAL}),
    ReplyState.CONNECTING: frozenset({ReplyState.THINKING, ReplyState.STREAMING, *FINAL}),
    ReplyState.THINKING: frozenset({ReplyState.STREAMING, *FINAL}),
    ReplyState.STREAMING: frozenset({ReplyState.THINKING, *FINAL}),
    ReplyState.COMPLETE: frozenset(),
    ReplyState.INTERRUPTED: frozenset(),
    ReplyState.ERROR: frozenset(),
}


def can_move(old: ReplyState, new: ReplyState) -> bool:
    """Whether ``old`` -> ``new`` is an allowed move (staying put is not a move)."""
    return new in TRANSITIONS[old]
