"""The header line (issue 12): title, profile, model and the reply state, at 80x24 and
120x40, as text snapshots; the first-run panel and the demo banner."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from aichat_tui.models import Message
from aichat_tui.ui.widgets.status_header import StatusHeader

from .helpers import drawn_screen, make_app, screen_text, wait_until
from .test_snapshots import SIZES, check


@dataclass
class _State:
    value: str


class _Live:
    """What the header reads of a running reply (the engine's Reply has these)."""

    def __init__(self, state: str, host: str = "", tokens: int | None = None) -> None:
        self.state = _State(state)
        self.host = host
        self.shown = "partial" if state == "streaming" else ""
        self.usage = SimpleNamespace(completion_tokens=tokens) if tokens else None


STATES = {
    "connecting": _Live("connecting", host="127.0.0.1:8080"),
    "thinking": _Live("thinking"),
    "streaming": _Live("streaming", tokens=120),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("state", ["connecting", "thinking", "streaming", "done", "error"])
async def test_header_shows_profile_model_and_reply_state(
    profile_openai, app_dirs, size, state
) -> None:
    app = make_app(app_dirs, profile_openai)
    conv = app.store.create(title="Plan the trip to Lisbon in May")
    reply = Message(role="assistant", content="Sure." if state == "done" else "")
    if state == "done":
        reply.status = "complete"
    elif state == "error":
        reply.status = "error"
        reply.error = "HTTP 503 from 127.0.0.1:8080: the model is loading"
    conv.messages = [Message(role="user", content="Plan it"), reply]
    app.store.save(conv)
    async with app.run_test(size=size) as pilot:
        ws = app.workspace
        await wait_until(pilot, lambda: ws.conv is not None)
        header = ws.query_one(StatusHeader)
        ticks = iter([100.0] + [106.0] * 1000)
        header.clock = lambda: next(ticks)
        if state in STATES:
            app.replies[conv.id] = STATES[state]  # type: ignore[assignment]
        ws._update_busy()  # as the engine's state message would (the footer offers Stop)
        ws.poll_header()
        await pilot.pause()
        ws.poll_header()
        await pilot.pause()
        text = await drawn_screen(pilot, app)
        first = text.splitlines()[0]
        assert "loopback-openai · demo-model" in first
        expected = {
            "connecting": "connecting to 127.0.0.1:8080",
            "thinking": "thinking",
            "streaming": "streaming 6s · 20 tok/s",
            "done": "✓ done",
            "error": "F3 settings",
        }[state]
        assert expected in first
        app.replies.pop(conv.id, None)  # a stand-in: the engine must not stop it at exit
        check(f"header_{state}_{size[0]}x{size[1]}", text)


async def test_session_settings_override_is_named(profile_openai, app_dirs) -> None:
    from dataclasses import replace

    override = replace(profile_openai, name="command-line", model="thinker")
    app = make_app(app_dirs, profile_openai, profile_override=override)
    app.store.create(title="Chat")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.workspace.conv is not None)
        await pilot.pause()
        assert "command-line · thinker" in screen_text(app).splitlines()[0]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_first_run_on_the_built_in_profile_says_what_to_do(app_dirs, size, monkeypatch):
    from aichat_tui.store import Paths
    from aichat_tui.ui.app import AichatApp

    # Relative folders so the path shown is the same every run; no config.toml yet.
    monkeypatch.chdir(app_dirs.config_dir.parent)
    paths = Paths.resolve(config_dir="fresh-config", data_dir="fresh-data")
    app = AichatApp(paths=paths)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        text = await drawn_screen(pilot, app)
        assert "local" in text and "F3" in text and "--demo" in text
        check(f"first_run_local_{size[0]}x{size[1]}", text)


async def test_a_first_reply_that_cannot_connect_brings_the_panel(app_dirs, profile_openai):
    from dataclasses import replace

    app = make_app(app_dirs, replace(profile_openai, base_url="http://127.0.0.1:9/v1"))
    async with app.run_test(size=(80, 24)) as pilot:
        ws = app.workspace
        ws.composer.text = "hello?"
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: ws.conv is not None and ws.conv.messages[-1].status == "error",
            timeout=30,
        )
        await wait_until(pilot, lambda: "Nobody answers" in screen_text(app))
        text = await drawn_screen(pilot, app)
        assert "F3" in text and "--demo" in text and "F3 settings" in text.splitlines()[0]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_demo_mode_says_so_and_help_names_no_temporary_path(
    app_dirs, profile_openai, size
) -> None:
    from textual.widgets import Static

    from aichat_tui.ui.screens.help import HelpScreen

    app = make_app(app_dirs, profile_openai, demo=True, new_session=True)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.workspace.conv is not None)
        await pilot.pause()
        text = await drawn_screen(pilot, app)
        assert "Demo mode" in text
        check(f"demo_banner_{size[0]}x{size[1]}", text)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        remap = str(app.screen.query_one("#help-remap", Static).render())
        assert str(app_dirs.config_dir) not in remap and "your own config.toml" in remap
