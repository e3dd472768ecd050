"""Helpers for the reliability tests: the real app in a pseudo-terminal, a real
small tmpfs (for a full or read-only disk), a loopback server on its own thread,
and bounded polling."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from aichat_tui.models import Conversation, Profile, Settings
from aichat_tui.store import ConversationStore, Paths, save_settings

ROOT = Path(__file__).resolve().parents[2]
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
CTRL_Q = b"\x11"


def poll(condition: Callable[[], object], timeout: float = 20.0, what: str = "condition") -> None:
    """Call ``condition`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a child app: no proxy variables, a real terminal type."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env.pop("NO_COLOR", None)
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40", PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def run_cli(
    home: Path, *args: str, input: bytes | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m aichat_tui ARGS`` with config and data in ``home``; stdin empty
    unless ``input`` is given; output decoded."""
    proc = subprocess.run(
        [sys.executable, "-m", "aichat_tui", *args],
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        env=clean_env(
            AICHAT_TUI_CONFIG_DIR=str(home / "config"), AICHAT_TUI_DATA_DIR=str(home / "data")
        ),
        cwd=ROOT,
        timeout=timeout,
    )
    return subprocess.CompletedProcess(
        proc.args,
        proc.returncode,
        proc.stdout.decode(errors="replace"),
        proc.stderr.decode(errors="replace"),
    )


class PtyApp:
    """``python -m aichat_tui ARGS`` on the slave side of a real pseudo-terminal.

    Every byte the app writes to the terminal is collected in :attr:`output`
    (by a reader thread), so tests can assert what reached the terminal.
    """

    def __init__(
        self,
        args: list[str],
        *,
        cols: int = 120,
        rows: int = 40,
        env: dict[str, str] | None = None,
        module: str = "aichat_tui",
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.master = master
        self.output = bytearray()
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env or clean_env(),
            cwd=ROOT,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.2)
            except (OSError, ValueError):
                return
            if not ready:
                if self.proc.poll() is not None:
                    # drain what is left, then stop
                    with contextlib.suppress(OSError):
                        while select.select([self.master], [], [], 0.05)[0]:
                            data = os.read(self.master, 65536)
                            if not data:
                                break
                            with self._lock:
                                self.output += data
                    return
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: the slave side closed
                return
            if not data:
                return
            with self._lock:
                self.output += data

    def captured(self) -> bytes:
        """Everything written to the terminal so far."""
        with self._lock:
            return bytes(self.output)

    def write(self, data: bytes) -> None:
        """Type ``data`` (keys) into the terminal."""
        os.write(self.master, data)

    def wait_output(self, needle: bytes, timeout: float = 20.0) -> None:
        """Wait until ``needle`` was written to the terminal."""
        poll(
            lambda: needle in self.captured() or self.proc.poll() is not None,
            timeout,
            f"{needle!r} on the terminal",
        )
        if needle not in self.captured():
            raise AssertionError(f"app exited ({self.proc.returncode}) before showing {needle!r}")

    def type_prompt(self, text: str) -> None:
        """Type a prompt and press Enter, in one write as tmux send-keys does: the
        composer queues Enter behind the keys before it (tests/ui/test_pty.py)."""
        self.write(text.encode() + b"\r")

    def quit(self, timeout: float = 20.0) -> int:
        """Press Ctrl+Q and wait for the exit code."""
        self.write(CTRL_Q)
        try:
            return self.proc.wait(timeout)
        finally:
            self.close()

    def kill(self) -> None:
        """SIGKILL the app (no chance to save anything)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def close(self) -> None:
        """Kill the app if it still runs and release the terminal."""
        if self.proc.poll() is None:
            self.kill()
        self._reader.join(5)
        with contextlib.suppress(OSError):
            os.close(self.master)


def app_args(paths: Paths, base_url: str, *extra: str) -> list[str]:
    """Workspace arguments pointing the app at temp folders and an openai endpoint."""
    return [
        "--config-dir",
        str(paths.config_dir),
        "--data-dir",
        str(paths.data_dir),
        "--base-url",
        base_url,
        "--kind",
        "openai",
        "--model",
        "m",
        *extra,
    ]


def only_conversation(paths: Paths) -> Conversation | None:
    """The single stored conversation, read by a fresh store (None if none yet)."""
    store = ConversationStore(paths)
    summaries = store.list()
    if not summaries:
        return None
    return store.load(summaries[0].id)


def last_status(paths: Paths) -> str | None:
    """The status of the last message of the only conversation."""
    conv = only_conversation(paths)
    if conv is None or not conv.messages:
        return None
    return conv.messages[-1].status


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "256k") -> Iterator[Path]:
    """A real, small tmpfs mounted at ``path`` (skips the test where mounting is
    not permitted). Yields the mount point; unmounts afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def remount(path: Path, mode: str) -> None:
    """Remount the tmpfs at ``path`` ``ro`` or ``rw``."""
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True, capture_output=True)


def fill(folder: Path) -> Path:
    """Fill the file system holding ``folder`` until writes fail with ENOSPC."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        block = b"\0" * 4096
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, block)
        with contextlib.suppress(OSError):
            while True:  # the last few bytes
                os.write(fd, b"\0")
    finally:
        os.close(fd)
    return filler


def save_work_profile(paths: Paths, **fields: object) -> tuple[Profile, Settings]:
    """Save a profile named "work" as the default in ``paths``' config.toml.

    Defaults: an ``openai`` profile, model "m", no proxy; ``fields`` override them.
    """
    values: dict[str, object] = {"kind": "openai", "model": "m", "proxy": ""}
    values.update(fields)
    profile = Profile(name="work", **values)  # type: ignore[arg-type]
    settings = Settings(profiles={"work": profile}, default_profile="work")
    save_settings(paths, settings)
    return profile, settings
