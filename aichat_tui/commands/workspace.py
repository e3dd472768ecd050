"""Opening the full-screen workspace, normally or in demo mode.

Textual is imported only here, inside :func:`launch`, so that ``ask``,
``sessions``, ``export`` and ``import`` start fast and never load it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aichat_tui.commands import EXIT_USAGE, CliError
from aichat_tui.commands.options import (
    build_profile,
    has_endpoint_overrides,
    read_settings,
    resolve_paths,
)
from aichat_tui.models import Profile, Settings

# Demo pace: about 300 characters a second, like a quick hosted model.
DEMO_CHUNK_CHARS = 6
DEMO_CHUNK_DELAY = 0.02


def make_app(
    paths: Any,
    settings: Settings,
    *,
    profile_override: Profile | None = None,
    session_id: str | None = None,
    new_session: bool = False,
    theme: str | None = None,
    demo: bool = False,
) -> Any:
    """The Textual app, constructed (Textual is imported here, not before)."""
    from aichat_tui.ui.app import AichatApp

    return AichatApp(
        paths=paths,
        settings=settings,
        profile_override=profile_override,
        session_id=session_id,
        new_session=new_session,
        theme=theme,
        demo=demo,
    )


def require_terminal() -> None:
    """Refuse to start the full-screen app without a terminal to read and draw on.

    Textual reads keys from stdin and draws on stderr; with stdin from /dev/null
    or a pipe nothing could ever quit it, and with stdout piped (``| head``) the
    reader would wait for output that never comes: both used to hang forever.
    """
    missing = [
        name
        for name, stream in (("stdin", sys.stdin), ("stdout", sys.stdout), ("stderr", sys.stderr))
        if stream is None or not _isatty(stream)
    ]
    if missing:
        raise CliError(
            f"the workspace needs a terminal, but {_names(missing)} "
            f"{'is not one' if len(missing) == 1 else 'are not terminals'}; "
            "for pipes and scripts use `aichat-tui ask` or `aichat-tui sessions`",
            EXIT_USAGE,
        )


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def launch(paths: Any, settings: Settings, **options: Any) -> int:
    """Run the Textual app until it exits; its return code becomes ours."""
    require_terminal()
    app = make_app(paths, settings, **options)
    if not gc.isenabled():  # paused by cli.main() for start-up (issue 6)
        # What start-up made lives as long as the app: moved out of the collector's
        # sight, so that resuming it does not start with a scan of all of it.
        gc.freeze()
        gc.enable()
    app.run()
    # After the terminal is restored, so the warning stays on screen.
    for line in getattr(app, "exit_warnings", []):
        print(line, file=sys.stderr)
    return int(app.return_code or 0)


def cmd_workspace(args: argparse.Namespace) -> int:
    """``aichat-tui`` without a subcommand: open the workspace."""
    if args.demo:
        return run_demo(args)
    paths = resolve_paths(args)
    settings = read_settings(paths)
    override = None
    if args.profile is not None or has_endpoint_overrides(args):
        override = build_profile(settings, args, paths.config_file, required=False)
    session_id = None
    if args.session:
        from aichat_tui.commands.sessions import open_store, resolve_id

        session_id = resolve_id(open_store(args), args.session)
    return launch(
        paths,
        settings,
        profile_override=override,
        session_id=session_id,
        new_session=args.new,
        theme=args.theme,
    )


@dataclass
class DemoEnvironment:
    """A running loopback server and the throw-away folders the demo uses."""

    server: Any
    paths: Any
    settings: Settings

    @property
    def profile(self) -> Profile:
        """The profile the demo opens with (OpenAI-compatible, streaming)."""
        profile = self.settings.profile()
        assert profile is not None
        return profile


def demo_settings(server: Any) -> Settings:
    """Two profiles on the loopback server, one per protocol."""
    openai = Profile(
        name="demo-openai",
        kind="openai",
        base_url=server.openai_url,
        model="demo-model",
        timeout=30.0,
        proxy="",
    )
    aichat = Profile(
        name="demo-aichat",
        kind="aichat",
        base_url=server.url,
        cookies={"demo_session": "demo"},
        timeout=30.0,
        proxy="",
    )
    return Settings(profiles={p.name: p for p in (openai, aichat)}, default_profile=openai.name)


@contextlib.contextmanager
def demo_environment(data_dir: str | Path | None = None) -> Iterator[DemoEnvironment]:
    """Start the loopback server and a temporary config (and data, unless given).

    Nothing is written to the user's real config; conversations go to a temporary
    folder removed afterwards, unless ``data_dir`` is given.
    """
    from aichat_tui.loopback import LoopbackServer
    from aichat_tui.store import Paths, save_settings
    from aichat_tui.store.paths import folder_problem

    with tempfile.TemporaryDirectory(prefix="aichat-tui-demo-") as tmp:
        server = LoopbackServer(chunk_chars=DEMO_CHUNK_CHARS, chunk_delay=DEMO_CHUNK_DELAY)
        server.start_in_thread()
        try:
            paths = Paths.resolve(
                config_dir=Path(tmp) / "config", data_dir=data_dir or Path(tmp) / "data"
            )
            try:
                paths.ensure()
            except OSError as exc:
                raise CliError(folder_problem(exc, paths.data_dir)) from exc
            settings = demo_settings(server)
            save_settings(paths, settings)
            yield DemoEnvironment(server=server, paths=paths, settings=settings)
        finally:
            server.stop_thread()


def run_demo(args: argparse.Namespace) -> int:
    """``aichat-tui --demo``: the workspace on a built-in server, no account needed."""
    if has_endpoint_overrides(args) or args.profile or args.config_dir:
        raise CliError(
            "--demo uses its own built-in server and a temporary config; "
            "drop --profile, --config-dir and the endpoint options",
            EXIT_USAGE,
        )
    if args.session:
        raise CliError("--demo starts with a new session; drop --session", EXIT_USAGE)
    require_terminal()  # before the demo server starts
    with demo_environment(args.data_dir) as env:
        return launch(
            env.paths,
            env.settings,
            profile_override=env.profile,
            new_session=True,
            demo=True,
            theme=args.theme,
        )
