"""Three-way merge of two versions of a conversation file, for git.

It is the store's own merge (:func:`aichat_tui.store.merge.merge_into`, the one
concurrent writers on one machine use), with the common ancestor as the base:
messages are merged by id (nobody's messages are lost), each side's order kept
(the other side's new messages first), branches kept (issue 13). A setting or
title changed on both sides takes the value of the side changed last (its
``updated`` time).
"""

from __future__ import annotations

import copy
from pathlib import Path

from aichat_tui import branches
from aichat_tui.models import Conversation
from aichat_tui.store import schema
from aichat_tui.store.merge import META_FIELDS, merge_into
from aichat_tui.store.toml_codec import aware


def merge_conversations(
    base: Conversation | None, ours: Conversation, theirs: Conversation
) -> Conversation:
    """The merge of ``ours`` and ``theirs`` (``base``: their common ancestor, None
    when both sides added the file). The arguments are not changed."""
    result = copy.deepcopy(ours)
    base_meta = {name: getattr(base, name) for name in META_FIELDS} if base else None
    base_ids = {m.id for m in branches.all_messages(base)} if base else set()
    theirs_later = aware(theirs.updated) > aware(ours.updated)
    merge_into(result, theirs, base_meta, base_ids)
    for name in META_FIELDS:
        mine, other = getattr(ours, name), getattr(theirs, name)
        changed_both = base_meta is None or (mine != base_meta[name] and other != base_meta[name])
        if mine != other and changed_both and theirs_later:
            setattr(result, name, other)
    return result


def _read(path: Path, name: Path) -> Conversation | None:
    data = path.read_bytes()
    if not data.strip():
        return None  # git passes an empty base when both sides added the file
    conv = schema.loads(data, name)
    conv.id = name.stem
    return conv


def merge_files(base: Path, ours: Path, theirs: Path, name: Path) -> str:
    """The merged text of three versions of the conversation file ``name``
    (raises ConversationFileError when one cannot be read as a conversation)."""
    mine = _read(ours, name)
    other = _read(theirs, name)
    if mine is None or other is None:
        kept = mine or other
        return schema.dumps(kept) if kept is not None else ""
    return schema.dumps(merge_conversations(_read(base, name), mine, other))
