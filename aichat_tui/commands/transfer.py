"""``aichat-tui export ID`` and ``aichat-tui import FILE``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from aichat_tui.commands import EXIT_FAILURE, EXIT_USAGE, CliError
from aichat_tui.commands.sessions import ID_WIDTH, open_store, resolve_id, trashed_ids
from aichat_tui.sanitize import one_line


def cmd_export(args: argparse.Namespace) -> int:
    """Write one session as Markdown or JSON to stdout or a file."""
    from aichat_tui.store import to_json, to_markdown

    store = open_store(args)
    conv = store.load(resolve_id(store, args.id))
    every = getattr(args, "all_branches", False)
    text = to_markdown(conv, all_branches=every) if args.format == "md" else to_json(conv)
    if not text.endswith("\n"):
        text += "\n"
    if args.output in (None, "-"):
        sys.stdout.write(text)
        return 0
    target = Path(args.output).expanduser()
    try:
        # A new file is private (0600) like every file the app writes; an existing
        # one keeps the mode its owner gave it.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror or exc}", EXIT_FAILURE) from exc
    print(f"exported {conv.id[:ID_WIDTH]} to {target}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import a ChatGPT export or this tool's JSON export; report what changed."""
    from aichat_tui.store.importers import ImportFormatError, merge_into_store, read_import_file

    source = Path(args.file).expanduser()
    try:
        kind, conversations = read_import_file(source)
    except FileNotFoundError as exc:
        raise CliError(f"no such file: {source}", EXIT_USAGE) from exc
    except IsADirectoryError as exc:
        raise CliError(
            f"{source} is a folder; give the conversations.json file", EXIT_USAGE
        ) from exc
    except OSError as exc:
        raise CliError(f"cannot read {source}: {exc.strerror or exc}", EXIT_USAGE) from exc
    except ImportFormatError as exc:
        raise CliError(one_line(str(exc), 300), EXIT_USAGE) from exc
    store = open_store(args)
    report = merge_into_store(store, conversations, trashed_ids(store))
    for note in report.notes:
        print(f"aichat-tui: note: {one_line(note, 300)}", file=sys.stderr)
    print(f"{kind}: {report.imported} imported, {report.updated} updated, {report.skipped} skipped")
    return 0
