"""Text snapshots of the main screens at 80x24 and 120x40.

The screen is rendered to plain text (what the terminal shows, without colours,
so theme tweaks do not churn them) and compared with tests/ui/snapshots/*.txt.
Run with UPDATE_SNAPSHOTS=1 to rewrite them after an intended change, and read
the diff. Deterministic: fixed clock, fixed stored times, no cursor blink.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from aichat_tui.models import Message
from aichat_tui.store import Paths
from aichat_tui.ui.screens.confirm import ConfirmScreen

from .helpers import FIXED_NOW, drawn_screen, make_app, screen_text, wait_until

SNAPSHOTS = Path(__file__).parent / "snapshots"
SIZES = [(80, 24), (120, 40)]
REPLY = (
    "Here is a **short** answer with a list:\n\n- one\n- two\n\n"
    "```python\ndef add(a, b):\n    return a + b\n```\n\nDone."
)


def check(name: str, text: str) -> None:
    """Compare with the stored snapshot (or write it when UPDATE_SNAPSHOTS=1)."""
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"missing snapshot {path}; run with UPDATE_SNAPSHOTS=1")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"screen differs from {path} (UPDATE_SNAPSHOTS=1 to accept)"


def seed(app) -> None:
    """Three conversations with fixed times; the newest has a reply with code."""
    for i, title in enumerate(["Trip to Lisbon", "Rust lifetimes [draft]", "Fix the flaky test"]):
        conv = app.store.create(title=title)
        conv.created = conv.updated = FIXED_NOW - timedelta(hours=(2 - i) * 5, minutes=3)
        if i == 2:
            conv.messages = [
                Message(
                    role="user", content="How do I add two numbers in Python?", time=conv.updated
                ),
                Message(role="assistant", content=REPLY, status="complete", time=conv.updated),
            ]
        app.store.save(conv, touch=False)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_workspace_snapshot(profile_openai, app_dirs, size) -> None:
    app = make_app(app_dirs, profile_openai)
    seed(app)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: "Done." in screen_text(app), what="reply rendered")
        await pilot.pause()
        check(f"workspace_{size[0]}x{size[1]}", await drawn_screen(pilot, app))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_first_run_snapshot(app_dirs, size, monkeypatch) -> None:
    # Relative folders so the path shown in the welcome panel is the same every run.
    monkeypatch.chdir(app_dirs.config_dir.parent)
    paths = Paths.resolve(config_dir="config", data_dir="data")
    app = make_app(paths, None)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        check(f"first_run_{size[0]}x{size[1]}", await drawn_screen(pilot, app))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_delete_dialog_snapshot(profile_openai, app_dirs, size) -> None:
    app = make_app(app_dirs, profile_openai)
    seed(app)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f8")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.pause()
        check(f"delete_dialog_{size[0]}x{size[1]}", await drawn_screen(pilot, app))
