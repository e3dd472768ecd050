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
  each side keeps its own order (times are not used: clocks and hand edits lie);
- except for branches (issue 13): a message new on disk that is a new sibling
  of a message both sides had (an edited prompt, a regenerated reply), or that
  hangs off a message not on our active path, keeps its parent and joins our
  other branches, with everything new below it. Our active path stays the one
  we show; two instances adding different branches keep both.
"""

from __future__ import annotations

import copy

from aichat_tui import branches
from aichat_tui.models import Conversation, Message
from aichat_tui.store.toml_codec import aware

META_FIELDS = ("title", "profile", "model", "temperature", "top_p", "max_tokens", "system_prompt")


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

    branches.link(ours)
    branches.link(disk)
    # parents that already had a child in the base: a new child there is a branch
    forked = {
        m.parent
        for m in (*branches.all_messages(ours), *branches.all_messages(disk))
        if m.id in base_ids
    }
    _update_common(ours, disk)
    known = {m.id for m in branches.all_messages(ours)}
    merged = list(ours.messages)
    ids = [m.id for m in merged]
    previous: str | None = None
    off: set[str] = set()  # new disk messages sent to our other branches
    for theirs in disk.messages:
        if theirs.id in known:
            previous = theirs.id
        elif theirs.id not in base_ids:
            parent = theirs.parent
            on_ours = parent is None or parent in ids
            if parent in off or parent in forked or not on_ours:
                ours.off_path.append(copy.copy(theirs))
                off.add(theirs.id)
            else:
                at = ids.index(previous) + 1 if previous is not None else 0
                merged.insert(at, copy.copy(theirs))
                ids.insert(at, theirs.id)
            previous = theirs.id
            known.add(theirs.id)
    ours.messages[:] = merged
    ours.off_path.extend(
        copy.copy(m) for m in disk.off_path if m.id not in known and m.id not in base_ids
    )
    branches.normalize(ours)


def _update_common(ours: Conversation, disk: Conversation) -> None:
    """For a message both sides hold, the complete (else longer) text wins; the
    message stays where we have it in the tree."""
    theirs_by_id = {m.id: m for m in branches.all_messages(disk)}
    for group in (ours.messages, ours.off_path):
        for index, mine in enumerate(group):
            theirs = theirs_by_id.get(mine.id)
            if theirs is not None and mine.role == theirs.role and _rank(theirs) > _rank(mine):
                better = copy.copy(theirs)
                better.parent = mine.parent
                group[index] = better
