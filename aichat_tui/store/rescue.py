"""Last resort when quitting cannot save: a private copy of each unsaved
conversation in the temporary folder (usually another disk), and the words
that tell the user where it is."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from aichat_tui.models import Conversation
from aichat_tui.sanitize import one_line
from aichat_tui.store import schema
from aichat_tui.store.atomic import atomic_write


def rescue_folder() -> Path:
    """Where rescue copies go: a private folder under the temporary directory."""
    return Path(tempfile.gettempdir()) / f"aichat-tui-rescue-{os.getuid()}"


def rescue_unsaved(convs: list[Conversation], folder: Path | None = None) -> list[str]:
    """Write each conversation as ``<id>.toml`` under ``folder`` (default
    :func:`rescue_folder`); the warning lines for stderr, one per conversation,
    each saying where its copy is (or that none could be written)."""
    folder = folder or rescue_folder()
    lines = [
        f"aichat-tui: warning: {len(convs)} conversation(s) could not be saved before quitting."
    ]
    for conv in convs:
        title = one_line(conv.title, 60)
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)
            target = folder / f"{conv.id}.toml"
            atomic_write(target, schema.dumps(conv).encode("utf-8"))
        except OSError as exc:
            lines.append(f"  “{title}”: LOST, no copy could be written ({exc.strerror or exc})")
            continue
        lines.append(
            f"  “{title}”: a copy is in {target} (put it back in the conversations "
            "folder once the disk works again)"
        )
    return lines
