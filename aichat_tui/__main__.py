"""Allow ``python -m aichat_tui``."""

from __future__ import annotations

from aichat_tui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
