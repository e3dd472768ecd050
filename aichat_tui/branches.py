"""A conversation as a tree of messages (issue 13), as plain functions.

``Conversation.messages`` is the *active path*: the branch the screen shows, the
server receives and ``ask -c`` continues, root first. Every other message lives in
``Conversation.off_path``. Each message names its ``parent`` (None for a root).
Along the active path the parents follow from the list order, so code that
appends to ``messages`` keeps working: :func:`link` writes those parents in.

Siblings (the versions of one turn) are ordered by creation time, then id, so a
regenerated reply is always the last of its siblings. No I/O, no Textual.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aichat_tui.models import Conversation, Message


def _order(message: Message) -> tuple[datetime, str]:
    when = message.time
    return (when if when.tzinfo is not None else when.replace(tzinfo=UTC), message.id)


def link(conv: Conversation) -> None:
    """Set the parents along the active path from its order, and make an
    off-path message whose parent is gone a root (nothing is ever dropped)."""
    previous: str | None = None
    for message in conv.messages:
        message.parent = previous
        previous = message.id
    if conv.off_path:
        known = {m.id for m in conv.messages}
        known.update(m.id for m in conv.off_path)
        for message in conv.off_path:
            if message.parent is not None and message.parent not in known:
                message.parent = None


def normalize(conv: Conversation) -> None:
    """:func:`link`, then list the other branches in :func:`tree_order` (as files
    hold them, so a conversation equals itself read back)."""
    link(conv)
    if conv.off_path:
        conv.off_path[:] = tree_order(conv)


def all_messages(conv: Conversation) -> list[Message]:
    """Every message of the tree: the active path, then the other branches."""
    return [*conv.messages, *conv.off_path]


def children(conv: Conversation) -> dict[str | None, list[Message]]:
    """Each message id (None: the roots) to its children, in sibling order."""
    link(conv)
    kids: dict[str | None, list[Message]] = {}
    for message in all_messages(conv):
        kids.setdefault(message.parent, []).append(message)
    for group in kids.values():
        group.sort(key=_order)
    return kids


def find(conv: Conversation, message_id: str) -> Message | None:
    """The message with this id anywhere in the tree."""
    for message in all_messages(conv):
        if message.id == message_id:
            return message
    return None


def siblings(conv: Conversation, message_id: str) -> list[Message]:
    """The versions of a turn: the message and every message sharing its parent,
    in order (a message without siblings gives a list of one; unknown id: [])."""
    link(conv)
    target = find(conv, message_id)
    if target is None:
        return []
    group = [m for m in all_messages(conv) if m.parent == target.parent]
    group.sort(key=_order)
    return group


def versions(conv: Conversation) -> dict[str, tuple[int, int]]:
    """For every message with siblings: (its 1-based place, how many there are),
    as the ``‹ 2/3 ›`` in its header. One pass over the tree."""
    out: dict[str, tuple[int, int]] = {}
    for group in children(conv).values():
        if len(group) > 1:
            for place, message in enumerate(group, start=1):
                out[message.id] = (place, len(group))
    return out


def path_to(conv: Conversation, message_id: str) -> list[Message]:
    """The messages from a root down to ``message_id`` (empty for an unknown id)."""
    link(conv)
    by_id = {m.id: m for m in all_messages(conv)}
    chain: list[Message] = []
    seen: set[str] = set()
    current = by_id.get(message_id)
    while current is not None and current.id not in seen:
        seen.add(current.id)
        chain.append(current)
        current = by_id.get(current.parent) if current.parent is not None else None
    chain.reverse()
    return chain


def leaves(conv: Conversation) -> list[Message]:
    """The last message of every branch, in tree order (depth first, siblings in
    order): branch ``i`` of ``len(leaves)``."""
    kids = children(conv)
    out: list[Message] = []
    stack = list(reversed(kids.get(None, [])))
    seen: set[str] = set()
    while stack:
        message = stack.pop()
        if message.id in seen:
            continue
        seen.add(message.id)
        below = kids.get(message.id, [])
        if below:
            stack.extend(reversed(below))
        else:
            out.append(message)
    return out


def newest_leaf(conv: Conversation, message_id: str) -> Message | None:
    """The most recently created leaf under (or at) ``message_id``."""
    kids = children(conv)
    start = find(conv, message_id)
    if start is None:
        return None
    best: Message | None = None
    stack = [start]
    seen: set[str] = set()
    while stack:
        message = stack.pop()
        if message.id in seen:
            continue
        seen.add(message.id)
        below = kids.get(message.id, [])
        if not below and (best is None or _order(message) > _order(best)):
            best = message
        stack.extend(below)
    return best


def set_active(conv: Conversation, message_id: str) -> None:
    """Make the path from a root to ``message_id`` the active path (the branch
    ends there even if the message has children). Unknown ids change nothing."""
    path = path_to(conv, message_id)
    if not path:
        return
    on_path = {m.id for m in path}
    rest = [m for m in all_messages(conv) if m.id not in on_path]
    conv.messages[:] = path
    conv.off_path[:] = rest
    if rest:
        conv.off_path[:] = tree_order(conv)


def activate(conv: Conversation, leaf_id: str | None) -> None:
    """Make ``leaf_id`` the end of the active path; when it is None or unknown,
    the most recently created leaf (a file or export that names none)."""
    if leaf_id is None or find(conv, leaf_id) is None:
        tips = leaves(conv)
        leaf_id = max(tips, key=_order).id if tips else None
    if leaf_id is not None:
        set_active(conv, leaf_id)


def switch_to(conv: Conversation, message_id: str) -> None:
    """Show the branch through ``message_id``, following its most recent leaf
    (what choosing a sibling does)."""
    leaf = newest_leaf(conv, message_id)
    if leaf is not None:
        set_active(conv, leaf.id)


def step_sibling(conv: Conversation, message_id: str, delta: int) -> Message | None:
    """Switch to the previous (``delta`` -1) or next (+1) sibling of a message;
    returns that sibling, or None when there is none that way."""
    group = siblings(conv, message_id)
    ids = [m.id for m in group]
    if message_id not in ids:
        return None
    at = ids.index(message_id) + delta
    if not 0 <= at < len(group):
        return None
    switch_to(conv, group[at].id)
    return group[at]


def add_branch(conv: Conversation, parent_id: str | None, message: Message) -> None:
    """Add ``message`` as a new child of ``parent_id`` (None: a new root) and make
    it the end of the active path; the branch it replaces stays in the tree.
    Editing a prompt is ``add_branch(conv, prompt.parent, new_prompt)``;
    regenerating a reply is ``add_branch(conv, reply.parent, new_reply)``."""
    link(conv)
    if parent_id is not None and find(conv, parent_id) is None:
        raise KeyError(f"no message {parent_id!r} in this conversation")
    message.parent = parent_id
    conv.off_path.append(message)
    set_active(conv, message.id)


def tree_order(conv: Conversation) -> list[Message]:
    """The off-path messages, depth first with siblings in order (the order files
    list them in, so a person reads each branch top to bottom)."""
    if not conv.off_path:
        return []
    kids = children(conv)
    off = {m.id for m in conv.off_path}
    out: list[Message] = []
    stack = list(reversed(kids.get(None, [])))
    seen: set[str] = set()
    while stack:
        message = stack.pop()
        if message.id in seen:
            continue
        seen.add(message.id)
        if message.id in off:
            out.append(message)
        stack.extend(reversed(kids.get(message.id, [])))
    # a cycle written by hand is unreachable from the roots: keep those too
    out.extend(m for m in conv.off_path if m.id not in seen)
    return out


def branch_count(conv: Conversation) -> int:
    """How many branches (leaves) the tree has; 1 for a linear conversation."""
    return max(1, len(leaves(conv))) if conv.off_path else 1


def fork_index(path: list[Message], other: Iterable[Message]) -> int:
    """How many leading messages ``other`` shares with ``path``."""
    count = 0
    for mine, theirs in zip(path, other, strict=False):
        if mine.id != theirs.id:
            break
        count += 1
    return count
