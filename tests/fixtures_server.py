"""Loopback HTTP server fixtures (owned by the client work).

``loopback``: a started :class:`aichat_tui.loopback.LoopbackServer` (stopped
after the test). ``profile_openai`` / ``profile_aichat``: profiles pointing at
it (the aichat one carries cookies). ``loopback_thread``: the same server on
its own thread, for synchronous tests (CLI, subprocesses).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from aichat_tui.loopback import LoopbackServer
from aichat_tui.models import Profile


@pytest.fixture
async def loopback() -> AsyncIterator[LoopbackServer]:
    """A running loopback server on 127.0.0.1 (random port)."""
    server = LoopbackServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def loopback_thread() -> Iterator[LoopbackServer]:
    """A loopback server running in a background thread."""
    server = LoopbackServer()
    server.start_in_thread()
    try:
        yield server
    finally:
        server.stop_thread()


@pytest.fixture
def profile_openai(loopback: LoopbackServer) -> Profile:
    """An ``openai`` profile for the loopback server (no proxy, short timeout)."""
    return Profile(
        name="loopback-openai",
        kind="openai",
        base_url=loopback.openai_url,
        model="demo-model",
        timeout=10.0,
        proxy="",
    )


@pytest.fixture
def profile_aichat(loopback: LoopbackServer) -> Profile:
    """An ``aichat`` profile for the loopback server, with cookies."""
    return Profile(
        name="loopback-aichat",
        kind="aichat",
        base_url=loopback.url,
        timeout=10.0,
        cookies={"session": "loopback-session-cookie", "cf_clearance": "loopback-clearance"},
        proxy="",
    )
