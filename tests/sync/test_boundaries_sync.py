"""The sync package and ``aichat-tui sync`` never import Textual or Rich."""

from __future__ import annotations

import subprocess
import sys


def test_sync_imports_no_textual_or_rich(machines, remote) -> None:
    a, _ = machines
    code = (
        "import sys\n"
        "import aichat_tui.sync, aichat_tui.sync.driver, aichat_tui.sync.treemerge\n"
        "from aichat_tui.cli import main\n"
        f"code = main(['sync', '--config-dir', {str(a.paths.config_dir)!r}, "
        f"'--data-dir', {str(a.paths.data_dir)!r}, '--init', {str(remote)!r}])\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(code, ','.join(bad))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["0"], done.stdout + done.stderr
