"""The conversation engine: replies, their states, their journal and their saving.

No Textual or Rich here. ``core`` holds :class:`ChatEngine` (send, stop, retry,
edit-and-resend, delete), ``state`` the reply state machine, ``reply`` one running
reply, ``listener`` the callbacks the workspace and ``ask`` supply, ``journal``
the crash-recovery sidecar and ``stream`` the one function that reads a client.
"""

from __future__ import annotations

from aichat_tui.engine.core import DEFAULT_TITLE, ChatEngine, title_for
from aichat_tui.engine.listener import ReplyListener
from aichat_tui.engine.reply import Reply
from aichat_tui.engine.state import FINAL, ReplyState, can_move
from aichat_tui.engine.stream import build_request

__all__ = [
    "DEFAULT_TITLE",
    "FINAL",
    "ChatEngine",
    "Reply",
    "ReplyListener",
    "ReplyState",
    "build_request",
    "can_move",
    "title_for",
]
