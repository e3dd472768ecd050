"""Cancellation closes the HTTP stream; the client keeps working."""

from __future__ import annotations

import asyncio
import contextlib

from aichat_tui.client import AichatError, ChatClient
from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile
from tests.client.helpers import request, wait_until


async def test_cancelling_consumer_closes_stream_and_client_recovers(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(Behaviour(text="slow " * 200, chunk_chars=5, chunk_delay=0.02))
    received: list[str] = []
    first = asyncio.Event()
    async with ChatClient(profile_openai) as client:

        async def consume() -> None:
            async for piece in client.stream(request()):
                received.append(piece)
                first.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(first.wait(), 5)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        except AichatError as exc:  # pragma: no cover - the failure this test guards
            raise AssertionError(f"cancellation became {exc!r}") from exc
        assert task.cancelled()
        await wait_until(lambda: loopback.aborted == 1)
        assert received and len("".join(received)) < 1000
        # Next request on the same client works, on a fresh connection.
        loopback.push(Behaviour(text="fresh"))
        assert await client.complete(request()) == "fresh"
    assert loopback.connections == 2


async def test_cancel_while_waiting_for_headers(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(Behaviour(delay_headers=5))
    async with ChatClient(profile_openai) as client:
        task = asyncio.create_task(client.complete(request()))
        await wait_until(lambda: len(loopback.requests) == 1)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert task.cancelled()
        assert await client.complete(request())


async def test_stopping_iteration_early_with_aclosing(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(Behaviour(text="x" * 2000, chunk_chars=4, chunk_delay=0.01))
    async with ChatClient(profile_openai) as client:
        async with contextlib.aclosing(client.stream(request())) as stream:
            async for _piece in stream:
                break
        await wait_until(lambda: loopback.aborted == 1)
        assert await client.complete(request())


async def test_aclose_closes_open_streams(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(Behaviour(text="y" * 50, stall_after=8))
    client = ChatClient(profile_openai)
    stream = client.stream(request())
    assert await anext(stream) == "y" * 8
    await client.aclose()
    await wait_until(lambda: loopback.aborted == 1)
    await stream.aclose()


async def test_sequential_requests_after_errors(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    async with ChatClient(profile_openai) as client:
        for behaviour in (
            Behaviour(status=500),
            Behaviour(cut_after=3),
            Behaviour(no_done=True),
            Behaviour(close_without_response=True),
        ):
            loopback.push(behaviour)
            try:
                await client.complete(request())
            except AichatError:
                pass
            else:  # pragma: no cover
                raise AssertionError(f"{behaviour} did not fail")
            loopback.push(Behaviour(text="ok"))
            assert await client.complete(request()) == "ok"
