"""Streaming CPU of the real app, headless (run in its own process by bench.py).

    python -m tests.perf.probe_stream BASE_URL N [--profile-out FILE]

Starts ``AichatApp`` with ``run_test(size=(120, 40))`` against the benchmark server
at BASE_URL (another process), types ``bench reply N`` and presses Enter. The clock
(``time.process_time()``: user+system CPU of this process, all threads) starts at
Enter and stops once the reply is complete *and* rendered: the reply's view has
left the streaming state with all N characters, and the app has gone idle (no CPU
used for 0.1 s; the stop time is the start of that quiet window). Prints one JSON
line: cpu, wall, chars. ``--profile-out`` wraps the reply in pyinstrument and
writes its text report there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from tests.perf.replies import PROMPT_FORMAT


async def wait_idle(quiet: float = 0.1, timeout: float = 60.0) -> float:
    """Wait until this process uses (almost) no CPU for ``quiet`` seconds; return
    process_time() at the start of that quiet window."""
    deadline = time.perf_counter() + timeout
    last = time.process_time()
    while time.perf_counter() < deadline:
        await asyncio.sleep(quiet)
        now = time.process_time()
        if now - last < quiet * 0.03:
            return last
        last = now
    raise TimeoutError("the app never went idle")


async def until(predicate, timeout: float = 120.0, interval: float = 0.02) -> None:  # type: ignore[no-untyped-def]
    """Poll ``predicate()`` (cheap) until it is true."""
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(interval)


def last_reply(app):  # type: ignore[no-untyped-def]
    """The last assistant MessageView of the transcript, or None (a cheap lookup:
    the transcript's own index of views, not a DOM query)."""
    transcript = app.screen.transcript
    views = list(transcript._views.values())
    return views[-1] if views and views[-1].message.role == "assistant" else None


def reply_done(view, n: int) -> bool:  # type: ignore[no-untyped-def]
    """Whether the reply has stopped streaming with all n characters."""
    return (
        view is not None
        and not view._streaming
        and view.message.status == "complete"
        and len(view.message.content) >= n
    )


async def measure(base_url: str, n: int, data: Path, profile_out: str | None) -> dict:
    """Run the app, stream one reply of n chars, return the figures."""
    from aichat_tui.models import Profile
    from aichat_tui.store import Paths
    from aichat_tui.ui.app import AichatApp
    from aichat_tui.ui.widgets.composer import Composer

    paths = Paths.resolve(config_dir=data / "config", data_dir=data / "data")
    profile = Profile(name="bench", kind="openai", base_url=base_url + "/v1", model="bench")
    app = AichatApp(paths=paths, profile_override=profile, new_session=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: bool(app.screen.query(Composer)))
        composer = app.screen.query_one(Composer)
        composer.focus()
        composer.text = PROMPT_FORMAT.format(n=n)
        await pilot.pause()
        await wait_idle()
        profiler = None
        if profile_out:
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="disabled", interval=0.0005)
            profiler.start()
        c0, w0 = time.process_time(), time.perf_counter()
        await pilot.press("enter")
        await until(lambda: last_reply(app) is not None)
        view = last_reply(app)
        await until(lambda: reply_done(view, n))
        wall = time.perf_counter() - w0
        c1 = await wait_idle()
        if profiler is not None:
            profiler.stop()
            report = profiler.output_text(unicode=True, show_all=False)
            await asyncio.to_thread(Path(profile_out).write_text, report)
        chars = len(view.message.content) if view is not None else 0
        blocks = len(view.query("MarkdownBlock")) if view is not None else 0
    return {"cpu": c1 - c0, "wall": wall, "chars": chars, "blocks": blocks}


def main(argv: list[str] | None = None) -> int:
    """Measure and print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("n", type=int)
    parser.add_argument("--profile-out")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aichat-bench-") as tmp:
        result = asyncio.run(
            measure(args.base_url.rstrip("/"), args.n, Path(tmp), args.profile_out)
        )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
