"""Pilot tests of conversation branches (issue 13): versions shown as ``‹ 2/3 ›``,
stepping between them with the keys, the rest of the view following, the palette
and search opening a branch, and the active branch kept across a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.widgets import Label

from aichat_tui import branches
from aichat_tui.loopback import Behaviour
from aichat_tui.models import Conversation, Message
from aichat_tui.store import ConversationStore, Paths
from aichat_tui.ui.widgets.message_view import MessageView

from .helpers import make_app, wait_until

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _msg(role: str, text: str, minute: int) -> Message:
    status = "complete" if role == "assistant" else None
    return Message(role, text, time=T0 + timedelta(minutes=minute), status=status)  # type: ignore[arg-type]


def seed_tree(paths: Paths) -> Conversation:
    """q1 r1 q2 [r2 | r2 second | r2 third], and q2 edited to 'q2 edited' -> 'r edited'."""
    store = ConversationStore(paths)
    conv = Conversation(title="Tree", created=T0, updated=T0)
    conv.messages += [_msg("user", "q1", 0), _msg("assistant", "r1", 1)]
    conv.messages += [_msg("user", "q2", 2), _msg("assistant", "r2 first", 3)]
    q2 = conv.messages[2]
    conv.add_branch(q2.id, _msg("assistant", "r2 second", 4))
    conv.add_branch(q2.id, _msg("assistant", "r2 third", 5))
    conv.add_branch(conv.messages[1].id, _msg("user", "q2 edited", 6))
    conv.messages.append(_msg("assistant", "r edited", 7))
    conv.switch_to(q2.id)  # on screen: q1 r1 q2 "r2 third"
    store.save(conv, touch=False)
    return conv


def _versions_label(view: MessageView) -> str:
    return str(view.query_one(".versions", Label).render())


def _shown(app) -> list[str]:
    return [v.message.content for v in app.workspace.transcript._views.values()]


async def test_step_through_versions_and_the_view_follows(profile_openai, app_dirs):
    conv = seed_tree(app_dirs)
    app = make_app(app_dirs, profile_openai, session_id=conv.id)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await wait_until(pilot, lambda: ws.conv is not None and _shown(app), what="open")
        assert _shown(app) == ["q1", "r1", "q2", "r2 third"]
        await pilot.press("f5")  # choose messages: the last one is chosen
        view = app.focused
        assert isinstance(view, MessageView) and view.message.content == "r2 third"
        assert _versions_label(view) == "‹ 3/3 ›"
        await pilot.press("left")
        await wait_until(pilot, lambda: _shown(app)[-1] == "r2 second", what="version 2")
        chosen = app.focused
        assert isinstance(chosen, MessageView) and _versions_label(chosen) == "‹ 2/3 ›"
        await pilot.press("left")
        await wait_until(pilot, lambda: _shown(app)[-1] == "r2 first", what="version 1")
        await pilot.press("left")  # no earlier version: nothing changes
        await pilot.pause()
        assert _shown(app)[-1] == "r2 first"
        assert _versions_label(app.focused) == "‹ 1/3 ›"  # type: ignore[arg-type]
        # up to the prompt, and to its edited version: its reply follows
        await pilot.press("up")
        prompt = app.focused
        assert isinstance(prompt, MessageView) and _versions_label(prompt) == "‹ 1/2 ›"
        await pilot.press("right")
        await wait_until(pilot, lambda: _shown(app) == ["q1", "r1", "q2 edited", "r edited"])
        assert app.focused.message.content == "q2 edited"  # type: ignore[union-attr]
        await pilot.press("left")  # back: the most recent version below it
        await wait_until(pilot, lambda: _shown(app) == ["q1", "r1", "q2", "r2 third"])
        await pilot.press("down", "left")
        await wait_until(pilot, lambda: _shown(app)[-1] == "r2 second", what="version 2")
        await pilot.press("ctrl+q")  # quitting saves the branch on screen
    # the active branch is saved: reopening shows the same one
    again = make_app(app_dirs, profile_openai, session_id=conv.id)
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _shown(again) != [], what="reopen")
        assert _shown(again) == ["q1", "r1", "q2", "r2 second"]
        assert again.workspace.conv.updated == conv.updated  # looking is not a change


async def test_palette_and_search_open_a_branch(profile_openai, app_dirs):
    conv = seed_tree(app_dirs)
    app = make_app(app_dirs, profile_openai, session_id=conv.id)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await wait_until(pilot, lambda: _shown(app) == ["q1", "r1", "q2", "r2 third"])
        from aichat_tui.ui.palette import SessionProvider
        from aichat_tui.ui.screens.workspace_branches import branch_labels

        labels = branch_labels(ws.conv)
        assert [label for _, label in labels] == [
            "Branch 1/4: r2 first",
            "Branch 2/4: r2 second",
            "Branch 3/4 (active): r2 third",
            "Branch 4/4: q2 edited",
        ]
        provider = SessionProvider(ws)
        provider._switch(conv.id, labels[3][0])  # what choosing "Branch 4/4" does
        await wait_until(pilot, lambda: _shown(app)[-1] == "r edited", what="branch 4")
        # a search hit on another branch opens that branch, the match chosen
        hit = app.store.search("r2 first")[0]
        assert hit.branch == 1
        provider._switch(hit.id, hit.leaf_id, hit.message_id)
        await wait_until(pilot, lambda: _shown(app)[-1] == "r2 first", what="search hit")
        assert app.focused.message.content == "r2 first"  # type: ignore[union-attr]
        # the branch on screen is saved once the switching stops
        await wait_until(
            pilot,
            lambda: app.store.load(conv.id).messages[-1].content == "r2 first",
            what="the active branch saved",
        )
        assert len(branches.all_messages(app.store.load(conv.id))) == 8


def _idle(app) -> bool:
    conv = app.workspace.conv
    return not app.replies and conv is not None and conv.messages[-1].status is not None


async def _send(pilot, app, text: str) -> None:
    app.workspace.composer.focus()
    app.workspace.composer.text = text
    await pilot.press("enter")
    await wait_until(pilot, lambda: _idle(app), what=f"the reply to {text!r}")


async def test_edit_a_middle_prompt_then_go_back_to_the_original_reply(
    loopback, profile_openai, app_dirs
):
    for text in ("answer one", "answer two", "answer three", "answer to the edit"):
        loopback.push(Behaviour(text=text))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        for prompt in ("one", "two", "three"):
            await _send(pilot, app, prompt)
        assert _shown(app) == ["one", "answer one", "two", "answer two", "three", "answer three"]
        await pilot.press("f5", "up", "up", "up")  # choose the prompt "two"
        chosen = app.focused
        assert isinstance(chosen, MessageView) and chosen.message.content == "two"
        await pilot.press("e")
        assert ws.composer.text == "two"
        ws.composer.text = "two, edited"
        await pilot.press("enter")
        await wait_until(pilot, lambda: _idle(app), what="the reply to the edit")
        assert _shown(app) == ["one", "answer one", "two, edited", "answer to the edit"]
        prompt_view = ws.transcript.view_for(ws.conv.messages[2].id)
        assert prompt_view is not None and _versions_label(prompt_view) == "‹ 2/2 ›"
        # back to the original version of the prompt: its replies follow
        await pilot.press("f5", "up")
        assert app.focused is prompt_view
        await pilot.press("left")
        await wait_until(
            pilot, lambda: _shown(app)[2:] == ["two", "answer two", "three", "answer three"]
        )
        saved = app.store.load(ws.conv.id)
        assert len(branches.all_messages(saved)) == 8  # nothing was thrown away
        await pilot.press("ctrl+q")
    again = make_app(app_dirs, profile_openai)
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _shown(again) != [], what="reopen")
        assert _shown(again)[-1] == "answer three"  # the same branch is active


async def test_regenerate_three_versions_and_step_through_them(loopback, profile_openai, app_dirs):
    for text in ("version A", "version B", "version C"):
        loopback.push(Behaviour(text=text))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await _send(pilot, app, "tell me")
        await pilot.press("ctrl+r")  # regenerate the last reply
        await wait_until(pilot, lambda: _idle(app) and _shown(app)[-1] == "version B")
        await pilot.press("f5", "r")  # the same from the chosen reply
        await wait_until(pilot, lambda: _idle(app) and _shown(app)[-1] == "version C")
        await pilot.press("f5")
        seen = []
        for key in ("", "left", "left"):
            if key:
                before = _shown(app)[-1]
                await pilot.press(key)
                await wait_until(pilot, lambda b=before: _shown(app)[-1] != b, what=key)
            view = app.focused
            assert isinstance(view, MessageView)
            seen.append((_versions_label(view), view.message.content))
        assert seen == [
            ("‹ 3/3 ›", "version C"),
            ("‹ 2/3 ›", "version B"),
            ("‹ 1/3 ›", "version A"),
        ]
        await pilot.press("right", "right")
        await wait_until(pilot, lambda: _shown(app)[-1] == "version C", what="back to 3/3")
        assert len(app.store.load(ws.conv.id).siblings(ws.conv.messages[-1].id)) == 3
