"""The workspace never waits on a reply: quick successive prompts, deleting a streaming
session and quitting in any state (issue 10). Real loopback server, real files."""

from __future__ import annotations

import pytest

from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile
from aichat_tui.store import ConversationStore, Paths
from aichat_tui.store.lock import FileLock

from .helpers import answers_a_key, make_app, quit_and_wait, settled, wait_until

SLOW = "".join(f"slow{i} " for i in range(300))
SHORT = "".join(f"w{i} " for i in range(60))


def prompts_and_statuses(store: ConversationStore, conv_id: str) -> tuple[list, list]:
    messages = store.load(conv_id).messages
    prompts = [m.content for m in messages if m.role == "user"]
    statuses = [m.status for m in messages if m.role == "assistant"]
    return prompts, statuses


async def type_and_send(pilot, app, text: str) -> None:
    composer = app.workspace.composer
    composer.focus()
    composer.text = text
    await pilot.press("enter")


async def test_a_second_prompt_at_once_supersedes_the_first(
    loopback: LoopbackServer, profile_openai: Profile, app_dirs: Paths
) -> None:
    loopback.push(Behaviour(text=SLOW, chunk_chars=6, chunk_delay=0.02, times=2))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        await type_and_send(pilot, app, "first")
        await type_and_send(pilot, app, "second")  # no pause: the same burst of keys
        await answers_a_key(pilot, app)
        await wait_until(pilot, lambda: settled(app), timeout=60, what="the second reply")
        conv_id = app.workspace.conv.id
        prompts, statuses = prompts_and_statuses(app.store, conv_id)
        assert prompts == ["first", "second"]
        assert statuses == ["interrupted", "complete"]
        assert [m.content for m in app.workspace.conv.messages if m.role == "user"] == prompts
        await quit_and_wait(pilot, app)
    assert app.return_code == 0


async def test_twenty_prompts_in_quick_succession_are_all_kept(
    loopback: LoopbackServer, profile_openai: Profile, app_dirs: Paths
) -> None:
    loopback.push(Behaviour(text=SHORT, chunk_chars=6, chunk_delay=0.02, times=20))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        for i in range(20):
            await type_and_send(pilot, app, f"prompt {i}")
            for _ in range(3):  # a few event-loop turns between two prompts
                await pilot.pause()
        await answers_a_key(pilot, app)
        await wait_until(pilot, lambda: settled(app), timeout=60, what="the last reply")
        conv_id = app.workspace.conv.id
        prompts, statuses = prompts_and_statuses(app.store, conv_id)
        assert prompts == [f"prompt {i}" for i in range(20)]
        assert statuses[-1] == "complete"
        assert set(statuses[:-1]) <= {"interrupted", "complete"}
        assert all(r.task is None or r.task.done() for r in _every_reply(app))
        await quit_and_wait(pilot, app)
    assert app.return_code == 0


def _every_reply(app) -> list:
    return list(app.replies.values())


async def test_deleting_a_streaming_session_stops_it_for_good(
    loopback: LoopbackServer, profile_openai: Profile, app_dirs: Paths
) -> None:
    loopback.push(Behaviour(text=SLOW, chunk_chars=6, stall_after=60))  # never finishes
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await type_and_send(pilot, app, "doomed")
        conv_id = ws.conv.id
        await wait_until(pilot, lambda: app.replies and app.replies[conv_id].raw, what="text")
        reply = app.replies[conv_id]
        await pilot.press("f8")
        await pilot.press("y")
        await wait_until(pilot, lambda: ws.conv is None or ws.conv.id != conv_id, what="closed")
        assert reply.done and conv_id not in app.replies
        await wait_until(pilot, lambda: reply.task.done(), what="the reply task to end")
        await answers_a_key(pilot, app)
        await pilot.pause()
        assert not app.store.path_of(conv_id).exists()
        assert conv_id not in [s.id for s in app.store.list()]
        assert conv_id in [e.id for e in app.store.list_trash()]
        # The trash holds the partial reply, interrupted.
        await quit_and_wait(pilot, app)
    assert not ConversationStore(app_dirs).path_of(conv_id).exists()


@pytest.mark.parametrize(
    "state", ["hung server", "streaming", "lock held by another instance", "idle"]
)
async def test_ctrl_q_closes_the_app_in_every_state(
    state: str, loopback: LoopbackServer, profile_openai: Profile, app_dirs: Paths, tmp_path
) -> None:
    import tempfile

    if state == "hung server":
        loopback.push(Behaviour(delay_headers=3600))
    else:
        loopback.push(Behaviour(text=SLOW, chunk_chars=6, stall_after=60))
    app = make_app(app_dirs, profile_openai)
    rescue = tmp_path / "tmp"
    rescue.mkdir()
    old_tempdir, tempfile.tempdir = tempfile.tempdir, str(rescue)
    lock = None
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            ws = app.workspace
            await type_and_send(pilot, app, "are you there")
            conv_id = ws.conv.id
            if state == "hung server":
                await wait_until(pilot, lambda: loopback.requests, what="the request")
            elif state == "idle":
                app.engine.stop(conv_id)
                await wait_until(pilot, lambda: settled(app))
            else:
                await wait_until(pilot, lambda: app.replies and app.replies[conv_id].raw)
            if state == "lock held by another instance":
                lock = FileLock(app_dirs.locks_dir / f"{conv_id}.lock", 1.0)
                lock.acquire()
            await quit_and_wait(pilot, app)
    finally:
        tempfile.tempdir = old_tempdir
        if lock is not None:
            lock.release()
    saved = ConversationStore(app_dirs).load(conv_id).messages
    assert saved[0].content == "are you there"
    if state == "lock held by another instance":
        # Not saved in time: a rescue copy, a warning for stderr, a failing exit code.
        assert app.return_code == 1
        assert any("could not be saved" in line for line in app.exit_warnings)
        copies = list(rescue.rglob(f"{conv_id}.toml"))
        assert len(copies) == 1 and "are you there" in copies[0].read_text()
    else:
        assert app.return_code == 0 and not app.exit_warnings
        assert saved[-1].role == "assistant" and saved[-1].status == "interrupted"


async def test_keys_typed_before_the_screen_handles_a_send_start_the_next_prompt(
    loopback: LoopbackServer, profile_openai: Profile, app_dirs: Paths
) -> None:
    """`send-keys 'aaa' Enter 'bbb' Enter 'ccc' Enter` in tmux: every key arrives
    before the screen has handled the first send; the prompts stay apart
    (they were saved as "aaa", "aaabbb", "aaabbbccc")."""
    from textual import events

    loopback.push(Behaviour(text=SHORT, chunk_chars=6, chunk_delay=0.02, times=3))
    app = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        app.workspace.composer.focus()
        await pilot.pause()
        for char in "aaa\rbbb\rccc\r":
            key = "enter" if char == "\r" else char
            app.post_message(events.Key(key, char))  # one burst, no waiting in between
        await wait_until(
            pilot,
            lambda: (
                app.workspace.conv is not None
                and sum(m.role == "user" for m in app.workspace.conv.messages) == 3
            ),
            what="three prompts",
        )
        await wait_until(pilot, lambda: settled(app), timeout=60, what="the last reply")
        prompts, _statuses = prompts_and_statuses(app.store, app.workspace.conv.id)
        assert prompts == ["aaa", "bbb", "ccc"]
        assert app.workspace.composer.text == ""
        await quit_and_wait(pilot, app)
