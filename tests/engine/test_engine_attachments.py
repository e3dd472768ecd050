"""The engine sends a prompt's attachments and keeps them on edit-and-resend."""

from __future__ import annotations

import base64

import pytest

from aichat_tui.attachments.reading import read_bytes
from aichat_tui.client import ChatClient
from aichat_tui.engine import ChatEngine, ReplyState
from aichat_tui.loopback import LoopbackServer
from aichat_tui.models import Profile
from aichat_tui.store import ConversationStore
from tests.attachments.images import png_bytes

PNG = png_bytes(seed=5)


@pytest.fixture
async def engine(store: ConversationStore, profile_openai: Profile):
    client = ChatClient(profile_openai)
    engine = ChatEngine(store, lambda _p: client)
    try:
        yield engine
    finally:
        await engine.aclose()
        await client.aclose()


async def test_attachments_are_sent_saved_and_kept_when_the_prompt_is_edited(
    engine: ChatEngine, store: ConversationStore, profile_openai: Profile, loopback: LoopbackServer
) -> None:
    conv = store.create()
    files = [read_bytes(b"k = v\n", "conf.ini"), read_bytes(PNG, "shot.png")]
    reply = engine.send(conv, "", profile_openai, attachments=files)
    assert await reply.wait() is ReplyState.COMPLETE
    assert conv.title == "conf.ini, shot.png"  # no text: titled by the files
    content = loopback.requests[-1].json()["messages"][-1]["content"]
    assert content[0] == {"type": "text", "text": "File: conf.ini\n```ini\nk = v\n```"}
    assert base64.b64decode(content[1]["image_url"]["url"].split(",", 1)[1]) == PNG
    saved = store.load(conv.id)
    assert saved.messages[0].attachments == files
    await engine.edit_and_resend(conv, conv.messages[0], "what are these?", profile_openai).wait()
    content = loopback.requests[-1].json()["messages"][-1]["content"]
    assert content[0]["text"].startswith("what are these?\n\nFile: conf.ini\n")
    assert base64.b64decode(content[1]["image_url"]["url"].split(",", 1)[1]) == PNG
    assert store.load(conv.id).messages[0].attachments == files
