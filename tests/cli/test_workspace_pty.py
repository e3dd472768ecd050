"""The workspace opened by the real console entry point in a pseudo-terminal:
``--demo`` and the one-off endpoint options reach the app."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator

import pytest

from aichat_tui.loopback import LoopbackServer
from tests.cli.conftest import ROOT, Cli

CSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
READY = "Message…"


class Terminal:
    """A child process on a pty of 120x40; ``screen_text`` is its output, CSI removed."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "aichat_tui", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "TERM": "xterm-256color"},
            cwd=ROOT,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.raw = b""

    @property
    def text(self) -> str:
        return CSI.sub(b"", self.raw).decode("utf-8", errors="replace")

    def wait_for(self, needle: str, deadline: float = 20.0) -> None:
        end = time.monotonic() + deadline
        while needle not in self.text:
            left = end - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise AssertionError(f"{needle!r} not shown; tail: {self.text[-600:]!r}")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if ready:
                try:
                    self.raw += os.read(self.master, 65536)
                except OSError:
                    break

    def type(self, data: str) -> None:
        os.write(self.master, data.encode())

    def close(self, timeout: float = 15.0) -> int:
        end = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.raw += os.read(self.master, 65536)
                except OSError:
                    break
        if self.proc.poll() is None:
            self.proc.kill()
        code = self.proc.wait(5)
        os.close(self.master)
        return code


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for term in opened:
        if term.proc.poll() is None:
            term.proc.kill()
            term.proc.wait(5)


def test_demo_streams_a_reply_and_writes_nothing(cli: Cli, terminals: list[Terminal]) -> None:
    term = Terminal(["--demo"], cli.env)
    terminals.append(term)
    term.wait_for(READY)
    term.type("hello from the demo")
    term.wait_for("hello from the demo")
    term.type("\r")
    term.wait_for("You said: hello from the demo")
    term.type("\x11")  # Ctrl+Q
    assert term.close() == 0
    assert not cli.config_dir.exists() and not cli.data_dir.exists()


def test_endpoint_options_reach_the_workspace(
    cli: Cli, server: LoopbackServer, terminals: list[Terminal]
) -> None:
    term = Terminal(
        ["--base-url", server.openai_url, "--model", "override-model", "--proxy", "", "--new"],
        cli.env,
    )
    terminals.append(term)
    term.wait_for(READY)
    term.type("which model?")
    term.wait_for("which model?")
    term.type("\r")
    term.wait_for("Echo: which model?")
    term.type("\x11")
    assert term.close() == 0
    sent = [r.json() for r in server.requests if r.path.endswith("/chat/completions")]
    assert sent and sent[-1]["model"] == "override-model"
    assert not cli.paths.config_file.exists()  # overrides are never saved
