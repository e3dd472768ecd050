"""``python -m aichat_tui.loopback``: the loopback server in the foreground."""

from __future__ import annotations

from aichat_tui.loopback.cli import main

raise SystemExit(main())
