"""Everything that knows Textual: the app, its screens and widgets."""

from __future__ import annotations

from aichat_tui.ui.app import AichatApp

__all__ = ["AichatApp"]
