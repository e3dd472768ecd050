"""Headless UI figures of the real app (run in a subprocess by bench.py).

    python -m tests.perf.probe_ui sidebar DATA CONFIG [--profile-out FILE]
    python -m tests.perf.probe_ui big DATA CONFIG CONV_ID [--profile-out FILE]

``sidebar`` (DATA holds 1,000 sessions): seconds from App() to the sidebar holding
every session (headless start), seconds to list + populate the sidebar again (the
store's list() and SessionList.set_sessions, until the screen has processed it), and
seconds per switch with the next-session key (until the transcript shows the
next conversation and the screen has processed it).
``big`` (DATA holds a 2,000-message conversation CONV_ID and a small one): seconds
from App(session_id=CONV_ID) to its transcript mounted, and seconds to switch to it
from the small one. Prints one JSON line. Wall times; CPU alongside.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.perf.probe_stream import until
from tests.perf.sections import ROOT, run_probe


async def settle(pilot: Any) -> None:
    """Until every widget of the screen has processed its pending messages."""
    await pilot._wait_for_screen()


class Clock:
    """Wall and CPU time of one operation."""

    def __enter__(self) -> Clock:
        self.w0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.w0
        self.cpu = time.process_time() - self.c0


def _app(data: Path, config: Path, session_id: str | None) -> Any:
    from aichat_tui.models import Profile
    from aichat_tui.store import Paths
    from aichat_tui.ui.app import AichatApp

    paths = Paths.resolve(config_dir=config, data_dir=data)
    profile = Profile(name="bench", kind="openai", base_url="http://127.0.0.1:9/v1", model="m")
    return AichatApp(paths=paths, profile_override=profile, session_id=session_id)


def _workspace(app: Any) -> Any:
    from aichat_tui.ui.screens.workspace import WorkspaceScreen

    screen = app.screen
    return screen if isinstance(screen, WorkspaceScreen) else None


def _profiler(path: str | None) -> Any:
    if not path:
        return None
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="disabled", interval=0.0005)
    profiler.start()
    return profiler


def _stop_profiler(profiler: Any, path: str | None) -> None:
    if profiler is not None and path:
        profiler.stop()
        Path(path).write_text(profiler.output_text(unicode=True, show_all=False))


async def sidebar(data: Path, config: Path, profile_out: str | None) -> dict[str, Any]:
    """Start-up with 1,000 sessions, re-populate, switch."""
    w0 = time.perf_counter()
    app = _app(data, config, None)
    out: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:

        def listed() -> bool:
            ws = _workspace(app)
            return ws is not None and ws.sessions.option_count >= 1000

        await until(listed, interval=0.002)
        await settle(pilot)
        out["startup_listed_s"] = time.perf_counter() - w0
        ws = _workspace(app)
        populate = []
        for _ in range(5):
            with Clock() as clock:
                ws.refresh_sessions()
                await settle(pilot)
            populate.append(clock)
        out["populate_s"] = statistics.median(c.wall for c in populate)
        out["populate_cpu_s"] = statistics.median(c.cpu for c in populate)
        await _switches(pilot, app, out, profile_out, ws.sessions.summaries)
    return out


async def _switches(
    pilot: Any, app: Any, out: dict[str, Any], profile_out: str | None, summaries: list
) -> None:
    ws = _workspace(app)
    ws.composer.focus()
    await settle(pilot)
    switches: list[Clock] = []
    profiler = _profiler(profile_out)
    for _ in range(10):
        before = ws.conv.id if ws.conv else None
        shown: Callable[[], bool] = lambda before=before: (  # noqa: E731
            ws.conv is not None and ws.conv.id != before and ws.transcript.conversation is ws.conv
        )
        with Clock() as clock:
            await pilot.press("ctrl+down")
            await until(shown, interval=0.001)
            await settle(pilot)
        switches.append(clock)
    _stop_profiler(profiler, profile_out)
    out["switch_s"] = statistics.median(c.wall for c in switches)
    out["switch_cpu_s"] = statistics.median(c.cpu for c in switches)
    out["switch_all"] = [c.wall for c in switches]


async def big(data: Path, config: Path, conv_id: str, profile_out: str | None) -> dict[str, Any]:
    """Start-up on a 2,000-message conversation; switching to it."""
    w0 = time.perf_counter()
    app = _app(data, config, conv_id)
    out: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:

        def shown() -> bool:
            ws = _workspace(app)
            return (
                ws is not None
                and ws.conv is not None
                and ws.conv.id == conv_id
                and ws.transcript.conversation is ws.conv
                and len(ws.transcript.children) > 0
            )

        await until(shown, interval=0.002)
        await settle(pilot)
        out["startup_open_s"] = time.perf_counter() - w0
        ws = _workspace(app)
        other = next(s.id for s in ws.sessions.summaries if s.id != conv_id)
        times: list[Clock] = []
        profiler = _profiler(profile_out)
        for _ in range(5):
            await ws.open_session(other)
            await settle(pilot)
            with Clock() as clock:
                await ws.open_session(conv_id)
                await settle(pilot)
            times.append(clock)
        _stop_profiler(profiler, profile_out)
        out["switch_s"] = statistics.median(c.wall for c in times)
        out["switch_cpu_s"] = statistics.median(c.cpu for c in times)
        out["mounted_messages"] = len(ws.transcript._views)
    return out


def run(mode: str, data: Path, config: Path, conv_id: str, profile_out: str = "") -> dict:
    """Run this probe in a subprocess (bench.py's entry point)."""
    args = [mode, str(data), str(config)] + ([conv_id] if mode == "big" else [])
    if profile_out:
        args += ["--profile-out", profile_out]
    return run_probe("tests.perf.probe_ui", *args)


def main(argv: list[str] | None = None) -> int:
    """Measure and print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["sidebar", "big"])
    parser.add_argument("data", type=Path)
    parser.add_argument("config", type=Path)
    parser.add_argument("conv_id", nargs="?", default="")
    parser.add_argument("--profile-out")
    args = parser.parse_args(argv)
    if args.mode == "sidebar":
        result = asyncio.run(sidebar(args.data, args.config, args.profile_out))
    else:
        result = asyncio.run(big(args.data, args.config, args.conv_id, args.profile_out))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
