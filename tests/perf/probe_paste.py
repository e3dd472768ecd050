"""A 5 MB plain paste, and sending it, against bare Textual (issue 10; bench.py runs it).

    python -m tests.perf.probe_paste app SERVER_URL DATA CONFIG
    python -m tests.perf.probe_paste bare
    python -m tests.perf.probe_paste parse

``app``: the real AichatApp headless (120x40): seconds from the paste event until the
composer holds it and the screen has settled; then one key press until settled (is
the screen still answering?); then Enter until the reply is complete and settled.
``bare``: the same paste and key press on a bare Textual App whose only widget is a
TextArea (Textual's own editor: the baseline). ``parse``: the terminal input parser
reading the paste as a terminal sends it (``ESC[200~`` … ``ESC[201~``, 4 KiB reads):
the app's PasteParser against Textual's XTermParser. Prints one JSON line; wall
seconds with CPU alongside. A figure that does not settle within LIMIT seconds is
reported as LIMIT with ``"capped": true``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from tests.perf.probe_ui import Clock, settle
from tests.perf.sections import ROOT, run_probe

LIMIT = 300.0
LINES = 80_000  # x 66 bytes: 5.3 MB


def paste_text(lines: int = LINES) -> str:
    """Plain text as a log file or source code would paste: ~66-byte lines."""
    return "".join(
        f"{i:07d} plain pasted text, a line of a log file or of source code\n" for i in range(lines)
    )


async def _until(predicate: Any, limit: float = LIMIT) -> bool:
    deadline = time.perf_counter() + limit
    while not predicate():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def app_figures(server_url: str, data: Path, config: Path) -> dict[str, Any]:
    """The real app: paste, a key press after it, and sending it."""
    from textual import events

    from aichat_tui.models import Profile, Settings
    from aichat_tui.store import Paths
    from aichat_tui.ui.app import AichatApp

    big = paste_text()
    paths = Paths.resolve(config_dir=config, data_dir=data)
    profile = Profile(name="bench", kind="openai", base_url=server_url + "/v1", model="m", proxy="")
    settings = Settings(profiles={"bench": profile}, default_profile="bench")
    app = AichatApp(paths=paths, settings=settings)
    out: dict[str, Any] = {"bytes": len(big.encode())}
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        ws.composer.focus()
        await settle(pilot)
        with Clock() as paste:
            app.post_message(events.Paste(big))
            done = await _until(lambda: len(ws.composer.full_text) == len(big))
            await settle(pilot)
        out["paste_s"], out["paste_cpu_s"], out["paste_capped"] = paste.wall, paste.cpu, not done
        with Clock() as key:
            await pilot.press("end", "x")
            await settle(pilot)
        out["key_after_s"], out["key_after_cpu_s"] = key.wall, key.cpu
        with Clock() as send:
            await pilot.press("enter")

            def replied() -> bool:
                conv = ws.conv
                return bool(conv and conv.messages and conv.messages[-1].status and not app.replies)

            done = await _until(replied)
            await settle(pilot)
        out["send_s"], out["send_cpu_s"], out["send_capped"] = send.wall, send.cpu, not done
        out["sent_chars"] = len(ws.conv.messages[0].content) if ws.conv else 0
    return out


async def bare_figures() -> dict[str, Any]:
    """Bare Textual: the same paste into a TextArea, and a key press after it."""
    from textual import events
    from textual.app import App, ComposeResult
    from textual.widgets import TextArea

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield TextArea()

    big = paste_text()
    app = Bare()
    out: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        area = app.query_one(TextArea)
        area.focus()
        await settle(pilot)
        lines = big.count("\n") + 1
        with Clock() as paste:
            app.post_message(events.Paste(big))
            done = await _until(lambda: area.document.line_count == lines)
            await settle(pilot)
        out["paste_s"], out["paste_cpu_s"], out["paste_capped"] = paste.wall, paste.cpu, not done
        with Clock() as key:
            await pilot.press("x")
            await settle(pilot)
        out["key_after_s"], out["key_after_cpu_s"] = key.wall, key.cpu
    return out


def parse_figures() -> dict[str, Any]:
    """Terminal input parsing of the paste: PasteParser vs Textual's XTermParser."""
    from aichat_tui.ui.paste import PasteParser
    from aichat_tui.ui.textual_compat import XTermParser

    data = "\x1b[200~" + paste_text() + "\x1b[201~"
    chunks = [data[i : i + 4096] for i in range(0, len(data), 4096)]
    out: dict[str, Any] = {}
    for name, cls in (("app", PasteParser), ("bare", XTermParser)):
        parser = cls()
        with Clock() as clock:
            events = [e for chunk in chunks for e in parser.feed(chunk)]
        out[f"{name}_s"], out[f"{name}_events"] = clock.wall, len(events)
    return out


def run(mode: str, *args: str) -> dict:
    """Run this probe in a subprocess (bench.py's entry point)."""
    return run_probe("tests.perf.probe_paste", mode, *args, timeout=3 * LIMIT)


def main(argv: list[str] | None = None) -> int:
    """Measure and print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["app", "bare", "parse"])
    parser.add_argument("rest", nargs="*")
    args = parser.parse_args(argv)
    if args.mode == "app":
        url, data, config = args.rest
        result = asyncio.run(app_figures(url, Path(data), Path(config)))
    elif args.mode == "bare":
        result = asyncio.run(bare_figures())
    else:
        result = parse_figures()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
