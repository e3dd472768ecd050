"""The subcommands' argument parsers (``ask``, ``sessions``, ``export``, ``import``,
``sync``).

Kept apart from the commands themselves: the command line is parsed on every start,
the workspace's included, while a command's module is imported only when it runs
(compiling and importing them cost ~4 ms of the workspace's launch, issue 6).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Any

from aichat_tui.commands import EXIT_CODES_HELP, wrap


def _command(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """``aichat_tui.commands.<module>.<name>``, imported when it is called."""

    def run(args: argparse.Namespace) -> int:
        func = getattr(importlib.import_module(f"aichat_tui.commands.{module}"), name)
        return int(func(args))

    run.__name__ = run.__qualname__ = name
    return run


def add_ask(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    """Register ``ask``."""
    p = sub.add_parser(
        "ask",
        parents=common,
        help="ask one question; the reply streams to stdout",
        description=wrap(
            "Ask one question and stream the reply to stdout as plain text (terminal "
            "control sequences removed). When standard input is not a terminal it is "
            "read (up to 5 MiB) and appended after the question: "
            '`git diff | aichat-tui ask "review this"`.\n\n'
            "By default nothing is recorded. --save records the exchange as a new "
            "session, --continue adds it to the most recently updated session and "
            "--session ID to that one; the workspace shows them. A recorded session "
            "keeps using its own profile and model unless --profile/--model say "
            "otherwise. Ctrl+C stops the reply (exit 130); a recorded partial reply is "
            "saved marked interrupted.\n\n"
            "-a FILE attaches a file (repeat it for more; -a - reads one from standard "
            'input): `aichat-tui ask -a notes.txt -a shot.png "explain"`. Text files '
            "(up to 256 KB) are sent inline in a fenced block; PNG, JPEG, GIF and WebP "
            "images (up to 10 MB) as image parts, which the aichat protocol cannot take."
        ),
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "question", nargs="*", metavar="QUESTION", help="the question (words are joined)"
    )
    rec = p.add_mutually_exclusive_group()
    rec.add_argument(
        "-c",
        "--continue",
        dest="continue_",
        action="store_true",
        help="add to the most recently updated session",
    )
    rec.add_argument(
        "-s",
        "--session",
        metavar="ID",
        default=argparse.SUPPRESS,
        help="add to this session (any unique id prefix)",
    )
    rec.add_argument("--save", action="store_true", help="record the exchange as a new session")
    p.add_argument(
        "--system", metavar="TEXT", help="system prompt (stored on the session when recording)"
    )
    p.add_argument(
        "--no-stdin",
        action="store_true",
        help="do not read standard input even when it is not a terminal",
    )
    p.add_argument(
        "-a",
        "--attach",
        metavar="FILE",
        action="append",
        default=[],
        help="attach FILE (repeatable; '-' reads it from standard input): text files "
        "go inline, PNG/JPEG/GIF/WebP images as image parts (OpenAI-compatible "
        "profiles with a vision model)",
    )
    p.add_argument(
        "--reasoning",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show the model's thinking on stderr (default: on when stdout is a "
        "terminal, off when it is piped)",
    )
    p.add_argument(
        "--stats",
        action="store_true",
        help="print tokens, time to first token and tokens/s on stderr afterwards",
    )
    p.add_argument(
        "--max-tokens",
        type=int,
        metavar="N",
        help="limit the reply to N tokens (OpenAI-compatible profiles)",
    )
    p.set_defaults(func=_command("ask", "cmd_ask"))


def add_sessions(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    """Register ``sessions`` and its subcommands."""
    p = sub.add_parser(
        "sessions",
        parents=common,
        help="list, show, rename, delete, restore and search stored sessions",
        description="Work with the sessions the workspace shows. Session IDs "
        "may be shortened to any unique prefix.",
    )
    ss = p.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)
    lp = ss.add_parser("list", parents=common, help="list sessions, newest first")
    lp.add_argument("--json", action="store_true", help="print JSON")
    lp.add_argument("-n", "--limit", type=int, metavar="N", help="show at most N sessions")
    lp.add_argument(
        "--trash",
        action="store_true",
        help="list the deleted sessions instead (ids for `sessions restore`)",
    )
    lp.set_defaults(func=_command("sessions", "cmd_list"))
    sp = ss.add_parser("show", parents=common, help="print a session's transcript")
    sp.add_argument("id", metavar="ID")
    sp.add_argument("--json", action="store_true", help="print this tool's JSON export")
    sp.add_argument(
        "--all",
        action="store_true",
        help="print every branch (edited prompts, regenerated replies), not only the active one",
    )
    sp.set_defaults(func=_command("sessions", "cmd_show"))
    rp = ss.add_parser("rename", parents=common, help="change a session's title")
    rp.add_argument("id", metavar="ID")
    rp.add_argument("title", metavar="TITLE", nargs="+")
    rp.set_defaults(func=_command("sessions", "cmd_rename"))
    dp = ss.add_parser("delete", parents=common, help="move a session to the trash")
    dp.add_argument("id", metavar="ID")
    dp.set_defaults(func=_command("sessions", "cmd_delete"))
    op = ss.add_parser("restore", parents=common, help="bring a session back from the trash")
    op.add_argument("id", metavar="ID")
    op.set_defaults(func=_command("sessions", "cmd_restore"))
    qp = ss.add_parser("search", parents=common, help="search titles and messages")
    qp.add_argument("query", metavar="QUERY", nargs="+")
    qp.add_argument("--json", action="store_true", help="print JSON")
    qp.add_argument("-n", "--limit", type=int, metavar="N", help="at most N hits (default 50)")
    qp.set_defaults(func=_command("sessions", "cmd_search"))


def add_transfer(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    """Register ``export`` and ``import``."""
    ep = sub.add_parser(
        "export",
        parents=common,
        help="export a session as Markdown or JSON",
        description="Export one session. JSON exports can be imported again; "
        "neither format contains cookies, keys or proxy credentials.",
    )
    ep.add_argument("id", metavar="ID", help="session id (any unique prefix)")
    ep.add_argument(
        "-f", "--format", choices=("md", "json"), default="md", help="output format (default: md)"
    )
    ep.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    ep.add_argument(
        "--all-branches",
        action="store_true",
        help="md: add every other branch after the active one (json always holds them all)",
    )
    ep.set_defaults(func=_command("transfer", "cmd_export"))
    ip = sub.add_parser(
        "import",
        parents=common,
        help="import a ChatGPT export or an aichat-tui JSON export",
        description="Import conversations from a ChatGPT data export (conversations.json, or "
        "the export zip) or from `aichat-tui export --format json`. Running it again with "
        "the same file changes nothing; a newer export adds only the new messages.",
    )
    ip.add_argument("file", metavar="FILE")
    ip.set_defaults(func=_command("transfer", "cmd_import"))


def add_sync(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    """Register ``sync``."""
    p = sub.add_parser(
        "sync",
        parents=common,
        help="sync conversations and themes with other machines through git",
        description=wrap(
            "Commit the conversations (and user themes) in the data folder to the git "
            "repository there, fetch the remote, merge (messages by id, never conflict "
            "markers) and push. `aichat-tui sync --init REMOTE` sets it up: REMOTE is any "
            "git URL, e.g. a bare repository on an SSH host (`ssh host git init --bare "
            "aichat.git`, then `--init host:aichat.git`). config.toml and its secrets "
            "never travel. Set `auto = true` under [sync] in config.toml to sync at start, "
            "after each reply and at quit."
        ),
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--init", metavar="REMOTE", help="set up syncing with this git remote")
    p.add_argument(
        "--merge-driver",
        nargs="+",
        metavar="FILE",
        help="(for git) merge BASE OURS THEIRS [PATH] of a conversation file",
    )
    p.set_defaults(func=_command("sync", "cmd_sync"))
