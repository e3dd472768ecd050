"""A real terminal for the benchmarks: a private tmux server with 120x40 panes.

``Tmux`` starts its own server (``tmux -L <private socket>``), so nothing of the
user's tmux is touched, and kills only that server at the end. A ``Pane`` runs one
program directly (no shell in between), and measures from outside what a user would
see: time until a text appears on screen, the process's peak memory (VmHWM) and CPU
time, and the bytes the program wrote to the terminal (``pipe-pane -O``).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

WIDTH, HEIGHT = 120, 40
_TICK = os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    """A measurement could not be made (timeout, process died, ...)."""


def cpu_seconds(pid: int) -> float:
    """User+system CPU of a process (all its threads), nanosecond-precise when the
    kernel exposes schedstat, else from /proc/PID/stat clock ticks."""
    total = 0
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        return total / 1e9
    except (OSError, ValueError, IndexError):
        pass
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def vm_hwm_mib(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process, in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise BenchError(f"no VmHWM for pid {pid}")


@dataclass
class Pane:
    """One program running in its own tmux session of WIDTH x HEIGHT."""

    tmux: Tmux
    name: str
    pid: int
    started: float  # perf_counter() just before the spawn

    def text(self) -> str:
        """What the pane shows now (plain text, no escapes)."""
        return self.tmux.run("capture-pane", "-p", "-t", self.name, check=False).stdout

    def alive(self) -> bool:
        """Whether the program still runs."""
        return os.path.exists(f"/proc/{self.pid}")

    def wait_for(self, marker: str, timeout: float = 30.0, interval: float = 0.01) -> float:
        """Poll the screen until ``marker`` shows; return seconds since the spawn."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if marker in self.text():
                return time.perf_counter() - self.started
            if not self.alive():
                raise BenchError(f"{self.name} exited before showing {marker!r}")
            time.sleep(interval)
        raise BenchError(f"{marker!r} not shown within {timeout}s:\n{self.text()}")

    def send(self, *keys: str, literal: bool = False) -> None:
        """Type keys into the pane (``literal`` sends text as-is)."""
        self.tmux.run("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def cpu(self) -> float:
        """CPU seconds used by the program so far."""
        return cpu_seconds(self.pid)

    def wait_idle(self, quiet: float = 0.3, timeout: float = 30.0) -> float:
        """Wait until the program has used (almost) no CPU for ``quiet`` seconds;
        return its CPU total then."""
        deadline = time.perf_counter() + timeout
        last = self.cpu()
        while time.perf_counter() < deadline:
            time.sleep(quiet)
            now = self.cpu()
            if now - last < quiet * 0.05:
                return now
            last = now
        raise BenchError(f"{self.name} never went idle")

    def peak_mib(self) -> float:
        """VmHWM of the program."""
        return vm_hwm_mib(self.pid)

    def start_capture(self, path: Path) -> None:
        """Append every byte the program writes to the terminal to ``path``."""
        path.write_bytes(b"")
        self.tmux.run("pipe-pane", "-O", "-t", self.name, f"cat >> {shlex.quote(str(path))}")

    def stop_capture(self, path: Path) -> int:
        """Stop piping; return the number of bytes captured."""
        self.tmux.run("pipe-pane", "-t", self.name)
        # ``cat`` flushes when its input closes; wait until the size settles.
        size, deadline = -1, time.perf_counter() + 5
        while time.perf_counter() < deadline:
            time.sleep(0.05)
            now = path.stat().st_size
            if now == size:
                break
            size = now
        return path.stat().st_size

    def kill(self) -> None:
        """End the program and its session."""
        self.tmux.run("kill-session", "-t", self.name, check=False)
        deadline = time.perf_counter() + 5
        while self.alive() and time.perf_counter() < deadline:
            time.sleep(0.02)


class Tmux:
    """A private tmux server; use as a context manager."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.socket = f"aichat-bench-{os.getpid()}"
        self.env = dict(os.environ if env is None else env)
        self._count = 0
        self._socket_path = ""

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """One tmux command against the private server."""
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=check,
            env=self.env,
        )

    def __enter__(self) -> Tmux:
        # A keep-alive session so the server's own start is never part of a timing.
        self.run("-f", "/dev/null", "new-session", "-d", "-s", "keepalive", "-x", "80", "-y", "24")
        self.run("set-option", "-g", "remain-on-exit", "off")
        self._socket_path = self.run("display-message", "-p", "#{socket_path}").stdout.strip()
        return self

    def __exit__(self, *exc: object) -> None:
        self.run("kill-server", check=False)
        # tmux may leave its socket file behind: remove ours (only ours).
        if self._socket_path:
            Path(self._socket_path).unlink(missing_ok=True)

    def spawn(self, argv: list[str], env: dict[str, str] | None = None, cwd: str = ".") -> Pane:
        """Start ``argv`` directly (no shell) in a new WIDTH x HEIGHT session."""
        self._count += 1
        name = f"bench{self._count}"
        extra = [f"-e{k}={v}" for k, v in (env or {}).items()]
        cmd = ["new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT)]
        started = time.perf_counter()
        # Several arguments after the options: tmux execs them without /bin/sh.
        self.run(*cmd, "-c", cwd, *extra, "-P", "-F", "#{pane_pid}", "--", *argv)
        pid = int(self.run("display-message", "-p", "-t", name, "#{pane_pid}").stdout)
        return Pane(self, name, pid, started)
