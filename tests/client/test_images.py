"""Images on the wire: OpenAI content parts, servers that refuse them, and the
aichat protocol refusing them before sending."""

from __future__ import annotations

import base64
import json

import pytest

from aichat_tui.attachments.reading import read_bytes
from aichat_tui.client import (
    ChatClient,
    ChatRequest,
    ImageInputRefused,
    UnsupportedInputError,
)
from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Conversation, Message, Profile
from tests.attachments.images import png_bytes
from tests.client.helpers import collect

PNG = png_bytes(seed=3)


def _conversation() -> Conversation:
    message = Message(
        "user",
        "explain",
        attachments=[read_bytes(b"a = 1\n", "notes.txt"), read_bytes(PNG, "shot.png")],
    )
    return Conversation(messages=[message])


async def test_an_openai_server_receives_the_fenced_text_and_the_image(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    loopback.push(Behaviour(text="a small picture"))
    async with ChatClient(profile_openai) as client:
        reply = await collect(client, ChatRequest(messages=_conversation().wire_messages()))
    assert "".join(reply) == "a small picture"
    sent = loopback.requests[-1].json()["messages"][0]
    assert sent["role"] == "user"
    text, image = sent["content"]
    assert text == {"type": "text", "text": "explain\n\nFile: notes.txt\n```txt\na = 1\n```"}
    url = image["image_url"]["url"]
    assert image["type"] == "image_url" and url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == PNG


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (
            500,
            "image input is not supported - hint: if this is unexpected, "
            "you may need to provide the mmproj",
        ),
        (400, "this model does not support image input"),
        (400, "Model does not support images. Please use a model that does."),
    ],
)
async def test_a_server_that_refuses_images_gets_a_message_naming_the_model(
    loopback: LoopbackServer, profile_openai: Profile, status: int, said: str
) -> None:
    body = json.dumps({"error": {"code": status, "message": said, "type": "server_error"}})
    loopback.push(Behaviour(status=status, body=body, times=5))
    request = ChatRequest(messages=_conversation().wire_messages(), model="text-only-7b")
    async with ChatClient(profile_openai, retries=2, max_retry_wait=0.01) as client:
        with pytest.raises(ImageInputRefused) as caught:
            await collect(client, request)
    message = str(caught.value)
    assert message.startswith("the model 'text-only-7b' at 127.0.0.1:")
    assert f"does not accept images (HTTP {status})" in message
    assert "choose a vision model, or remove the images" in message
    assert isinstance(caught.value, UnsupportedInputError) and not caught.value.retryable
    assert len(loopback.requests) == 1  # refused images are not retried


async def test_the_same_error_without_images_is_not_about_images(
    loopback: LoopbackServer, profile_openai: Profile
) -> None:
    body = json.dumps({"error": {"message": "image input is not supported"}})
    loopback.push(Behaviour(status=400, body=body))
    async with ChatClient(profile_openai) as client:
        with pytest.raises(Exception) as caught:
            await collect(client)
    assert not isinstance(caught.value, ImageInputRefused)


async def test_the_aichat_protocol_refuses_images_before_sending(
    loopback: LoopbackServer, profile_aichat: Profile
) -> None:
    async with ChatClient(profile_aichat) as client:
        with pytest.raises(UnsupportedInputError) as caught:
            await collect(client, ChatRequest(messages=_conversation().wire_messages()))
    assert str(caught.value) == (
        "the conversation holds an image, and the aichat protocol of 127.0.0.1 takes text "
        "only; nothing was sent (use an OpenAI-compatible profile with a vision model)"
    )
    assert loopback.requests == []


async def test_the_aichat_protocol_sends_text_files_inline(
    loopback: LoopbackServer, profile_aichat: Profile
) -> None:
    message = Message("user", "read", attachments=[read_bytes(b"hello\n", "a.txt")])
    loopback.push(Behaviour(text="done"))
    async with ChatClient(profile_aichat) as client:
        await collect(client, ChatRequest(messages=[message.as_wire()]))
    assert loopback.requests[-1].json()["message"] == "read\n\nFile: a.txt\n```txt\nhello\n```"
