"""CLI test fixtures: a loopback server on its own thread (the CLI runs in a
subprocess, so the server cannot share the test's event loop), temporary config and
data folders behind the environment overrides, and a runner for ``python -m aichat_tui``."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from aichat_tui.loopback import LoopbackServer
from aichat_tui.models import Conversation, Message, Profile, Settings

ROOT = Path(__file__).resolve().parents[2]
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def echo_reply(messages: list[dict]) -> str:
    """The loopback's reply in these tests: predictable and tied to the prompt."""
    return f"Echo: {messages[-1]['content'][:40]}\nSecond line of the reply."


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A loopback server (both protocols) running in a background thread."""
    srv = LoopbackServer(reply=echo_reply, chunk_chars=8)
    srv.start_in_thread()
    try:
        yield srv
    finally:
        srv.stop_thread()


@dataclass
class Cli:
    """Runs ``python -m aichat_tui`` against temporary folders."""

    config_dir: Path
    data_dir: Path
    env: dict[str, str]

    @property
    def paths(self):  # -> aichat_tui.store.Paths
        from aichat_tui.store import Paths

        return Paths.resolve(config_dir=self.config_dir, data_dir=self.data_dir)

    def store(self):  # -> ConversationStore
        from aichat_tui.store import ConversationStore

        self.paths.ensure()
        return ConversationStore(self.paths)

    def configure(self, *profiles: Profile, default: str | None = None) -> None:
        """Write config.toml with these profiles (the first is the default)."""
        from aichat_tui.store import save_settings

        self.paths.ensure()
        settings = Settings(
            profiles={p.name: p for p in profiles},
            default_profile=default or (profiles[0].name if profiles else None),
        )
        save_settings(self.paths, settings)

    def run(
        self, *args: str, input: str | bytes | None = None, timeout: float = 30
    ) -> subprocess.CompletedProcess[str]:
        """Run to completion; stdin is empty (not a TTY) unless ``input`` is given."""
        data = input.encode() if isinstance(input, str) else input
        proc = subprocess.run(
            [sys.executable, "-m", "aichat_tui", *args],
            input=data,
            stdin=subprocess.DEVNULL if data is None else None,
            capture_output=True,
            env=self.env,
            cwd=ROOT,
            timeout=timeout,
        )
        return subprocess.CompletedProcess(
            proc.args,
            proc.returncode,
            proc.stdout.decode("utf-8", errors="replace"),
            proc.stderr.decode("utf-8", errors="replace"),
        )

    def popen(self, *args: str) -> subprocess.Popen[bytes]:
        """Start without waiting (stdout/stderr piped, stdin empty)."""
        return subprocess.Popen(
            [sys.executable, "-m", "aichat_tui", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.env,
            cwd=ROOT,
        )

    def add_session(self, title: str, *turns: tuple[str, str], profile: str | None = None) -> str:
        """Store a conversation directly through the store; returns its id."""
        store = self.store()
        conv = Conversation(title=title, profile=profile)
        for role, text in turns:
            status = "complete" if role == "assistant" else None
            conv.messages.append(Message(role=role, content=text, status=status))  # type: ignore[arg-type]
        store.save(conv)
        return conv.id


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """A CLI runner whose config and data live in ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env.update(
        AICHAT_TUI_CONFIG_DIR=str(tmp_path / "config"),
        AICHAT_TUI_DATA_DIR=str(tmp_path / "data"),
        NO_PROXY="127.0.0.1,localhost",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    return Cli(config_dir=tmp_path / "config", data_dir=tmp_path / "data", env=env)


@pytest.fixture
def openai_profile(server: LoopbackServer) -> Profile:
    """An OpenAI-compatible profile on the loopback server."""
    return Profile(
        name="loop",
        kind="openai",
        base_url=server.openai_url,
        model="demo-model",
        timeout=10.0,
        proxy="",
    )


def read_until(
    proc: subprocess.Popen[bytes], predicate: Callable[[bytes], bool], deadline: float = 15.0
) -> bytes:
    """Read the process's stdout until ``predicate(data)`` holds (bounded wait)."""
    assert proc.stdout is not None
    data = b""
    end = time.monotonic() + deadline
    fd = proc.stdout.fileno()
    while not predicate(data):
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out; stdout so far: {data!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            piece = os.read(fd, 65536)
            if not piece:
                raise AssertionError(f"stdout closed early; got: {data!r}")
            data += piece
    return data


def ui_modules_after(cli: Cli, *argvs: list[str]) -> tuple[list[int], list[str], str]:
    """Run ``main(argv)`` for each argv in one fresh interpreter (stdin closed);
    return their exit codes, the Textual/Rich modules that ended up imported, and
    what they printed on stdout."""
    code = (
        "import json, sys\n"
        "from aichat_tui.cli import main\n"
        f"codes = [main(argv) for argv in {argvs!r}]\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(json.dumps([codes, bad]), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=cli.env,
        cwd=ROOT,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    codes, bad = json.loads(out.stderr.strip().splitlines()[-1])
    return codes, bad, out.stdout
