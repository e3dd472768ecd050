"""Random sequences of user actions against the real app and loopback server (issue 10).

Each seed drives send, stop, retry, edit, new, switch, delete and rename at random
gaps (event-loop turns, not wall time), with random reply lengths and paces, errors,
cuts, and servers that stall or never answer. After every step, invariants are
checked by counting events: the app takes a key press; every prompt sent is saved;
the files parse and match the screen; a finished reply is not running and its task
ends; then Ctrl+Q closes the app and nothing is left half-written.

Default: SEEDS x STEPS below. Longer: AICHAT_TUI_RANDOM_SEEDS=1-50 (or 3,7,9) and
AICHAT_TUI_RANDOM_STEPS=200. Seeds that ever failed go in REGRESSION_SEEDS.
"""

from __future__ import annotations

import os
import random

import pytest

from aichat_tui import branches
from aichat_tui.engine import Reply, ReplyListener
from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile
from aichat_tui.store import ConversationStore, Paths
from aichat_tui.store.partial import SUFFIX

from .helpers import answers_a_key, make_app, quit_and_wait, wait_until

REGRESSION_SEEDS: list[int] = []  # seeds that once failed: kept for good


def _seeds() -> list[int]:
    raw = os.environ.get("AICHAT_TUI_RANDOM_SEEDS", "1-4")
    seeds: list[int] = []
    for part in raw.split(","):
        if "-" in part:
            low, high = part.split("-")
            seeds.extend(range(int(low), int(high) + 1))
        elif part.strip():
            seeds.append(int(part))
    return sorted(set(seeds + REGRESSION_SEEDS))


STEPS = int(os.environ.get("AICHAT_TUI_RANDOM_STEPS", "50"))
ACTIONS = ["send"] * 6 + ["stop", "retry", "edit", "new", "switch", "delete", "rename"] * 1


class Replies(ReplyListener):
    """Every reply the engine started."""

    def __init__(self) -> None:
        self.all: list[Reply] = []

    def reply_state(self, reply: Reply) -> None:
        if reply not in self.all:
            self.all.append(reply)


def behaviour(rng: random.Random) -> Behaviour:
    text = " ".join(f"w{i}" for i in range(rng.randint(1, 120)))
    kind = rng.choice(["ok", "ok", "ok", "slow", "stall", "never", "error", "cut"])
    if kind == "slow":
        return Behaviour(text=text, chunk_chars=rng.randint(1, 8), chunk_delay=0.01)
    if kind == "stall":
        return Behaviour(text=text + " tail", stall_after=rng.randint(0, len(text)))
    if kind == "never":
        return Behaviour(delay_headers=3600)
    if kind == "error":
        return Behaviour(status=401)
    if kind == "cut":
        return Behaviour(text=text + " tail", cut_after=rng.randint(0, len(text)))
    return Behaviour(text=text, chunk_chars=rng.randint(1, 40))


async def run_seed(seed: int, loopback: LoopbackServer, profile: Profile, paths: Paths) -> None:
    rng = random.Random(seed)
    app = make_app(paths, profile)
    replies = Replies()
    app.engine.subscribe(replies)
    sent: dict[str, list[str]] = {}  # conversation id -> prompts sent to it
    deleted: set[str] = set()
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        for step in range(STEPS):
            action = rng.choice(ACTIONS)
            where = f"seed {seed} step {step} ({action})"
            if action in ("send", "edit"):
                if action == "edit" and ws.conv is not None:
                    ws.action_edit_last()
                loopback.push(behaviour(rng))
                text = f"s{seed}-{step}"
                ws.composer.focus()
                ws.composer.text = text
                await pilot.press("enter")
                if ws.conv is not None:
                    sent.setdefault(ws.conv.id, []).append(text)
            elif action == "stop":
                await pilot.press("escape")
            elif action == "retry":
                await pilot.press("ctrl+r")
            elif action == "new":
                await pilot.press("ctrl+n")
            elif action == "switch":
                await pilot.press("ctrl+down")
            elif action == "delete" and ws.conv is not None:
                doomed = ws.conv.id
                await pilot.press("f8")
                await pilot.press("y")
                gone = lambda d=doomed: ws.conv is None or ws.conv.id != d  # noqa: E731
                await wait_until(pilot, gone, what=where)
                deleted.add(doomed)
            elif action == "rename" and ws.conv is not None:
                await pilot.press("f2")
                await pilot.press("ctrl+a", *list("renamed"), "enter")
            for _ in range(rng.randint(0, 3)):
                await pilot.pause()
            await check(pilot, app, replies, sent, deleted, where)
        await quit_and_wait(pilot, app)
    assert app.return_code == 0
    store = ConversationStore(paths)
    for conv_id, prompts in sent.items():
        if conv_id in deleted:
            assert not store.path_of(conv_id).exists(), f"seed {seed}: a deleted session came back"
            continue
        everything = [m.content for m in branches.all_messages(store.load(conv_id))]
        assert set(prompts) <= set(everything), f"seed {seed}: a prompt was lost"
    assert all(r.done for r in replies.all), f"seed {seed}: a reply outlived the app"
    assert not [n for n in os.listdir(paths.conversations_dir) if n.endswith(SUFFIX)]


async def check(pilot, app, replies: Replies, sent, deleted, where: str) -> None:
    ws = app.workspace
    await answers_a_key(pilot, app)
    # A finished reply is no longer running and its task ends; a running one is not final.
    for reply in replies.all:
        if reply.done:
            assert app.engine.running.get(reply.conv_id) is not reply, where
            await wait_until(pilot, lambda r=reply: r.task is None or r.task.done(), what=where)
        else:
            assert app.engine.running.get(reply.conv_id) is reply, where
    # Every prompt sent is saved, and the files parse.
    store = ConversationStore(app.paths)
    for conv_id, prompts in sent.items():
        if conv_id in deleted:
            assert not store.path_of(conv_id).exists(), f"{where}: a deleted session came back"
            continue
        everything = [m.content for m in branches.all_messages(store.load(conv_id))]
        assert set(prompts) <= set(everything), f"{where}: a prompt is not saved"
    # The open conversation on disk is the one on screen.
    if ws.conv is not None and ws.conv.id not in deleted:
        disk = store.load(ws.conv.id)
        assert [m.id for m in disk.messages] == [m.id for m in ws.conv.messages], where
        assert disk.title == ws.conv.title, where
        await wait_until(
            pilot,
            lambda: (
                list(ws.transcript._views)
                == [m.id for m in ws.conv.messages][-len(ws.transcript._views) :]
                if ws.transcript._views
                else True
            ),
            what=f"{where}: the screen shows the conversation",
        )


@pytest.mark.parametrize("seed", _seeds())
async def test_random_user_actions(
    seed: int, loopback: LoopbackServer, profile_openai: Profile, app_dirs: Paths
) -> None:
    await run_seed(seed, loopback, profile_openai, app_dirs)
