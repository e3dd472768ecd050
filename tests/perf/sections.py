"""The measurements that need a running program (tmux pane or headless subprocess).

Each function returns plain figures (seconds, MiB, bytes) for bench.py's table.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.perf.hello_app import MARKER as HELLO_MARKER
from tests.perf.replies import END_MARKER, PROMPT_FORMAT
from tests.perf.terminal import Pane, Tmux

ROOT = Path(__file__).resolve().parents[2]
HELLO = str(ROOT / "tests" / "perf" / "hello_app.py")
#: Text of the composer's placeholder: the app is usable once it is on screen.
APP_MARKER = "Enter sends"


@dataclass
class Context:
    """What every section shares."""

    tmux: Tmux
    server_url: str  # root URL of the benchmark server
    tmp: Path
    runs: int  # repeats for medians


def app_argv(ctx: Context, data: Path, *extra: str) -> list[str]:
    """Command line of the real app against the benchmark server."""
    return [
        sys.executable,
        "-m",
        "aichat_tui",
        "--kind",
        "openai",
        "--base-url",
        ctx.server_url + "/v1",
        "--data-dir",
        str(data),
        *extra,
    ]


def app_env(ctx: Context, name: str) -> dict[str, str]:
    """Private, empty config folder for one scenario."""
    config = ctx.tmp / f"{name}-config"
    config.mkdir(exist_ok=True)
    return {"AICHAT_TUI_CONFIG_DIR": str(config)}


def _launch_once(
    ctx: Context, argv: list[str], markers: list[str], env: dict[str, str] | None, timeout: float
) -> tuple[float, float]:
    """One launch: seconds until every marker is on screen, VmHWM once idle."""
    pane = ctx.tmux.spawn(argv, env=env, cwd=str(ROOT))
    try:
        seconds = max(pane.wait_for(m, timeout=timeout) for m in markers)
        pane.wait_idle(quiet=0.25, timeout=20)
        return seconds, pane.peak_mib()
    finally:
        pane.kill()


def _summary(runs: list[tuple[float, float]]) -> dict:
    times = [t for t, _ in runs]
    mems = [m for _, m in runs]
    return {
        "s": statistics.median(times),
        "mib": statistics.median(mems),
        "s_all": times,
        "mib_all": mems,
    }


def launch(
    ctx: Context,
    argv: list[str],
    markers: list[str],
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> dict:
    """Launch ``argv`` runs times; medians of time-to-markers and VmHWM after start."""
    return _summary([_launch_once(ctx, argv, markers, env, timeout) for _ in range(ctx.runs)])


def launch_interleaved(
    ctx: Context, programs: dict[str, tuple[list[str], list[str], dict[str, str] | None]]
) -> dict[str, dict]:
    """Like ``launch`` for several programs, alternating them run by run so that a
    busy moment of the machine weighs on all of them alike (fair ratios)."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in programs}
    for _ in range(ctx.runs):
        for name, (argv, markers, env) in programs.items():
            runs[name].append(_launch_once(ctx, argv, markers, env, 60.0))
    return {name: _summary(found) for name, found in runs.items()}


def launch_hello(ctx: Context) -> dict[str, float]:
    """The bare Textual baseline."""
    return launch(ctx, [sys.executable, HELLO], [HELLO_MARKER])


def launch_app(
    ctx: Context, data: Path, name: str, extra: list[str], markers: list[str]
) -> dict[str, float]:
    """The real app with the data folder ``data``."""
    return launch(ctx, app_argv(ctx, data, *extra), [APP_MARKER, *markers], env=app_env(ctx, name))


