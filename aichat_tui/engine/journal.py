"""The crash journal of one reply: its partial-text sidecar, tolerant of a bad disk.

The sidecar only protects against a crash, so when the disk refuses it (full,
read-only) the reply streams on without it rather than failing.
"""

from __future__ import annotations

from aichat_tui.store import ConversationStore, PartialWriter, StoreError


class Journal:
    """Keeps ``<conv>.<msg>.partial.json`` in step with the text received so far."""

    def __init__(
        self,
        store: ConversationStore | None,
        conv_id: str,
        message_id: str,
        *,
        parent: str | None = None,
    ) -> None:
        """``parent``: the message the reply answers, so a crash recovers the reply
        onto its own branch (issue 13)."""
        self._writer: PartialWriter | None = None
        if store is None:
            return
        try:
            self._writer = store.partial_writer(conv_id, message_id, parent=parent)
        except (StoreError, OSError):
            self._writer = None

    @property
    def active(self) -> bool:
        """Whether a sidecar is being kept."""
        return self._writer is not None

    def update(self, raw: str) -> None:
        """Record the whole text so far (written at most once a second)."""
        if self._writer is None:
            return
        try:
            self._writer.update(raw)
        except (StoreError, OSError):
            self._drop()

    def close(self, saved: bool) -> None:
        """The reply is over: remove the sidecar when the conversation was saved with
        it; otherwise keep it on disk, so the next start still recovers the text."""
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            writer.close() if saved else writer.detach()
        except (StoreError, OSError):
            writer.close()

    def _drop(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.close()
            except OSError:
                pass
