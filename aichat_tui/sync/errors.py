"""What can go wrong while syncing, as one line for the user and a kind for the UI."""

from __future__ import annotations

from typing import Literal

Kind = Literal[
    "no-git",  # git is not installed or not on PATH
    "not-set-up",  # no repository in the data folder or no remote configured
    "offline",  # the remote cannot be reached
    "auth",  # the remote refused our credentials
    "rejected",  # the push was refused (after retrying)
    "unrelated",  # the remote holds a history unrelated to ours
    "broken",  # the local repository is in a state we do not touch
    "conflict",  # a merge could not be completed; nothing was changed
    "busy",  # another sync is running
    "error",  # anything else git reported
]


class SyncError(Exception):
    """A sync that did not complete. ``str()`` is one line; nothing local was lost."""

    def __init__(self, kind: Kind, message: str) -> None:
        super().__init__(message)
        self.kind: Kind = kind


__all__ = ["Kind", "SyncError"]
