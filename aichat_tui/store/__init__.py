"""Persistence for aichat-tui: locations, settings and conversations.

No Textual or Rich here. Everything public is re-exported below.
"""

from __future__ import annotations

import importlib
from typing import Any

from aichat_tui.store.atomic import atomic_write, clean_stale_temps
from aichat_tui.store.config import (
    default_settings,
    load_settings,
    parse_cookie_header,
    save_settings,
)
from aichat_tui.store.conversations import ConversationStore, LoadProblem
from aichat_tui.store.errors import (
    ConfigError,
    ConversationFileError,
    ConversationNotFound,
    LockTimeout,
    SaveError,
    StoreError,
)
from aichat_tui.store.lock import FileLock
from aichat_tui.store.partial import PartialWriter
from aichat_tui.store.paths import CONFIG_ENV, DATA_ENV, Paths
from aichat_tui.store.trash import TrashEntry

# Imported when first asked for: the workspace's start-up needs neither (issue 6).
_LAZY = {
    "from_json": "aichat_tui.store.export",
    "to_json": "aichat_tui.store.export",
    "to_markdown": "aichat_tui.store.export",
    "SearchHit": "aichat_tui.store.search",
}


def __getattr__(name: str) -> Any:
    """``from aichat_tui.store import to_json`` and friends, imported on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "CONFIG_ENV",
    "DATA_ENV",
    "ConfigError",
    "ConversationFileError",
    "ConversationNotFound",
    "ConversationStore",
    "FileLock",
    "LoadProblem",
    "LockTimeout",
    "PartialWriter",
    "Paths",
    "SaveError",
    "SearchHit",
    "StoreError",
    "TrashEntry",
    "atomic_write",
    "clean_stale_temps",
    "default_settings",
    "from_json",
    "load_settings",
    "parse_cookie_header",
    "save_settings",
    "to_json",
    "to_markdown",
]
