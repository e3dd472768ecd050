"""The bytes a real terminal receives carry no control sequence from model text.

Runs the app in a pseudo-terminal, answers with a reply full of escape
sequences (OSC 52 clipboard, OSC 0 title, OSC 8 hyperlink, CSI clear screen,
8-bit CSI, bidi override) and inspects every byte written to the terminal.
It also types the prompt and Enter in one write, as tmux send-keys or a fast
typist does: Enter must send the whole prompt, not what was processed so far.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import textwrap
import time
from pathlib import Path

CHILD = textwrap.dedent(
    """
    import sys
    from aichat_tui.loopback import LoopbackServer
    from aichat_tui.models import Profile, Settings
    from aichat_tui.store import Paths
    from aichat_tui.ui.app import AichatApp

    REPLY = (
        "start of reply \\x1b]52;c;cHduZWQ=\\x07 \\x1b]0;pwned-title\\x07 "
        "\\x1b]8;;https://evil.example/\\x1b\\\\label\\x1b]8;;\\x1b\\\\ \\x1b[2J\\x1b[5;5H "
        "\\x9b2J \\u202eevil-bidi \\x1bP+q\\x1b\\\\ end of reply"
    )
    server = LoopbackServer(reply=lambda messages: REPLY, chunk_chars=4)
    server.start_in_thread()
    root = sys.argv[1]
    paths = Paths.resolve(config_dir=root + "/config", data_dir=root + "/data")
    profile = Profile(name="t", kind="openai", base_url=server.openai_url, proxy="")
    settings = Settings(profiles={"t": profile}, default_profile="t")
    AichatApp(paths=paths, settings=settings).run()
    server.stop_thread()
    """
)


def _read_until(fd: int, marker: bytes, buffer: bytearray, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while marker not in buffer:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            buffer.extend(data)
    return True


def test_terminal_bytes_have_no_control_sequences_from_content(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    env.pop("TEXTUAL", None)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    os.close(slave)
    out = bytearray()
    try:
        assert _read_until(master, b"Enter sends", out, 30), out[-2000:]
        os.write(master, b"hello\r")
        assert _read_until(master, b"end of reply", out, 30), out[-2000:]
        mark = len(out)
        os.write(master, b"\x11")  # ctrl+q
        child.wait(timeout=15)
        _read_until(master, b"\x00never", out, 0.5)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    assert mark > 0
    text = out.decode("utf-8", errors="replace")
    assert "start of reply" in text
    for payload in ("]52;c;cHduZWQ", "pwned-title", "evil.example", "\x1bP+q", "\u202e", "\x9b"):
        assert payload not in text, f"{payload!r} reached the terminal"
    assert "evil-bidi" in text  # the text itself is shown, without the override
