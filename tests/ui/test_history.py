"""Going back in a long chat (issue 12): PageUp from the composer reaches the first
of 200 messages by itself; Home/End in message mode go to the first/last message."""

from __future__ import annotations

from aichat_tui.models import Message
from aichat_tui.ui.widgets.message_view import MessageView

from .helpers import make_app, wait_until


def _long(app, n: int):
    conv = app.store.create(title="Long one")
    for i in range(n):
        role = "user" if i % 2 == 0 else "assistant"
        status = "complete" if role == "assistant" else None
        conv.messages.append(Message(role=role, content=f"message number {i}", status=status))
    app.store.save(conv)
    return conv


def _first_visible(transcript) -> bool:
    views = list(transcript.query(MessageView))
    if not views or views[0].message.content != "message number 0":
        return False
    return transcript.scroll_y <= 0 and not transcript.hidden_count


async def test_page_up_alone_scrolls_from_the_newest_to_the_first_of_200(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    _long(app, 200)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = app.workspace
        transcript = ws.transcript
        await wait_until(pilot, lambda: transcript.conversation is not None)
        assert ws.composer.has_focus and transcript.hidden_count > 0
        # Each press scrolls a page, or at the top loads the older batch in place (the
        # view stays where it was), so the count of presses is bounded.
        for _ in range(400):
            if _first_visible(transcript):
                break
            before = (transcript.scroll_y, transcript.hidden_count)
            await pilot.press("pageup")
            await wait_until(
                pilot,
                lambda before=before: (
                    (
                        not transcript._loading
                        and (transcript.scroll_y, transcript.hidden_count) != before
                    )
                    or _first_visible(transcript)
                ),
                what="a page up or an older batch",
            )
        assert _first_visible(transcript)
        assert len(transcript.query(MessageView)) == 200
        assert ws.composer.has_focus  # scrolling never took the focus from typing
        await pilot.press("pagedown")
        await wait_until(pilot, lambda: transcript.scroll_y > 0, what="page down")


async def test_loading_older_messages_keeps_the_view_steady(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    _long(app, 60)
    async with app.run_test(size=(80, 24)) as pilot:
        transcript = app.workspace.transcript
        await wait_until(pilot, lambda: transcript.conversation is not None)
        first = next(iter(transcript.query(MessageView)))
        transcript.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        on_screen = first.region.y
        await wait_until(pilot, lambda: transcript.hidden_count < 40 and not transcript._loading)
        await pilot.pause()
        # The message that was at the top is still where it was on screen.
        assert first.region.y == on_screen


async def test_home_and_end_in_message_mode_go_to_the_first_and_last_message(
    profile_openai, app_dirs
):
    app = make_app(app_dirs, profile_openai)
    _long(app, 60)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await wait_until(pilot, lambda: ws.transcript.conversation is not None)
        await pilot.press("f5")
        await pilot.press("home")
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.focused, MessageView)
                and app.focused.message.content == "message number 0"
            ),
            what="first message chosen",
        )
        assert ws.transcript.hidden_count == 0
        await pilot.press("j")  # the next one, not a jump back to the bottom
        assert app.focused.message.content == "message number 1"
        await pilot.press("k", "k")
        assert app.focused.message.content == "message number 0"
        await pilot.press("end")
        await wait_until(
            pilot,
            lambda: app.focused.message.content == "message number 59",
            what="last message chosen",
        )
        await pilot.press("k")
        assert app.focused.message.content == "message number 58"


async def test_k_at_the_first_mounted_message_loads_and_steps_onto_older(profile_openai, app_dirs):
    app = make_app(app_dirs, profile_openai)
    _long(app, 60)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await wait_until(pilot, lambda: ws.transcript.conversation is not None)
        hidden = ws.transcript.hidden_count
        first = next(iter(ws.transcript.query(MessageView))).message.content
        await pilot.press("f5")
        for _ in range(60 - hidden - 1):
            await pilot.press("k")
        assert app.focused.message.content == first
        await pilot.press("k")
        number = int(first.rsplit(" ", 1)[1])
        await wait_until(
            pilot,
            lambda: app.focused.message.content == f"message number {number - 1}",
            what="stepped onto the older message",
        )
