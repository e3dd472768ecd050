"""Merging a conversation that another instance changed on disk.

Three-way, with the base being what this object was last synced with:

- messages are keyed by id; the result holds ours plus every disk message that
  is new to us (not in the base). A message we removed since the base stays
  removed; one only the other side removed is kept (never lose text);
- for a message on both sides the complete one, else the longer one, wins;
- metadata fields we did not change since the base take the disk's value,
  the ones we changed keep ours (so the last writer of a field wins);
- a message new on disk goes right after the message that precedes it on
  disk, so concurrent appends end up as "theirs (saved first), then ours" and
  each side keeps its own order (times are not used: clocks and hand edits lie).
"""

from __future__ import annotations

import copy

from aichat_tui.models import Conversation, Message
from aichat_tui.store.toml_codec import aware

META_FIELDS = ("title", "profile", "model", "temperature", "top_p", "system_prompt")


def _rank(message: Message) -> tuple[bool, int]:
    return (message.status in (None, "complete"), len(message.content))


def merge_into(
    ours: Conversation,
    disk: Conversation,
    base_meta: dict[str, object] | None,
    base_ids: set[str],
) -> None:
    """Fold ``disk`` into ``ours`` in place (see the module docstring)."""
    for name in META_FIELDS:
        if base_meta is not None and getattr(ours, name) == base_meta.get(name):
            setattr(ours, name, getattr(disk, name))
    ours.updated = max(aware(ours.updated), aware(disk.updated))
    ours.created = min(aware(ours.created), aware(disk.created))

    merged = list(ours.messages)
    ids = [m.id for m in merged]
    previous: str | None = None
    for theirs in disk.messages:
        if theirs.id in ids:
            index = ids.index(theirs.id)
            mine = merged[index]
            if mine.role == theirs.role and _rank(theirs) > _rank(mine):
                merged[index] = copy.copy(theirs)
            previous = theirs.id
        elif theirs.id not in base_ids:
            at = ids.index(previous) + 1 if previous is not None else 0
            merged.insert(at, copy.copy(theirs))
            ids.insert(at, theirs.id)
            previous = theirs.id
    ours.messages[:] = merged