def run_probe(module: str, *args: str, timeout: float = 600.0) -> dict:
    """Run ``python -m module args`` and parse its last stdout line as JSON."""
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{module} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def stream_headless(ctx: Context, sizes: list[int], repeat: int) -> dict[str, dict]:
    """CPU of the app to stream and render replies of each size (headless)."""
    out: dict[str, dict] = {}
    for n in sizes:
        runs = [run_probe("tests.perf.probe_stream", ctx.server_url, str(n)) for _ in range(repeat)]
        cpu = statistics.median(r["cpu"] for r in runs)
        out[str(n)] = {
            "cpu_s": cpu,
            "us_per_char": cpu / n * 1e6,
            "wall_s": statistics.median(r["wall"] for r in runs),
            "chars": runs[0]["chars"],
            "blocks": runs[0]["blocks"],
            "cpu_all": [r["cpu"] for r in runs],
        }
    return out


def stream_floor(ctx: Context, n: int, repeat: int) -> dict[str, float]:
    """Plain httpx streaming of the same reply: the floor."""
    r = run_probe("tests.perf.floor", ctx.server_url, str(n), "--repeat", str(max(repeat, 3)))
    return {
        "cpu_s": statistics.median(r["cpu"]),
        "wall_s": statistics.median(r["wall"]),
        "chars": r["chars"],
    }


def _stream_in_pane(pane: Pane, n: int, capture: Path) -> dict[str, float]:
    """Send one prompt; return CPU, bytes to the terminal and wall time of the reply."""
    pane.send(PROMPT_FORMAT.format(n=n), literal=True)
    time.sleep(0.2)
    c0 = pane.wait_idle(quiet=0.3)
    pane.start_capture(capture)
    w0 = time.perf_counter()
    pane.send("Enter")
    # The reply's last line is on screen once it is fully rendered (the pane follows it).
    pane.wait_for(END_MARKER, timeout=300, interval=0.05)
    wall = time.perf_counter() - w0
    c1 = pane.wait_idle(quiet=0.3)
    size = pane.stop_capture(capture)
    return {"cpu_s": c1 - c0, "bytes": size, "wall_s": wall}


def stream_terminal(ctx: Context, sizes: list[int]) -> dict[str, dict]:
    """The real app in a tmux pane: CPU and terminal bytes per streamed reply.

    Each size runs in a fresh app (new conversation); the idle cursor blink is part
    of the bytes, as it is for a real user (small next to the reply)."""
    out: dict[str, dict] = {}
    for n in sizes:
        data = ctx.tmp / f"term-{n}"
        pane = ctx.tmux.spawn(app_argv(ctx, data), env=app_env(ctx, f"term-{n}"), cwd=str(ROOT))
        try:
            pane.wait_for(APP_MARKER, timeout=60)
            fig = _stream_in_pane(pane, n, ctx.tmp / f"term-{n}.bytes")
            fig["us_per_char"] = fig["cpu_s"] / n * 1e6
            fig["bytes_per_char"] = fig["bytes"] / n
            fig["peak_mib"] = pane.peak_mib()
            out[str(n)] = fig
        finally:
            pane.kill()
    return out


def switch_terminal(ctx: Context, data: Path, titles: list[str], switches: int = 7) -> dict:
    """Session switching in a real terminal: Ctrl+Down until the chat title (first
    screen line, right of the sidebar) shows the next session's title.

    ``titles`` is the sidebar order (newest first); the app opens ``titles[0]``."""
    pane = ctx.tmux.spawn(app_argv(ctx, data), env=app_env(ctx, "switch"), cwd=str(ROOT))
    times: list[float] = []
    try:
        pane.wait_for(APP_MARKER, timeout=60)
        pane.wait_for(titles[0], timeout=30)
        pane.wait_idle(quiet=0.25)
        for title in titles[1 : switches + 1]:
            start = time.perf_counter()
            pane.send("C-Down")
            deadline = start + 30
            while title not in pane.text().splitlines()[0]:
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"switch to {title!r} not shown:\n{pane.text()}")
                time.sleep(0.002)
            times.append(time.perf_counter() - start)
            pane.wait_idle(quiet=0.2)
    finally:
        pane.kill()
    return {"s": statistics.median(times), "s_all": times}
