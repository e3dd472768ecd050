"""Merging a conversation that another instance changed on disk.

Three-way, with the base being what this object was last synced with:

- messages are keyed by id; the result holds ours plus every disk message that
  is new to us (not in the base). A message we removed since the base stays
  removed; one only the other side removed is kept (never lose text);
- for a message on both sides the complete one, else the longer one, wins;
- metadata fields we did not change since the base take the disk's value,
  the ones we changed keep ours (so the last writer of a field wins);
- the result is ordered by message time (stable for equal times).
"""

from __future__ import annotations

import copy

from aichat_tui.models import Conversation, Message

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
    ours.updated = max(ours.updated, disk.updated)
    ours.created = min(ours.created, disk.created)

    position = {m.id: i for i, m in enumerate(ours.messages)}
    merged = list(ours.messages)
    for theirs in disk.messages:
        index = position.get(theirs.id)
        if index is not None:
            mine = merged[index]
            if mine.role == theirs.role and _rank(theirs) > _rank(mine):
                merged[index] = copy.copy(theirs)
        elif theirs.id not in base_ids:
            merged.append(copy.copy(theirs))
    merged.sort(key=lambda m: m.time)
    ours.messages[:] = merged
