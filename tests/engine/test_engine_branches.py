"""The engine and conversation branches (issue 13): editing a prompt and
regenerating a reply add versions beside the old ones, nothing is dropped, and
the crash journal names the branch a reply belongs to."""

from __future__ import annotations

import asyncio
import json

import pytest

from aichat_tui import branches
from aichat_tui.client import ChatClient
from aichat_tui.engine import ChatEngine, ReplyState
from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile
from aichat_tui.store import ConversationStore
from tests.engine.test_engine import sidecars

S = ReplyState


@pytest.fixture
async def engine(store: ConversationStore, profile_openai: Profile):
    client = ChatClient(profile_openai, retries=0)
    engine = ChatEngine(store, lambda _p: client)
    try:
        yield engine
    finally:
        await engine.aclose()
        await client.aclose()


def contents(messages: list) -> list[str]:
    return [m.content for m in messages]


async def test_editing_a_middle_prompt_keeps_the_old_branch(
    engine: ChatEngine, store: ConversationStore, profile_openai: Profile
) -> None:
    conv = store.create()
    for text in ("one", "two", "three"):
        assert await engine.send(conv, text, profile_openai).wait() is S.COMPLETE
    old_two, old_reply = conv.messages[2], conv.messages[3]
    reply = engine.edit_and_resend(conv, old_two, "two, better", profile_openai)
    assert await reply.wait() is S.COMPLETE
    saved = store.load(conv.id)
    assert [m.role for m in saved.messages] == ["user", "assistant"] * 2
    assert saved.messages[2].content == "two, better"
    assert contents(saved.siblings(old_two.id)) == ["two", "two, better"]
    assert len(branches.all_messages(saved)) == 6 + 2  # nothing dropped
    saved.switch_to(old_two.id)  # the original branch, with its replies, is still there
    assert [m.id for m in saved.messages][2:4] == [old_two.id, old_reply.id]
    assert contents(saved.messages)[4] == "three"


async def test_regenerating_any_reply_adds_versions(
    engine: ChatEngine, store: ConversationStore, profile_openai: Profile
) -> None:
    conv = store.create()
    await engine.send(conv, "one", profile_openai).wait()
    await engine.send(conv, "two", profile_openai).wait()
    first_reply, last_reply = conv.messages[1], conv.messages[3]
    for _ in range(2):  # the last reply, twice: three versions
        again = engine.retry(conv, profile_openai)
        assert again is not None and await again.wait() is S.COMPLETE
    saved = store.load(conv.id)
    versions = saved.siblings(last_reply.id)
    assert len(versions) == 3 and versions[0].id == last_reply.id
    assert saved.messages[-1].id == versions[-1].id
    # a middle reply: the branch restarts from its prompt, the old one is kept
    middle = engine.retry(conv, profile_openai, reply=first_reply)
    assert middle is not None and await middle.wait() is S.COMPLETE
    saved = store.load(conv.id)
    assert [m.role for m in saved.messages] == ["user", "assistant"]
    assert [m.id for m in saved.siblings(first_reply.id)] == [first_reply.id, middle.message.id]
    assert len(saved.leaves()) == 4


async def test_a_failed_empty_reply_is_replaced_not_kept(
    engine: ChatEngine, store: ConversationStore, profile_openai: Profile, loopback: LoopbackServer
) -> None:
    loopback.push(Behaviour(status=401))
    conv = store.create()
    assert await engine.send(conv, "q", profile_openai).wait() is S.ERROR
    again = engine.retry(conv, profile_openai)
    assert again is not None and await again.wait() is S.COMPLETE
    saved = store.load(conv.id)
    assert saved.off_path == [] and len(saved.messages) == 2


async def test_the_journal_names_the_prompt_a_reply_answers(
    engine: ChatEngine, store: ConversationStore, profile_openai: Profile, loopback: LoopbackServer
) -> None:
    conv = store.create()
    await engine.send(conv, "one", profile_openai).wait()
    await engine.send(conv, "two", profile_openai).wait()
    loopback.push(Behaviour(text="z" * 300, stall_after=100))
    reply = engine.retry(conv, profile_openai, reply=conv.messages[1])
    assert reply is not None
    while len(reply.raw) < 100:
        await asyncio.sleep(0.01)
    (sidecar,) = sidecars(store)
    body = json.loads((store.paths.conversations_dir / sidecar).read_text())
    assert body["parent"] == conv.messages[0].id and body["message_id"] == reply.message.id
