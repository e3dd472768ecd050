"""Sync in the workspace: the corner shows the state, the palette's "Sync now"
syncs, automatic syncs run at start (and at quit) in a thread that never blocks
the UI, and quitting never waits for a sync that hangs (issue 15)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from aichat_tui.store import load_settings, save_settings
from aichat_tui.ui.sync_status import LABELS
from tests.sync.conftest import Machine
from tests.ui.helpers import make_app, wait_until


def _auto(machine: Machine, remote: str) -> None:
    settings = load_settings(machine.paths)
    settings.sync.remote = remote
    settings.sync.auto = True
    save_settings(machine.paths, settings)


def _app(machine: Machine, profile):
    app = make_app(machine.paths, profile)
    app.settings.sync = load_settings(machine.paths).sync
    return app


def _corner(app) -> str:
    return str(app.workspace.composer.border_title)


def _command(app, name: str):
    found = [c for c in app.get_system_commands(app.screen) if c.title == name]
    assert len(found) == 1
    return found[0].callback


async def test_start_sync_and_sync_now_bring_the_other_machine_in(
    machines, remote, profile_openai
) -> None:
    a, b = machines
    a.init(remote)
    _auto(a, str(remote))
    theirs = b.chat(b.store.create(title="from b"), "hello")
    b.init(remote)
    app = _app(a, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.sync_status
        await wait_until(pilot, lambda: status.runs == 1, 30, "the start-up sync")
        assert status.state == "synced" and _corner(app) == LABELS["synced"]
        assert theirs.id in [s.id for s in app.workspace.sessions.summaries]
        await app.switch_session(theirs.id)
        b.chat(theirs.id, "more from b")
        b.sync()
        _command(app, "Sync now")()
        await wait_until(pilot, lambda: status.runs == 2, 30, "the second sync")
        assert [m.content for m in app.workspace.conv.messages][-2:] == [
            "more from b",
            "reply to more from b",
        ]


async def test_an_unreachable_remote_shows_offline_and_the_workspace_works(
    machines, remote, profile_openai
) -> None:
    a, _ = machines
    a.init(remote)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _auto(a, f"http://127.0.0.1:{port}/remote.git")
    app = _app(a, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.sync_status
        await wait_until(pilot, lambda: status.runs == 1, 30, "the start-up sync")
        assert _corner(app) == LABELS["offline"] and "127.0.0.1" in status.message
        app.workspace.composer.focus()
        await pilot.press("h", "i")
        assert app.workspace.composer.text == "hi"
        _command(app, "Sync now")()
        await wait_until(pilot, lambda: status.runs == 2, 30, "the manual sync")
        assert any(status.message in str(n.message) for n in app._notifications)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


async def test_quit_does_not_wait_for_a_sync_that_hangs(
    machines, remote, profile_openai, silent_server
) -> None:
    a, _ = machines
    a.init(remote)
    _auto(a, f"http://127.0.0.1:{silent_server}/remote.git")
    app = _app(a, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.sync_status
        await wait_until(pilot, lambda: status.state == "syncing", 30, "the start-up sync")
        assert _corner(app) == LABELS["syncing"]
        await pilot.press("ctrl+q")
    # the app is gone while the sync still waits for the silent server
    assert not status.idle.is_set() and status.runs == 0


async def test_a_finished_reply_is_synced_after_the_debounce(
    machines, remote, profile_openai, loopback, monkeypatch
) -> None:
    from aichat_tui.loopback import Behaviour
    from aichat_tui.ui import sync_status

    monkeypatch.setattr(sync_status, "DEBOUNCE", 0.05)
    loopback.push(Behaviour(text="the answer"))
    a, b = machines
    a.init(remote)
    _auto(a, str(remote))
    app = _app(a, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.sync_status
        await wait_until(pilot, lambda: status.runs == 1, 30, "the start-up sync")
        composer = app.workspace.composer
        composer.focus()
        composer.text = "a question"
        await pilot.press("enter")
        await wait_until(pilot, lambda: status.runs == 2, 30, "the sync after the reply")
        conv_id = app.workspace.conv.id
    b.init(remote)
    assert b.texts(conv_id)[-2:] == ["a question", "the answer"]
