"""Time ``aichat-tui sync`` on 500 conversations of 10 messages, two machines and a
bare repository in a temp folder (issue 15):

    python -m tests.perf.probe_sync

Prints the first machine's set-up and push, the second machine's set-up (500
conversations coming in), a sync with nothing to do, and a sync merging 20
conversations changed on both machines. git's user and system configuration are
shut out (a temp HOME), as in the tests.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aichat_tui.models import Message
from aichat_tui.store import ConversationStore, Paths, load_settings
from aichat_tui.sync import init, sync


def _timed(label: str, run: Callable[[], object]) -> object:
    start = time.perf_counter()
    result = run()
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return result


def main() -> None:
    """Run the probe once."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "home").mkdir()
        os.environ.update(HOME=str(root / "home"), GIT_CONFIG_NOSYSTEM="1")
        remote = str(root / "remote.git")
        subprocess.run(["git", "init", "-q", "--bare", remote], check=True)
        a = Paths.resolve(root / "a" / "config", root / "a" / "data")
        b = Paths.resolve(root / "b" / "config", root / "b" / "data")
        store_a = ConversationStore(a)
        for i in range(500):
            conv = store_a.create(title=f"conversation {i}")
            conv.messages += [Message("user", f"message {j} " * 50) for j in range(10)]
            store_a.save(conv)
        _timed("set up and push 500 conversations", lambda: init(a, load_settings(a), remote))
        _timed("second machine set up (500 in)", lambda: init(b, load_settings(b), remote))
        _timed("sync with nothing to do", lambda: sync(a, load_settings(a)))
        store_b = ConversationStore(b)
        for store, text in ((store_b, "from b"), (store_a, "from a")):
            for summary in store.list()[:20]:
                conv = store.load(summary.id)
                conv.messages.append(Message("user", text))
                store.save(conv)
        sync(b, load_settings(b))
        _timed("sync merging 20 conversations changed on both", lambda: sync(a, load_settings(a)))


if __name__ == "__main__":
    main()
