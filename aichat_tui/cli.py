"""The ``aichat-tui`` command line: opens the workspace, or runs a subcommand
(``ask``, ``sessions``, ``export``, ``import``) that shares its profiles and sessions.

Only opening the workspace imports Textual; the subcommands stay light so that
scripts start fast. Every failure is one line on stderr and a documented exit code
(see ``aichat_tui.commands``); a traceback is printed only with ``--debug``, with
secrets scrubbed.
"""

from __future__ import annotations

import argparse
import gc
import sys
import traceback
from typing import NoReturn

from aichat_tui import __version__
from aichat_tui.commands import (
    EXIT_BROKEN_PIPE,
    EXIT_CODES_HELP,
    EXIT_CONFIG,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CliError,
    silence_stdout,
    wrap,
)
from aichat_tui.commands.options import SECRETS, add_endpoint_options, add_location_options
from aichat_tui.sanitize import one_line, scrub

PROG = "aichat-tui"


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: global options, then the subcommands."""
    from aichat_tui.commands import parsers

    parser = _Parser(
        prog=PROG,
        description=wrap(
            "A keyboard-first terminal chat workspace for LLM backends (OpenAI-compatible "
            "servers and the Aichat protocol). Without a command it opens the workspace; "
            "`aichat-tui --demo` opens it on a built-in demo server."
        ),
        epilog=EXIT_CODES_HELP + "\nRun `aichat-tui COMMAND --help` for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    ws = parser.add_argument_group("workspace")
    ws.add_argument(
        "--demo",
        action="store_true",
        help="open on a built-in loopback server with canned replies: no account, "
        "no network, nothing written to your config (conversations go to a "
        "temporary folder unless --data-dir is given)",
    )
    ws.add_argument(
        "--session", metavar="ID", default=None, help="open this session (any unique id prefix)"
    )
    ws.add_argument("--new", action="store_true", help="start with a new session")
    ws.add_argument("--theme", metavar="NAME", help="theme for this run")
    add_location_options(parser, nested=False)
    add_endpoint_options(parser, nested=False)

    location = _Parser(add_help=False)
    add_location_options(location, nested=True)
    endpoint = _Parser(add_help=False)
    add_endpoint_options(endpoint, nested=True)

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    parsers.add_ask(sub, [location, endpoint])
    parsers.add_sessions(sub, [location])
    parsers.add_transfer(sub, [location])
    parsers.add_sync(sub, [location])
    return parser


def _run(args: argparse.Namespace) -> int:
    func = getattr(args, "func", None)
    if func is not None:
        gc.enable()  # see main(): only the workspace's start-up runs without it
    else:
        if args.new and args.session:
            raise CliError("use either --new or --session, not both", EXIT_USAGE)
        from aichat_tui.commands.workspace import cmd_workspace

        func = cmd_workspace
    return int(func(args))


def _say(message: str) -> None:
    text = scrub(one_line(message, 500), SECRETS)
    print(f"{PROG}: error: {text}", file=sys.stderr)


def _store_error_code(exc: BaseException) -> int | None:
    """Exit code for the store's own errors (None: not one of them)."""
    store = sys.modules.get("aichat_tui.store")
    if store is None or not isinstance(exc, store.StoreError):
        return None
    if isinstance(exc, store.ConfigError):
        return EXIT_CONFIG
    if isinstance(exc, KeyError):  # ConversationNotFound
        return EXIT_USAGE
    return EXIT_FAILURE


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, and turn every failure into one line and an exit code."""
    raw = sys.argv[1:] if argv is None else argv
    debug = "--debug" in raw
    # Start-up makes tens of thousands of long-lived objects (modules, classes, the
    # stylesheet) and the cyclic collector scanned them again and again, once in
    # full: ~5-10 ms of the workspace's launch (issue 6). It is paused here; the
    # workspace freezes what start-up made and resumes it before running, the
    # subcommands resume it at once.
    collecting = gc.isenabled()
    gc.disable()
    try:
        args = build_parser().parse_args(argv)
        return _run(args)
    except CliError as exc:
        _say(str(exc))
        return exc.code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        code = _store_error_code(exc)
        if code is not None:
            _say(str(exc))
            return code
        return _unexpected(exc, debug)
    finally:
        if collecting:
            gc.enable()


def _unexpected(exc: BaseException, debug: bool) -> int:
    if debug:
        text = "".join(traceback.format_exception(exc))
        sys.stderr.write(scrub(text, SECRETS))
    hint = "" if debug else " (rerun with --debug for the traceback)"
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        _say(f"{exc.strerror}{where}{hint}")
        return EXIT_FAILURE
    detail = one_line(str(exc), 300)
    _say(f"unexpected {type(exc).__name__}{': ' + detail if detail else ''}{hint}")
    return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
