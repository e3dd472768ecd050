"""What backends receive for messages with attachments."""

from __future__ import annotations

import base64

from aichat_tui.attachments.limits import AttachmentLimits
from aichat_tui.attachments.reading import read_bytes
from aichat_tui.attachments.wire import conversation_wire, fence, text_block
from aichat_tui.models import Conversation, Message
from tests.attachments.images import png_bytes


def _image_urls(wire: dict) -> list[str]:
    content = wire["content"]
    if not isinstance(content, list):
        return []
    return [p["image_url"]["url"] for p in content if p["type"] == "image_url"]


def test_the_fence_is_longer_than_any_backtick_run() -> None:
    assert fence("plain") == "```"
    assert fence("a ``` b") == "````"
    assert fence("`````x") == "``````"


def test_a_text_file_is_a_fenced_block_headed_by_its_name() -> None:
    att = read_bytes(b"print('```')\n", "tool.py")
    assert text_block(att) == "File: tool.py\n````py\nprint('```')\n````"
    odd = read_bytes(b"no newline", "weird name.with space")
    assert text_block(odd) == "File: weird name.with space\n```\nno newline\n```"


def test_text_and_image_attachments_on_the_wire() -> None:
    png = png_bytes()
    message = Message(
        "user",
        "explain",
        attachments=[read_bytes(b"line one\n", "notes.txt"), read_bytes(png, "shot.png")],
    )
    conv = Conversation(system_prompt="sys", messages=[message])
    wire = conv.wire_messages()
    assert wire[0] == {"role": "system", "content": "sys"}
    content = wire[1]["content"]
    assert content[0] == {
        "type": "text",
        "text": "explain\n\nFile: notes.txt\n```txt\nline one\n```",
    }
    assert _image_urls(wire[1]) == ["data:image/png;base64," + base64.b64encode(png).decode()]


def test_a_message_with_only_text_files_stays_a_string() -> None:
    message = Message("user", "", attachments=[read_bytes(b"x\n", "a.txt")])
    assert message.as_wire() == {"role": "user", "content": "File: a.txt\n```txt\nx\n```"}


def test_older_images_are_resent_newest_first_while_they_fit() -> None:
    limits = AttachmentLimits(resend_images=2)
    images = [read_bytes(png_bytes(seed=i), f"img{i}.png") for i in range(4)]
    messages = [
        Message("user", "first", attachments=[images[0]]),
        Message("assistant", "ok"),
        Message("user", "second", attachments=[images[1]]),
        Message("assistant", "ok"),
        Message("user", "third", attachments=[images[2], images[3]]),
    ]
    wire = conversation_wire(messages, limits)
    assert _image_urls(wire[0]) == [] and _image_urls(wire[2]) == []
    assert len(_image_urls(wire[4])) == 2  # the newest message's own images
    assert "[image img0.png (" in wire[0]["content"]
    assert "was attached here; not sent again]" in wire[2]["content"]
    # with room for three, the newest older image comes back, the oldest does not
    wire = conversation_wire(messages, AttachmentLimits(resend_images=3))
    assert len(_image_urls(wire[2])) == 1 and _image_urls(wire[0]) == []


def test_the_newest_message_keeps_its_images_even_past_the_resend_budget() -> None:
    image = read_bytes(png_bytes(), "big.png")
    wire = conversation_wire(
        [Message("user", "look", attachments=[image])], AttachmentLimits(resend_bytes=1)
    )
    assert len(_image_urls(wire[0])) == 1


def test_an_image_whose_stored_copy_is_gone_is_named_not_sent(tmp_path) -> None:
    image = read_bytes(png_bytes(), "gone.png")
    image.data, image.path = None, str(tmp_path / "absent.png")
    wire = Message("user", "see", attachments=[image]).as_wire()
    assert wire == {
        "role": "user",
        "content": f"see\n\n[image gone.png ({image.size} B) could not be sent: "
        "its stored copy is missing]",
    }


def test_a_fifo_in_place_of_a_stored_image_does_not_block(tmp_path) -> None:
    import os

    if not hasattr(os, "mkfifo"):
        return
    image = read_bytes(png_bytes(), "fifo.png")
    os.mkfifo(tmp_path / "fifo.png")
    image.data, image.path = None, str(tmp_path / "fifo.png")
    wire = Message("user", "", attachments=[image]).as_wire()
    assert "could not be sent: its stored copy is missing" in wire["content"]
