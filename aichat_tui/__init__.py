"""aichat-tui: a keyboard-first terminal chat workspace for LLM backends."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
