"""A recorded conversation reopens with its attachments listed on the message."""

from __future__ import annotations

from aichat_tui.attachments.reading import read_bytes
from aichat_tui.models import Message, Profile
from aichat_tui.store import ConversationStore, Paths
from aichat_tui.ui.widgets.message_view import attachments_text
from tests.attachments.images import png_bytes

from .helpers import make_app, wait_until


async def test_a_reopened_conversation_lists_its_attachments(
    profile_openai: Profile, app_dirs: Paths
) -> None:
    store = ConversationStore(app_dirs)
    conv = store.create(title="with files")
    files = [read_bytes(b"a = 1\n", "conf.ini"), read_bytes(png_bytes(), "shot.png")]
    conv.messages += [
        Message("user", "look", attachments=files),
        Message("assistant", "seen", status="complete"),
    ]
    store.save(conv)
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = app.workspace
        await ws.open_session(conv.id)
        prompt = ws.conv.messages[0]
        await wait_until(pilot, lambda: ws.transcript.view_for(prompt.id) is not None)
        view = ws.transcript.view_for(prompt.id)
        shown = str(view.query_one(".attachments").render())
        assert shown == f"Attached: conf.ini (6 B), shot.png ({len(png_bytes())} B)"


def test_the_listing_is_plain_text_without_control_sequences() -> None:
    message = Message("user", "x", attachments=[read_bytes(b"a\n", "[b]odd\x1b[31m.txt")])
    assert attachments_text(message) == "Attached: [b]odd.txt (2 B)"
    assert attachments_text(Message("user", "no files")) == ""
