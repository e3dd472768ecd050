"""The benchmark's backend: the project's LoopbackServer in its own process.

It streams as fast as it can (no delay, small OpenAI-sized chunks) and answers a
prompt ``bench reply N`` (see replies.py) with a generated markdown reply of exactly
N characters; any other prompt gets a short reply. Running it in a separate process
keeps the server's CPU out of the app's accounting.

    python -m tests.perf.server [--port 0] [--chunk-chars 4] [--chunk-delay 0]

prints ``READY <base url>`` on stdout once it listens, then serves until killed.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from tests.perf.replies import make_reply, parse_prompt


def reply_for(messages: list[dict]) -> str:
    """The reply for a conversation: sized by the last user prompt."""
    last = next((m for m in reversed(messages) if m.get("role") == "user"), None)
    size = parse_prompt(str(last.get("content", ""))) if last else None
    return make_reply(size if size is not None else 200)


def _cached(fn: Callable[[list[dict]], str]) -> Callable[[list[dict]], str]:
    """Generating a 40k reply costs a few ms; cache it so repeats stream at once."""
    cache: dict[str, str] = {}

    def wrapper(messages: list[dict]) -> str:
        last = next((m for m in reversed(messages) if m.get("role") == "user"), {})
        key = str(last.get("content", ""))
        if key not in cache:
            cache[key] = fn(messages)
        return cache[key]

    return wrapper


def main(argv: list[str] | None = None) -> int:
    """Start the server, print its URL, serve until SIGTERM/SIGINT."""
    from aichat_tui.loopback import LoopbackServer

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--chunk-chars", type=int, default=4)
    parser.add_argument(
        "--chunk-delay", type=float, default=0.0, help="seconds between chunks (0: flat out)"
    )
    args = parser.parse_args(argv)
    server = LoopbackServer(
        reply=_cached(reply_for),
        chunk_chars=args.chunk_chars,
        chunk_delay=args.chunk_delay,
        port=args.port,
    )
    server.start_in_thread()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"READY {server.url}", flush=True)
    stop.wait()
    server.stop_thread()
    return 0


class BenchServer:
    """Runs ``python -m tests.perf.server`` in a child process; a context manager
    whose ``url`` is the server's root URL (OpenAI base URL: ``url + "/v1"``)."""

    def __init__(self, chunk_chars: int = 4) -> None:
        self.chunk_chars = chunk_chars
        self.url = ""
        self.pid = 0
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> BenchServer:
        root = Path(__file__).resolve().parents[2]
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.perf.server", "--chunk-chars", str(self.chunk_chars)],
            cwd=root,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.pid = self._proc.pid
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line.startswith("READY "):
            self._proc.kill()
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        self.url = line.split()[1].rstrip("/")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


if __name__ == "__main__":
    sys.exit(main())
