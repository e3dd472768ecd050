"""How the engine tells the outside world (the workspace, ``ask``, sync) what happens.

Listeners are plain synchronous callbacks: the engine never awaits its audience,
so a slow or broken listener cannot stall a reply. A listener that raises is
logged and skipped; the others still hear of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aichat_tui.engine.reply import Reply
    from aichat_tui.models import Conversation

log = logging.getLogger(__name__)


class ReplyListener:
    """Override what you need; every method does nothing by default."""

    def reply_state(self, reply: Reply) -> None:
        """``reply.state`` changed (``reply.host`` names the server while CONNECTING).
        Also called for the final state, just before :meth:`reply_finished`."""

    def reply_text(self, reply: Reply, piece: str) -> None:
        """More reply text arrived: ``piece`` is sanitized (safe to show);
        ``reply.shown`` holds all of it so far, ``reply.raw`` the bytes as received."""

    def reply_reasoning(self, reply: Reply, piece: str) -> None:
        """More reasoning text arrived (sanitized), for servers that send it."""

    def reply_notice(self, reply: Reply, text: str) -> None:
        """Something the user should hear while the reply waits (an automatic
        retry after 429/5xx, with the wait)."""

    def reply_finished(self, reply: Reply) -> None:
        """The reply ended: COMPLETE, INTERRUPTED or ERROR; it is saved unless
        ``reply.save_error`` says why not (or the conversation was deleted)."""

    def save_failed(self, conv: Conversation, problem: str) -> None:
        """Saving ``conv`` failed; it stays in memory and the next save writes it all."""


class Listeners:
    """A fan-out to many listeners, each call guarded."""

    def __init__(self) -> None:
        self._items: list[ReplyListener] = []

    def add(self, listener: ReplyListener) -> Callable[[], None]:
        """Subscribe ``listener``; returns the function that unsubscribes it."""
        self._items.append(listener)

        def remove() -> None:
            if listener in self._items:
                self._items.remove(listener)

        return remove

    def emit(self, name: str, *args: object, extra: ReplyListener | None = None) -> None:
        """Call ``name(*args)`` on every listener (and ``extra``), in order."""
        targets = [*self._items, extra] if extra is not None else list(self._items)
        for listener in targets:
            try:
                getattr(listener, name)(*args)
            except Exception:  # one broken listener must not stop the reply or the others
                log.exception("reply listener %r failed in %s", listener, name)
