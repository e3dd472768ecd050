"""Helpers for client tests: bounded polling, real proxies (pproxy) and small
misbehaving TCP servers."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator

from aichat_tui.client import ChatClient, ChatRequest

PROMPT = [{"role": "user", "content": "hello there"}]


def request(text: str = "hello there") -> ChatRequest:
    """A one-message request."""
    return ChatRequest(messages=[{"role": "user", "content": text}])


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``predicate`` until true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


async def collect(client: ChatClient, req: ChatRequest | None = None) -> list[str]:
    """All chunks of one streamed reply."""
    return [piece async for piece in client.stream(req or request())]


def free_port() -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"pproxy exited with {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise RuntimeError("pproxy did not start listening")


@contextlib.contextmanager
def pproxy(scheme: str, auth: str | None = None, port: int | None = None) -> Iterator[int]:
    """Run ``python -m pproxy -l scheme://127.0.0.1:PORT[#user:pass]``; yield PORT
    (a free one unless ``port`` is given)."""
    port = port or free_port()
    listen = f"{scheme}://127.0.0.1:{port}" + (f"#{auth}" if auth else "")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pproxy", "-l", listen, "--auth", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_port(port, proc)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextlib.asynccontextmanager
async def tcp_server(
    handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], object],
) -> AsyncIterator[int]:
    """A TCP server on 127.0.0.1 running ``handler``; yields its port."""
    tasks: set[asyncio.Task] = set()

    async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(reader, writer)  # type: ignore[misc]
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.transport.abort()
            tasks.discard(task)

    server = await asyncio.start_server(wrapped, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accept, read whatever comes, never answer."""
    while await reader.read(4096):
        pass


async def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accept, read a little, then close."""
    await reader.read(64)
    writer.close()
