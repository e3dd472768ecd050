"""Found by hand (qa): ``ask`` when standard output cannot be written.

``aichat-tui ask x >/dev/full`` printed ~2,800 lines of tracebacks and exited 0,
and ``ask x >&-`` (stdout closed) the same: the reply was lost with no word.
Now: one line on stderr naming the problem, a failure exit code, the partial
reply still saved in the session.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile
from tests.cli.conftest import ROOT, Cli


def _ask(cli: Cli, stdout: int | None, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aichat_tui", "ask", *args],
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=cli.env,
        cwd=ROOT,
        text=True,
        timeout=60,
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_on_stdout_is_one_error_line_and_a_failure(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    server.push(Behaviour(text="word " * 3000, chunk_chars=20))
    with open("/dev/full", "w") as full:
        out = _ask(cli, full.fileno(), "--save", "fill it")
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    assert "standard output" in lines[0] and "No space left" in lines[0]
    [summary] = cli.store().list()
    saved = cli.store().load(summary.id)
    assert saved.messages[-1].role == "assistant"


def test_a_closed_stdout_is_one_error_line_and_a_failure(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    server.push(Behaviour(text="word " * 500, chunk_chars=20))
    out = subprocess.run(
        ["sh", "-c", f'exec "{sys.executable}" -m aichat_tui ask closed >&-'],
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=cli.env,
        cwd=ROOT,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    assert "standard output: it is closed" in lines[0]
