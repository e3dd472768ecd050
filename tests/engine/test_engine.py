"""The conversation engine on its own: real loopback server, real store in temp folders."""

from __future__ import annotations

import asyncio
import dataclasses
import os

import pytest

from aichat_tui.client import ChatClient
from aichat_tui.engine import ChatEngine, Reply, ReplyListener, ReplyState
from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Conversation, Profile
from aichat_tui.store import ConversationStore
from aichat_tui.store.partial import SUFFIX

S = ReplyState


class Record(ReplyListener):
    """Every event the engine emitted, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []
        self.finished: list[Reply] = []

    def reply_state(self, reply: Reply) -> None:
        self.events.append(("state", reply.state))

    def reply_text(self, reply: Reply, piece: str) -> None:
        self.events.append(("text", piece))

    def reply_notice(self, reply: Reply, text: str) -> None:
        self.events.append(("notice", text))

    def reply_finished(self, reply: Reply) -> None:
        self.events.append(("finished", reply.state))
        self.finished.append(reply)

    def save_failed(self, conv: Conversation, problem: str) -> None:
        self.events.append(("save_failed", problem))

    def states(self) -> list[ReplyState]:
        return [value for kind, value in self.events if kind == "state"]  # type: ignore[misc]


@pytest.fixture
async def engine(store: ConversationStore, profile_openai: Profile):
    client = ChatClient(profile_openai, retries=2, max_retry_wait=0.05)
    engine = ChatEngine(store, lambda _p: client)
    record = Record()
    engine.subscribe(record)
    engine.record = record  # type: ignore[attr-defined]
    try:
        yield engine
    finally:
        await engine.aclose()
        await client.aclose()


def sidecars(store: ConversationStore) -> list[str]:
    return [n for n in os.listdir(store.paths.conversations_dir) if n.endswith(SUFFIX)]


async def test_a_reply_goes_queued_connecting_streaming_complete_and_is_saved(
    engine: ChatEngine, store: ConversationStore, profile_openai: Profile
) -> None:
    conv = store.create()
    reply = engine.send(conv, "hello there", profile_openai)
    assert reply.state is S.QUEUED and engine.busy(conv.id)
    # Saved before anything is sent: the prompt and an empty reply marked interrupted.
    on_disk = store.load(conv.id).messages
    assert [(m.role, m.content, m.status) for m in on_disk] == [
        ("user", "hello there", None),
        ("assistant", "", "interrupted"),
    ]
    assert await reply.wait() is S.COMPLETE
    states = engine.record.states()  # type: ignore[attr-defined]
    assert states == [S.QUEUED, S.CONNECTING, S.STREAMING, S.COMPLETE]
    assert reply.host == "127.0.0.1"
    saved = store.load(conv.id)
    assert saved.title == "hello there"
    assert saved.messages[-1].status == "complete" and saved.messages[-1].content == reply.raw
    assert reply.shown == reply.raw  # nothing to sanitize in the demo reply
    assert not engine.running and not sidecars(store)


async def test_stop_before_the_task_ran_is_immediate_and_saved(
    engine: ChatEngine, store: ConversationStore, profile_openai: Profile
) -> None:
    conv = store.create()
    reply = engine.send(conv, "first", profile_openai)
    stopped = engine.stop(conv.id)  # same event-loop turn: the task never ran
    assert stopped is reply and reply.state is S.INTERRUPTED and not engine.running
    assert reply.task is not None
    await asyncio.wait([reply.task], timeout=10)
    assert reply.task.cancelled()
    assert store.load(conv.id).messages[-1].status == "interrupted"
    assert not sidecars(store)


async def test_a_new_prompt_supersedes_the_running_reply(
    engine: ChatEngine, store: ConversationStore, profile_openai: Profile, loopback: LoopbackServer
) -> None:
    loopback.push(Behaviour(text="x" * 400, stall_after=50))  # the first reply never ends
    conv = store.create()
    first = engine.send(conv, "one", profile_openai)
    while len(first.raw) < 50:  # bounded: the server sends 50 characters, then stalls
        await asyncio.sleep(0.01)
    second = engine.send(conv, "two", profile_openai)
    assert first.state is S.INTERRUPTED
    third = engine.send(conv, "three", profile_openai)  # before the second even started
    assert second.state is S.INTERRUPTED
    assert await third.wait() is S.COMPLETE
    saved = store.load(conv.id).messages
    assert [(m.role, m.status) for m in saved] == [
        ("user", None),
        ("assistant", "interrupted"),
        ("user", None),
        ("assistant", "interrupted"),
        ("user", None),
        ("assistant", "complete"),
    ]
    assert saved[1].content == "x" * 50 and saved[3].content == ""


async def test_delete_while_streaming_stops_and_nothing_resurrects_it(
    engine: ChatEngine, store: ConversationStore, profile_openai: Profile, loopback: LoopbackServer
) -> None:
    loopback.push(Behaviour(text="y" * 400, stall_after=40))
    conv = store.create()
    reply = engine.send(conv, "doomed", profile_openai)
    while not reply.raw:  # bounded by the reply task: it streams 40 characters then stalls
        await asyncio.sleep(0.01)
    engine.delete(conv.id)
    assert reply.state is S.INTERRUPTED
    assert not store.path_of(conv.id).exists()
    assert [e.id for e in store.list_trash()] == [conv.id]
    assert engine.save(conv)  # a later save is a no-op, not a new file
    await asyncio.wait([reply.task], timeout=10)
    assert not store.path_of(conv.id).exists() and not sidecars(store)


@pytest.mark.parametrize(
    ("behaviour", "partial"),
    [
        (Behaviour(status=401), False),
        (Behaviour(text="abcdefghij" * 20, chunk_chars=10, cut_after=50), True),
    ],
    ids=["error before text", "error after some text"],
)
async def test_errors_keep_the_text_and_say_why(
    engine: ChatEngine,
    store: ConversationStore,
    profile_openai: Profile,
    loopback: LoopbackServer,
    behaviour: Behaviour,
    partial: bool,
) -> None:
    loopback.push(dataclasses.replace(behaviour))
    conv = store.create()
    reply = engine.send(conv, "q", profile_openai)
    assert await reply.wait() is S.ERROR
    saved = store.load(conv.id).messages[-1]
    assert saved.status == "error" and saved.error == reply.error and reply.error
    assert bool(saved.content) is partial


async def test_retry_notices_reach_the_listener(
    engine: ChatEngine, store: ConversationStore, profile_openai: Profile, loopback: LoopbackServer
) -> None:
    loopback.push(Behaviour(status=503))
    conv = store.create()
    assert await engine.send(conv, "q", profile_openai).wait() is S.COMPLETE
    notices = [v for k, v in engine.record.events if k == "notice"]  # type: ignore[attr-defined]
    assert len(notices) == 1 and "retrying in" in notices[0] and "(1/2)" in notices[0]


async def test_retry_replaces_the_last_reply(
    engine: ChatEngine, store: ConversationStore, profile_openai: Profile, loopback: LoopbackServer
) -> None:
    loopback.push(Behaviour(status=401))
    conv = store.create()
    assert await engine.send(conv, "q", profile_openai).wait() is S.ERROR
    again = engine.retry(conv, profile_openai)
    assert again is not None and await again.wait() is S.COMPLETE
    assert [(m.role, m.status) for m in store.load(conv.id).messages] == [
        ("user", None),
        ("assistant", "complete"),
    ]
    assert engine.retry(Conversation(), profile_openai) is None


async def test_edit_and_resend_drops_from_the_edited_prompt(
    engine: ChatEngine, store: ConversationStore, profile_openai: Profile
) -> None:
    conv = store.create()
    await engine.send(conv, "one", profile_openai).wait()
    await engine.send(conv, "two", profile_openai).wait()
    prompt = conv.messages[2]
    await engine.edit_and_resend(conv, prompt, "two, better", profile_openai).wait()
    saved = store.load(conv.id).messages
    assert [m.content for m in saved if m.role == "user"] == ["one", "two, better"]
    assert len(saved) == 4 and saved[-1].status == "complete"


async def test_a_broken_listener_does_not_break_the_reply(
    engine: ChatEngine, store: ConversationStore, profile_openai: Profile
) -> None:
    class Broken(ReplyListener):
        def reply_text(self, reply: Reply, piece: str) -> None:
            raise RuntimeError("boom")

    engine.subscribe(Broken())
    conv = store.create()
    assert await engine.send(conv, "q", profile_openai).wait() is S.COMPLETE
    assert engine.record.finished  # type: ignore[attr-defined]


async def test_a_final_save_that_fails_keeps_the_journal(
    engine: ChatEngine, store: ConversationStore, profile_openai: Profile, loopback: LoopbackServer
) -> None:
    loopback.push(Behaviour(text="z" * 300, stall_after=100))
    conv = store.create()
    reply = engine.send(conv, "q", profile_openai)
    while len(reply.raw) < 100:
        await asyncio.sleep(0.01)
    # Another instance holds the conversation's lock: the final save gives up.
    from aichat_tui.store.lock import FileLock

    with FileLock(store.paths.locks_dir / f"{conv.id}.lock", 1.0):
        engine.stop(conv.id, lock_timeout=0.05)
    assert reply.save_error and conv.id in engine.unsaved
    assert any(k == "save_failed" for k, _ in engine.record.events)  # type: ignore[attr-defined]
    assert sidecars(store)  # the text survives for the next start's recovery
    assert store.recover() == [conv.id]
    assert store.load(conv.id).messages[-1].content == "z" * 100
