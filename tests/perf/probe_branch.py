"""Branch-switch time in a 2,000-message tree (issue 13), with a bare Textual baseline
measured in the same run (each in its own subprocess, headless, 120x40).

    python -m tests.perf.probe_branch app DATA CONFIG CONV_ID
    python -m tests.perf.probe_branch hello

``app``: the real app opened on the tree; the last reply (which has three versions)
is chosen with the messages key, then Left/Right step between its versions; each
step is timed from the key until the transcript shows the other version and the
screen has processed everything (the active branch is saved too, as it is for a
user). Then the same for a prompt 10 messages above the end, whose other version
carries a different 10-message branch below it. ``hello``: a bare Textual app
(VerticalScroll of Static widgets holding the same texts) replacing its last
widget with the other version's text: the least any Textual app spends to show
another version. Prints one JSON line each. Wall times; CPU alongside.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from tests.perf.sections import ROOT, run_probe

SWITCHES = 10
#: Versions of the last reply, and the prompt (10 from the end) with another branch.
LAST_VERSIONS = 3
FORK_FROM_END = 10


def make_tree(paths: Any, n: int = 2000) -> str:
    """A conversation of ``n`` messages on its active path, the last reply in
    three versions, a regenerated reply every 200 messages, and a second version
    of the prompt ``FORK_FROM_END`` messages from the end with its own branch."""
    from datetime import timedelta

    from aichat_tui.models import Message
    from aichat_tui.store import ConversationStore
    from tests.perf.gen import big_messages
    from tests.perf.replies import make_reply

    store = ConversationStore(paths)
    conv = store.create(title=f"Tree of {n} messages")
    conv.messages = big_messages(n)
    path = list(conv.messages)
    later = path[-1].time + timedelta(minutes=1)
    for i in range(1, n, 200):
        conv.add_branch(path[i - 1].id, _reply(make_reply(400, seed=i), later))
        later += timedelta(minutes=1)
    fork = path[-FORK_FROM_END]
    conv.add_branch(fork.parent, Message("user", "Another question, edited.", time=later))
    for j in range(FORK_FROM_END - 1):
        later += timedelta(minutes=1)
        role = "assistant" if j % 2 == 0 else "user"
        text = make_reply(300 + j * 50, seed=9000 + j) if role == "assistant" else f"Again {j}?"
        conv.messages.append(_reply(text, later) if role == "assistant" else Message(role, text))
    conv.switch_to(path[-1].id)
    for k in range(LAST_VERSIONS - 1):
        later += timedelta(minutes=1)
        conv.add_branch(path[-2].id, _reply(make_reply(800, seed=500 + k), later))
    store.save(conv)
    return conv.id


def _reply(text: str, when: Any) -> Any:
    from aichat_tui.models import Message

    return Message("assistant", text, time=when, status="complete")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


async def app_probe(data: Path, config: Path, conv_id: str) -> dict[str, Any]:
    """Step through versions in the real app."""
    from tests.perf.probe_stream import until
    from tests.perf.probe_ui import Clock, _app, _workspace, settle

    app = _app(data, config, conv_id)
    out: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:

        def opened() -> bool:
            ws = _workspace(app)
            return ws is not None and ws.conv is not None and bool(ws.transcript._views)

        await until(opened, interval=0.002)
        await settle(pilot)
        ws = _workspace(app)
        await pilot.press("f5")
        await settle(pilot)

        async def step(key: str, shown: Any) -> Clock:
            with Clock() as clock:
                await pilot.press(key)
                await until(shown, interval=0.001)
                await settle(pilot)
            return clock

        last_id = lambda: ws.conv.messages[-1].id  # noqa: E731
        reply_steps: list[Clock] = []
        for i in range(SWITCHES):
            before = last_id()
            key = "left" if i % 2 == 0 else "right"
            reply_steps.append(await step(key, lambda b=before: last_id() != b))
        out["reply_switch_s"] = _median([c.wall for c in reply_steps])
        out["reply_switch_cpu_s"] = _median([c.cpu for c in reply_steps])
        # up to the prompt with another version: the whole tail below it changes
        for _ in range(FORK_FROM_END - 1):
            await pilot.press("up")
        await settle(pilot)
        chosen = app.focused
        out["prompt_chosen"] = getattr(getattr(chosen, "message", None), "role", None)
        prompt_steps: list[Clock] = []
        for i in range(SWITCHES):
            before = last_id()
            key = "right" if i % 2 == 0 else "left"
            prompt_steps.append(await step(key, lambda b=before: last_id() != b))
        out["prompt_switch_s"] = _median([c.wall for c in prompt_steps])
        out["prompt_switch_cpu_s"] = _median([c.cpu for c in prompt_steps])
        out["path_length"] = len(ws.conv.messages)
        out["tree_size"] = len(ws.conv.messages) + len(ws.conv.off_path)
        out["mounted_messages"] = len(ws.transcript._views)
    return out


async def hello_probe() -> dict[str, Any]:
    """The bare Textual floor: swap the last of 20 Static widgets for another text."""
    from textual.app import App, ComposeResult
    from textual.containers import VerticalScroll
    from textual.widgets import Footer, Static

    from tests.perf.probe_stream import until
    from tests.perf.probe_ui import Clock, settle
    from tests.perf.replies import make_reply

    texts = [make_reply(200 + (i * 7919) % 2800, seed=i) for i in range(20)]
    versions = [make_reply(800, seed=500 + k) for k in range(2)]

    class Hello(App[None]):
        def compose(self) -> ComposeResult:
            with VerticalScroll(id="pane"):
                for text in texts:
                    yield Static(text, markup=False)
            yield Footer()

    app = Hello()
    out: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.query_one("#pane", VerticalScroll)
        steps: list[Clock] = []
        for i in range(SWITCHES):
            text = versions[i % 2]
            with Clock() as clock:
                await pane.children[-1].remove()
                await pane.mount(Static(text, markup=False))
                pane.scroll_end(animate=False)
                await until(lambda t=text: str(pane.children[-1].render()) == t, interval=0.001)
                await settle(pilot)
            steps.append(clock)
        out["reply_switch_s"] = _median([c.wall for c in steps])
        out["reply_switch_cpu_s"] = _median([c.cpu for c in steps])
    return out


def run(data: Path, config: Path, conv_id: str) -> dict[str, Any]:
    """Both probes, each in a subprocess (bench.py's entry point)."""
    return {
        "app": run_probe("tests.perf.probe_branch", "app", str(data), str(config), conv_id),
        "hello": run_probe("tests.perf.probe_branch", "hello"),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure and print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["app", "hello"])
    parser.add_argument("data", type=Path, nargs="?")
    parser.add_argument("config", type=Path, nargs="?")
    parser.add_argument("conv_id", nargs="?", default="")
    args = parser.parse_args(argv)
    if args.mode == "app":
        result = asyncio.run(app_probe(args.data, args.config, args.conv_id))
    else:
        result = asyncio.run(hello_probe())
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
