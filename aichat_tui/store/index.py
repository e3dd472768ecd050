"""The sidebar index: conversation summaries cached in ``index.json``.

It is a cache, never the truth: each entry remembers the file's inode, mtime
and size, and an entry whose file changed is rebuilt from the file. A missing
or corrupt index is rebuilt silently. Listing 1,000 unchanged conversations
therefore reads one small JSON file and stats 1,000 files, parsing none.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aichat_tui.models import Conversation, ConversationSummary
from aichat_tui.store.atomic import atomic_write, read_limited
from aichat_tui.store.errors import SaveError
from aichat_tui.store.toml_codec import aware

INDEX_VERSION = 1
INDEX_SIZE_LIMIT = 64 * 2**20

Stamp = tuple[int, int, int]  # (inode, mtime_ns, size)


def stamp_of(st: os.stat_result) -> Stamp:
    """What identifies one version of a file: atomic replaces change the inode."""
    return (st.st_ino, st.st_mtime_ns, st.st_size)


@dataclass
class IndexEntry:
    """One conversation's summary plus the stamp of the file it came from."""

    stamp: Stamp
    summary: ConversationSummary

    def to_json(self) -> dict[str, Any]:
        s = self.summary
        return {
            "stamp": list(self.stamp),
            "title": s.title,
            "created": s.created.isoformat(),
            "updated": s.updated.isoformat(),
            "count": s.message_count,
            "profile": s.profile,
            "model": s.model,
        }

    @classmethod
    def from_json(cls, conv_id: str, raw: dict[str, Any]) -> IndexEntry:
        ino, mtime, size = (int(x) for x in raw["stamp"])
        summary = ConversationSummary(
            id=conv_id,
            title=str(raw["title"]),
            created=aware(datetime.fromisoformat(raw["created"])),
            updated=aware(datetime.fromisoformat(raw["updated"])),
            message_count=int(raw["count"]),
            profile=raw.get("profile"),
            model=raw.get("model"),
        )
        return cls((ino, mtime, size), summary)


# A summary's title is shown on one line; a hand-made 50 MB title must not make
# index.json (read on every start) 50 MB.
SUMMARY_TITLE_LIMIT = 1000


def summarize(conv: Conversation) -> ConversationSummary:
    """The summary of a loaded conversation (the title cut to SUMMARY_TITLE_LIMIT)."""
    return ConversationSummary(
        id=conv.id,
        title=conv.title[:SUMMARY_TITLE_LIMIT],
        created=aware(conv.created),
        updated=aware(conv.updated),
        message_count=len(conv.messages),
        profile=conv.profile,
        model=conv.model,
    )


class Index:
    """In-memory index backed by ``index.json``; :meth:`flush` writes it if changed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, IndexEntry] = {}
        self.dirty = False
        self._mutex = threading.Lock()  # a UI may save from a worker thread while listing
        self._load()

    def _load(self) -> None:
        try:
            # read_limited: a FIFO or device put here must not block the start.
            raw = json.loads(read_limited(self.path, INDEX_SIZE_LIMIT).decode("utf-8"))
            if raw.get("version") != INDEX_VERSION:
                raise ValueError("other version")
            self.entries = {
                conv_id: IndexEntry.from_json(conv_id, body)
                for conv_id, body in raw["entries"].items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.entries = {}  # rebuilt from the files as they are listed
            self.dirty = self.path.exists()

    def get(self, conv_id: str, stamp: Stamp) -> ConversationSummary | None:
        """The cached summary if the file is still the one it was built from."""
        entry = self.entries.get(conv_id)
        if entry is not None and entry.stamp == stamp:
            return entry.summary
        return None

    def put(self, conv_id: str, stamp: Stamp, summary: ConversationSummary) -> None:
        """Record a summary for a file version."""
        with self._mutex:
            self.entries[conv_id] = IndexEntry(stamp, summary)
            self.dirty = True

    def drop(self, conv_id: str) -> None:
        """Forget a conversation."""
        with self._mutex:
            if self.entries.pop(conv_id, None) is not None:
                self.dirty = True

    def keep_only(self, conv_ids: set[str]) -> None:
        """Forget entries whose files are gone."""
        for conv_id in [c for c in list(self.entries) if c not in conv_ids]:
            self.drop(conv_id)

    def flush(self) -> None:
        """Write the index if it changed. Failures are ignored: it is only a cache."""
        with self._mutex:
            if not self.dirty:
                return
            entries = dict(self.entries)
            self.dirty = False
        body = {
            "version": INDEX_VERSION,
            "entries": {conv_id: e.to_json() for conv_id, e in entries.items()},
        }
        try:
            # a cache: a torn or empty index after a power loss is just rebuilt
            data = json.dumps(body, ensure_ascii=True).encode("ascii")
            atomic_write(self.path, data, durable=False)
        except SaveError:
            self.dirty = True
