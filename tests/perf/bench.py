"""aichat-tui benchmark (issue 6): prints a table and writes JSON.

    python -m tests.perf.bench [--quick] [--json PATH] [--only SECTION ...]

Sections: launch, stream, big, sidebar, store, paste, branches. The benchmark server
(tests/perf/server.py) runs in its own process; the app runs in a private tmux
server (120x40 panes) or headless in a subprocess, so each CPU figure is the app's
alone. The bare Textual app (tests/perf/hello_app.py) is measured in the same run.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python tests/perf/bench.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.perf.report import build_rows, render

SECTIONS = ("launch", "stream", "big", "sidebar", "store", "paste", "branches")
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"


def _section_launch(ctx: Any, quick: bool) -> dict:
    from tests.perf import sections

    app_argv = sections.app_argv(ctx, ctx.tmp / "launch-data")
    return sections.launch_interleaved(
        ctx,
        {
            "hello": ([sys.executable, sections.HELLO], [sections.HELLO_MARKER], None),
            "app": (app_argv, [sections.APP_MARKER], sections.app_env(ctx, "launch")),
        },
    )


def _section_stream(ctx: Any, quick: bool) -> dict:
    from tests.perf import sections

    sizes = [2500, 10000, 20000, 40000]
    repeat = 1 if quick else 3
    return {
        "floor": sections.stream_floor(ctx, 20000, repeat),
        "headless": sections.stream_headless(ctx, sizes, repeat),
        "terminal": sections.stream_terminal(ctx, [2500, 20000] if quick else [2500, 20000, 40000]),
    }


def _section_big(ctx: Any, quick: bool) -> dict:
    from aichat_tui.store import Paths
    from tests.perf import gen, probe_ui, sections

    data = ctx.tmp / "big-data"
    paths = Paths.resolve(config_dir=ctx.tmp / "big-config", data_dir=data)
    paths.ensure()
    conv_id = gen.big_conversation(paths, 2000)
    gen.small_conversation(paths, "Another session")
    out: dict[str, Any] = {
        "app": sections.launch_app(
            ctx, data, "big", ["--session", conv_id], [gen.LAST_MESSAGE_MARKER]
        )
    }
    out.update(probe_ui.run("big", data, ctx.tmp / "big-config", conv_id))
    return out


def _section_sidebar(ctx: Any, quick: bool) -> dict:
    from aichat_tui.store import Paths
    from tests.perf import gen, probe_ui, sections

    data = ctx.tmp / "many-data"
    paths = Paths.resolve(config_dir=ctx.tmp / "many-config", data_dir=data)
    paths.ensure()
    gen.many_sessions(paths, 1000)
    out: dict[str, Any] = {"launch": sections.launch_app(ctx, data, "many", [], [gen.NEWEST_TITLE])}
    out.update(probe_ui.run("sidebar", data, ctx.tmp / "many-config", ""))
    from aichat_tui.store import ConversationStore

    # The sidebar's order is the store's (saving stamps ``updated``: ties are possible).
    titles = [s.title for s in ConversationStore(paths).list()]
    out["switch_terminal"] = sections.switch_terminal(ctx, data, titles)
    return out


def _section_store(ctx: Any, quick: bool) -> dict:
    from tests.perf.store_bench import measure_store

    return measure_store(ctx.tmp / "store", saves=3 if quick else 7, lists=2 if quick else 5)


def _section_paste(ctx: Any, quick: bool) -> dict:
    """A 5 MB paste and sending it; bare Textual's TextArea and parser as the baseline."""
    from tests.perf import probe_paste

    return {
        "app": probe_paste.run(
            "app", ctx.server_url, str(ctx.tmp / "paste-data"), str(ctx.tmp / "paste-config")
        ),
        "bare": probe_paste.run("bare"),
        "parse": probe_paste.run("parse"),
    }


def _section_branches(ctx: Any, quick: bool) -> dict:
    from aichat_tui.store import Paths
    from tests.perf import probe_branch

    data, config = ctx.tmp / "tree-data", ctx.tmp / "tree-config"
    paths = Paths.resolve(config_dir=config, data_dir=data)
    paths.ensure()
    return probe_branch.run(data, config, probe_branch.make_tree(paths, 2000))


RUNNERS: dict[str, Callable[[Any, bool], dict]] = {
    "launch": _section_launch,
    "stream": _section_stream,
    "big": _section_big,
    "sidebar": _section_sidebar,
    "store": _section_store,
    "paste": _section_paste,
    "branches": _section_branches,
}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections, print the table, write the JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer repeats (about a minute)")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help=f"output (default {DEFAULT_JSON})"
    )
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--runs", type=int, help="launches per launch figure (default 7, quick 3)")
    args = parser.parse_args(argv)

    from tests.perf.sections import Context
    from tests.perf.server import BenchServer
    from tests.perf.terminal import Tmux

    results: dict[str, Any] = {
        "meta": {
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "quick": args.quick,
            "terminal": "tmux 120x40",
        },
        "errors": {},
    }
    # Programs run as an installed package would: with bytecode. `pip install .`
    # compiles at install time, and Textual's own modules are precompiled; an
    # editable install under PYTHONDONTWRITEBYTECODE (as on our dev machines) would
    # instead compile aichat_tui from source at every launch (~30 ms), which no
    # user pays. So: allow bytecode in the measured terminal and compile first.
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    results["meta"]["bytecode"] = "compiled before measuring (as after pip install)"
    compileall.compile_dir(str(ROOT / "aichat_tui"), quiet=1)
    compileall.compile_dir(str(ROOT / "tests" / "perf"), quiet=1)
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="aichat-bench-") as tmp,
        BenchServer() as server,
        Tmux(env) as tmux,
    ):
        ctx = Context(
            tmux=tmux,
            server_url=server.url,
            tmp=Path(tmp),
            runs=args.runs or (3 if args.quick else 7),
        )
        for name in args.only:
            print(f"[bench] {name} ...", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            try:
                results[name] = RUNNERS[name](ctx, args.quick)
            except Exception:  # report and go on: one broken part must not hide the rest
                results["errors"][name] = traceback.format_exc()
                print(results["errors"][name], file=sys.stderr)
            print(f"[bench] {name} done in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    results["meta"]["seconds"] = time.perf_counter() - started
    print(render(build_rows(results)))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"\nJSON: {args.json}")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
