"""``ask --save`` and the workspace share the engine: for every way a reply can end,
both leave the same saved conversation (prompt, reply text, status, error, title)."""

from __future__ import annotations

import dataclasses
import signal
from pathlib import Path

import pytest

from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Conversation, Profile
from aichat_tui.store import ConversationStore
from tests.cli.conftest import Cli, read_until
from tests.ui.helpers import make_app, paths_in, settled, wait_until

PROMPT = "tell me about outcomes"
TEXT = "".join(f"w{i} " for i in range(200))
STOP_AT = 60  # characters the server sends before stalling (the "stop" case)

OUTCOMES: dict[str, Behaviour | None] = {
    "complete": None,
    "interrupted by stop": Behaviour(text=TEXT, chunk_chars=10, stall_after=STOP_AT),
    "error before text": Behaviour(status=401),
    "error after some text": Behaviour(text=TEXT, error_event={"message": "model overloaded"}),
    "server cut mid-reply": Behaviour(text=TEXT, chunk_chars=10, cut_after=80),
}


def saved_state(store: ConversationStore) -> tuple[str, list[tuple[object, ...]]]:
    """The one conversation in ``store``: its title and its messages, id/time aside."""
    [summary] = store.list()
    conv: Conversation = store.load(summary.id)
    return conv.title, [(m.role, m.content, m.status, m.error) for m in conv.messages]


def run_ask(cli: Cli, stop: bool) -> None:
    if not stop:
        cli.run("ask", "--save", PROMPT)
        return
    proc = cli.popen("ask", "--save", PROMPT)
    try:
        read_until(proc, lambda data: len(data) >= STOP_AT)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130


async def run_workspace(root: Path, profile: Profile, stop: bool) -> ConversationStore:
    paths = paths_in(root)
    app = make_app(paths, profile, new_session=True)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        ws.composer.text = PROMPT
        await pilot.press("enter")
        if stop:
            await wait_until(
                pilot, lambda: app.replies and len(app.replies[ws.conv.id].raw) >= STOP_AT
            )
            await pilot.press("escape")
        await wait_until(pilot, lambda: settled(app), timeout=30, what="the reply to end")
    return ConversationStore(paths)


@pytest.mark.parametrize("outcome", list(OUTCOMES))
async def test_ask_and_the_workspace_save_the_same_state(
    outcome: str, cli: Cli, server: LoopbackServer, openai_profile: Profile, tmp_path: Path
) -> None:
    behaviour = OUTCOMES[outcome]
    stop = outcome == "interrupted by stop"
    cli.configure(openai_profile)
    if behaviour is not None:
        server.push(dataclasses.replace(behaviour))
    run_ask(cli, stop)
    asked = saved_state(cli.store())
    if behaviour is not None:
        server.push(dataclasses.replace(behaviour))
    shown = saved_state(await run_workspace(tmp_path / "ui", openai_profile, stop))
    assert asked == shown
    title, messages = asked
    assert title == PROMPT and messages[0] == ("user", PROMPT, None, None)
    role, content, status, error = messages[1]
    expected_status = {
        "complete": "complete",
        "interrupted by stop": "interrupted",
    }.get(outcome, "error")
    assert role == "assistant" and status == expected_status
    assert bool(error) is (status == "error")
    assert bool(content) is (outcome != "error before text")
    if stop:
        assert content == TEXT[:STOP_AT]
