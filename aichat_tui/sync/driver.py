"""The git merge driver: ``python -m aichat_tui.sync.driver %O %A %B %P``.

git runs it when both sides changed one of the synced files. Conversations (and
their trash tombstones) are merged message by message (:mod:`.merge`) and the
result written over ``%A``; for a theme or the repository's own set-up files this
machine's version is kept. A file that cannot be read as a conversation is left
as it was and the exit status 1 tells git the merge failed: ``aichat-tui sync``
then undoes the whole merge, so a failure never leaves conflict markers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from aichat_tui.store.atomic import atomic_write


def merge_driver(base: str, ours: str, theirs: str, name: str = "") -> int:
    """Merge one file for git; 0 when ``ours`` now holds the merge, 1 otherwise."""
    from aichat_tui.store.errors import StoreError
    from aichat_tui.sync.layout import kind_of
    from aichat_tui.sync.merge import merge_files

    relpath = name.replace("\\", "/")
    kind = kind_of(relpath) if relpath else "conversation"
    if kind not in ("conversation", "trash"):
        return 0  # a theme or a set-up file: keep this machine's version
    try:
        text = merge_files(Path(base), Path(ours), Path(theirs), Path(relpath or ours))
        atomic_write(Path(ours), text.encode("utf-8"), durable=False)
    except (StoreError, OSError, ValueError) as exc:
        print(f"aichat-tui merge driver: {relpath or ours}: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point for git (arguments: base, ours, theirs, [path])."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (3, 4):
        print("usage: python -m aichat_tui.sync.driver BASE OURS THEIRS [PATH]", file=sys.stderr)
        return 2
    return merge_driver(*args)


if __name__ == "__main__":
    sys.exit(main())
