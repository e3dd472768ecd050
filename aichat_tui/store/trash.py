"""The trash folder: deleted conversations, kept 30 days, restorable.

A deleted conversation's file moves to ``trash/<id>.toml``; its modification
time is set to the deletion time, which is what the 30-day purge looks at. Its
attachment folder ``<id>.files`` (images) moves with it, both ways, and is
purged with it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aichat_tui.store import schema
from aichat_tui.store.atomic import fsync_dir, read_limited
from aichat_tui.store.attachments import FILES_SUFFIX, AttachmentFiles
from aichat_tui.store.errors import ConversationFileError, ConversationNotFound, StoreError
from aichat_tui.store.paths import Paths

TRASH_DAYS = 30


@dataclass
class TrashEntry:
    """One deleted conversation."""

    id: str
    title: str
    deleted: datetime
    message_count: int


class Trash:
    """Moves files into and out of ``paths.trash_dir``."""

    def __init__(self, paths: Paths) -> None:
        self.folder = paths.trash_dir

    def put(self, conv_id: str, path: Path) -> None:
        """Move ``path`` into the trash (replacing an older trashed copy of it)."""
        target = self.folder / f"{conv_id}.toml"
        try:
            os.replace(path, target)
            os.utime(target)
            fsync_dir(self.folder)
            fsync_dir(path.parent)
        except OSError as exc:
            raise StoreError(f"cannot move {path} to the trash: {exc.strerror}") from exc
        # Then the images: images never sit in the trash without their conversation
        # (the purge removes such folders), whatever moment a kill strikes.
        AttachmentFiles.move(path.parent / f"{conv_id}{FILES_SUFFIX}", self._files(conv_id))

    def take(self, conv_id: str, path: Path) -> None:
        """Move a trashed conversation back to ``path``."""
        source = self.folder / f"{conv_id}.toml"
        if not source.is_file():
            raise ConversationNotFound(conv_id, "the trash")
        if os.path.lexists(path):
            raise StoreError(f"cannot restore {conv_id}: {path} exists")
        # the images first, for the same reason as in put()
        AttachmentFiles.move(self._files(conv_id), path.parent / f"{conv_id}{FILES_SUFFIX}")
        try:
            os.replace(source, path)
            fsync_dir(path.parent)
        except OSError as exc:
            raise StoreError(f"cannot restore {conv_id}: {exc.strerror}") from exc

    def _files(self, conv_id: str) -> Path:
        return self.folder / f"{conv_id}{FILES_SUFFIX}"

    def entries(self) -> list[TrashEntry]:
        """What is in the trash, most recently deleted first (damaged files skipped)."""
        found: list[TrashEntry] = []
        for path in self.folder.glob("*.toml"):
            try:
                conv = schema.loads(read_limited(path, 64 * 1024 * 1024), path)
                deleted = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            except (OSError, ValueError, ConversationFileError):
                continue
            found.append(TrashEntry(path.stem, conv.title, deleted, len(conv.messages)))
        found.sort(key=lambda e: e.deleted, reverse=True)
        return found

    def purge(self, days: float = TRASH_DAYS) -> list[Path]:
        """Delete trash entries older than ``days``; returns what was removed."""
        removed: list[Path] = []
        limit = time.time() - days * 86400
        for path in self.folder.glob("*.toml"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed.append(path)
            except OSError:
                continue
        for folder in self.folder.glob(f"*{FILES_SUFFIX}"):
            # images of a purged conversation (or left by a kill mid-move)
            if not (self.folder / f"{folder.name[: -len(FILES_SUFFIX)]}.toml").exists():
                AttachmentFiles.remove(folder)
                removed.append(folder)
        return removed
