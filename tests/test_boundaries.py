"""The domain (client, store, models) never imports Textual or Rich."""

from __future__ import annotations

import subprocess
import sys

DOMAIN_MODULES = [
    "aichat_tui.models",
    "aichat_tui.sanitize",
    "aichat_tui.client",
    "aichat_tui.store",
    "aichat_tui.loopback",
    "aichat_tui.engine",
    "aichat_tui.attachments.reading",
    "aichat_tui.attachments.wire",
    "aichat_tui.store.attachments",
]


def test_domain_imports_no_textual_or_rich() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in DOMAIN_MODULES)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"domain pulled in UI modules: {out}"


def test_version_flag() -> None:
    from aichat_tui import __version__

    out = subprocess.run(
        [sys.executable, "-m", "aichat_tui", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert __version__ in out.stdout
