"""Copy text to the clipboard: OSC 52 always, plus the system clipboard if any.

OSC 52 goes through the terminal, so it reaches the user's local clipboard over
SSH and inside tmux (with ``set -g set-clipboard on``). pyperclip is optional:
when it is installed and a system clipboard exists it is used as well.
"""

from __future__ import annotations

from textual.app import App

from aichat_tui.sanitize import strip_control


def _system_copy(text: str) -> bool:
    try:
        import pyperclip  # optional; not a dependency
    except ImportError:
        return False
    try:
        pyperclip.copy(text)
    except Exception:  # pyperclip raises its own errors when no clipboard exists
        return False
    return True


def copy(app: App[object], text: str) -> str:
    """Copy ``text`` (control sequences stripped) and return the copied text."""
    clean = strip_control(text)
    app.copy_to_clipboard(clean)
    _system_copy(clean)
    return clean
