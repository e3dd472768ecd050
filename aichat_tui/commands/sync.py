"""``aichat-tui sync``: sync conversations and themes with a git remote (issue 15)."""

from __future__ import annotations

import argparse
import sys

from aichat_tui.commands import EXIT_AUTH, EXIT_FAILURE, EXIT_NETWORK, EXIT_USAGE, CliError
from aichat_tui.commands.options import SECRETS, resolve_paths
from aichat_tui.sanitize import one_line, scrub

_EXIT = {"offline": EXIT_NETWORK, "auth": EXIT_AUTH, "not-set-up": EXIT_USAGE}


def cmd_sync(args: argparse.Namespace) -> int:
    """Sync now, set sync up (``--init REMOTE``), or merge one file for git."""
    if args.merge_driver is not None:
        from aichat_tui.sync.driver import main

        if len(args.merge_driver) not in (3, 4):
            raise CliError("--merge-driver takes BASE OURS THEIRS [PATH]", EXIT_USAGE)
        return main(list(args.merge_driver))

    from aichat_tui.store import load_settings
    from aichat_tui.sync import SyncError, init, secrets_of, sync

    paths = resolve_paths(args)
    settings = load_settings(paths)
    SECRETS.update(secrets_of(settings))
    try:
        if args.init is not None:
            if not args.init.strip():
                raise CliError("--init needs the remote (a git URL or path)", EXIT_USAGE)
            report = init(paths, settings, args.init)
        else:
            report = sync(paths, settings)
    except SyncError as exc:
        raise CliError(f"sync failed: {exc}", _EXIT.get(exc.kind, EXIT_FAILURE)) from None
    for note in report.notes:
        print(f"aichat-tui: {scrub(one_line(note, 300), SECRETS)}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)
    return 0
