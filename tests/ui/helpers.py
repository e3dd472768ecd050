"""Shared helpers for the UI tests: app construction, bounded waits, screen text."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot

from aichat_tui.models import Profile, Settings
from aichat_tui.store import Paths
from aichat_tui.ui.app import AichatApp
from aichat_tui.ui.screens.workspace import WorkspaceScreen

FIXED_NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)


def make_app(paths: Paths, profile: Profile | None, **kwargs: object) -> AichatApp:
    """An app on real folders, with ``profile`` as its only (default) profile."""
    settings = Settings()
    if profile is not None:
        settings = Settings(profiles={profile.name: profile}, default_profile=profile.name)
    app = AichatApp(paths=paths, settings=settings, **kwargs)  # type: ignore[arg-type]
    app.clock = lambda: FIXED_NOW
    return app


def paths_in(root: Path) -> Paths:
    """Real config/data folders under ``root``."""
    paths = Paths.resolve(config_dir=root / "config", data_dir=root / "data")
    paths.ensure()
    return paths


async def wait_until(
    pilot: Pilot, condition: Callable[[], object], timeout: float = 60.0, what: str = "condition"
) -> None:
    """Poll ``condition`` while the app runs; fail after ``timeout`` seconds."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def settled(app: AichatApp) -> bool:
    """No reply is running, the shown conversation's last message has a status and
    the screen has finished showing it (replies end on the screen a turn later)."""
    conv = app.workspace.conv
    return (
        not app.replies
        and conv is not None
        and bool(conv.messages[-1].status)
        and not app.workspace.transcript.streaming()
    )


def workspace(app: AichatApp) -> WorkspaceScreen:
    """The app's workspace screen."""
    return app.workspace


def screen_text(app: AichatApp) -> str:
    """The current screen rendered to plain text (what a terminal would show)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text(styles=False)


def rendered_segments_text(app: AichatApp) -> str:
    """Every segment text of the current frame, joined (to look for raw ESC/C1)."""
    update = app.screen._compositor.render_update(full=True)
    console = Console(width=app.size[0], file=io.StringIO(), force_terminal=True)
    return "".join(seg.text for seg in console.render(update) if not seg.control)


async def quit_and_wait(pilot: Pilot, app: AichatApp, timeout: float = 30.0) -> None:
    """Press Ctrl+Q and wait (bounded, by polling the app's own state) until the app
    has really stopped running: a freeze fails here instead of hanging the test."""
    import asyncio

    await pilot.press("ctrl+q")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while app.is_running:
        if loop.time() > deadline:
            raise AssertionError("Ctrl+Q did not close the app")
        await asyncio.sleep(0.01)


async def answers_a_key(pilot: Pilot, app: AichatApp) -> None:
    """The app still takes a key press: a letter typed lands in the composer."""
    composer = app.workspace.composer
    composer.focus()
    before = composer.text
    await pilot.press("z")
    await wait_until(pilot, lambda: composer.text == before + "z", what="a key press to register")
    composer.text = before


async def drawn_screen(pilot: Pilot, app: AichatApp, timeout: float = 60.0) -> str:
    """The screen as text once its footer is drawn (the last frame a person sees
    complete): on a busy machine one pause can capture a frame without it."""
    await wait_until(
        pilot,
        lambda: bool(screen_text(app).splitlines()[-1].strip()),
        timeout=timeout,
        what="the footer to be drawn",
    )
    return screen_text(app)
