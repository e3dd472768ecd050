"""Sync conversations and user themes between machines through git (issue 15).

No Textual here. ``aichat-tui sync --init REMOTE`` makes the data folder a git
repository (:mod:`.repo`), ``aichat-tui sync`` commits, fetches, merges with the
store's merge (:mod:`.driver`, never conflict markers) and pushes (:mod:`.run`).
git runs as a subprocess (:mod:`.git`); only conversations, their trash and themes
may be committed (:mod:`.layout`).
"""

from __future__ import annotations

from aichat_tui.sync.errors import SyncError
from aichat_tui.sync.run import SyncReport, init, secrets_of, sync

__all__ = ["SyncError", "SyncReport", "init", "secrets_of", "sync"]
