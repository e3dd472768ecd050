"""Merging the remote's commit into ours file by file, with the store's merge.

git's own tree merge is not used: its rename detection would pair a conversation
moved to the trash on one machine with an edit of it on the other and put the
edit in the trash (and which git versions honour ``merge.renames=false`` varies).
The layout is flat and known, so each path is decided here from three versions
(base, ours, theirs): a side that did not change it yields to the side that did;
changed on both sides, conversations and trash entries are merged message by
message (:mod:`.merge`), an edit beats a deletion, and for a theme this machine's
version stays. A conversation that ends up both in ``conversations/`` and in
``trash/`` was deleted on one machine and changed on the other: the trash copy is
merged into it, the tombstone dropped and the user told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aichat_tui.models import Conversation
from aichat_tui.store import schema
from aichat_tui.store.errors import ConversationFileError
from aichat_tui.sync import layout
from aichat_tui.sync.errors import SyncError
from aichat_tui.sync.merge import merge_conversations

Tree = dict[str, str]  # path -> blob id
Blobs = dict[str, bytes]  # blob id -> content


@dataclass
class Plan:
    """What the merge changes here: path -> new bytes (None: delete), and notes."""

    writes: dict[str, bytes | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def needed_blobs(base: Tree, ours: Tree, theirs: Tree) -> set[str]:
    """The blob ids :func:`plan_merge` may read: every version of the paths that
    differ, and of the conversations present both alive and in the trash."""
    paths = {p for p in set(ours) | set(theirs) if ours.get(p) != theirs.get(p)}
    everywhere = set(ours) | set(theirs)
    for path in everywhere:
        if path.startswith("trash/") and path.endswith(".toml"):
            live = "conversations/" + path[6:]
            if live in everywhere:
                paths.update((path, live))
                prefix = path[: -len(".toml")] + ".files/"
                paths.update(p for p in everywhere if p.startswith(prefix))
    return {b for p in paths for b in (base.get(p), ours.get(p), theirs.get(p)) if b}


def _conv(blobs: Blobs, blob: str | None, path: str) -> Conversation | None:
    if blob is None:
        return None
    try:
        conv = schema.loads(blobs[blob], Path(path))
    except ConversationFileError as exc:
        raise SyncError(
            "conflict", f"{path} cannot be merged: {exc.detail}; nothing was changed"
        ) from None
    conv.id = Path(path).stem
    return conv


def plan_merge(base: Tree, ours: Tree, theirs: Tree, blobs: Blobs) -> Plan:
    """Decide every path (see the module docstring). Raises SyncError("conflict")
    for a file that cannot be read, or one that is not a synced kind."""
    plan = Plan()
    result: dict[str, bytes | None] = {}  # final content of the paths decided here
    for path in sorted(set(ours) | set(theirs)):
        mine, other, old = ours.get(path), theirs.get(path), base.get(path)
        if mine == other or old == other:
            continue  # nothing new from them
        kind = layout.kind_of(path)
        if kind is None:
            raise SyncError(
                "conflict",
                f"the remote holds {path}, which is not a conversation or a theme; "
                "nothing was changed",
            )
        if old == mine:
            result[path] = None if other is None else blobs[other]
        elif mine is None or other is None:
            # deleted on one side, changed on the other: the change stays
            result[path] = blobs[mine or other]  # type: ignore[index]
        elif kind in ("conversation", "trash"):
            merged = merge_conversations(
                _conv(blobs, old, path), _conv(blobs, mine, path), _conv(blobs, other, path)
            )  # type: ignore[arg-type]
            result[path] = schema.dumps(merged).encode("utf-8")
        # else: a theme or set-up file changed on both sides: ours stays
    _fold_tombstones(base, ours, theirs, blobs, result, plan)
    plan.writes.update(result)
    return plan


def _fold_tombstones(
    base: Tree, ours: Tree, theirs: Tree, blobs: Blobs, result: dict[str, bytes | None], plan: Plan
) -> None:
    """A conversation both alive and in the trash after the merge was deleted on
    one machine and changed on the other: keep it, with the trash copy merged in."""
    trashed = {p for p in (set(ours) | set(theirs)) if layout.kind_of(p) == "trash"}
    for tomb in sorted(trashed):
        tomb_final = result[tomb] if tomb in result else _blob(blobs, ours.get(tomb))
        live = "conversations/" + tomb[len("trash/") :]
        live_final = result[live] if live in result else _blob(blobs, ours.get(live))
        if tomb_final is None or live_final is None:
            continue
        kept = _conv({"x": live_final}, "x", live)
        deleted = _conv({"x": tomb_final}, "x", tomb)
        assert kept is not None and deleted is not None
        old = _conv(blobs, base.get(live), live)
        merged = merge_conversations(old, kept, deleted)
        result[live] = schema.dumps(merged).encode("utf-8")
        result[tomb] = None
        _bring_back_images(tomb, ours, theirs, blobs, result)
        if tomb in theirs and tomb not in ours:
            plan.notes.append(
                f"{merged.title!r} was deleted on another machine but changed here: kept it "
                "(it comes back there at its next sync)"
            )
        else:
            plan.notes.append(
                f"{merged.title!r} was deleted here but changed on another machine: it is back"
            )


def _bring_back_images(
    tomb: str, ours: Tree, theirs: Tree, blobs: Blobs, result: dict[str, bytes | None]
) -> None:
    """The images of a conversation taken back from the trash go back with it."""
    prefix = tomb[: -len(".toml")] + ".files/"
    for path in sorted(p for p in set(ours) | set(theirs) if p.startswith(prefix)):
        data = result[path] if path in result else _blob(blobs, ours.get(path))
        if data is None:
            continue
        result["conversations/" + path[len("trash/") :]] = data
        result[path] = None


def _blob(blobs: Blobs, blob: str | None) -> bytes | None:
    return None if blob is None else blobs[blob]
