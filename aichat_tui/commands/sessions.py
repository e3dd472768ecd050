"""``aichat-tui sessions list|show|rename|delete|restore|search``: the stored
conversations the workspace shows, for scripts (plain text or ``--json``)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from aichat_tui.commands import EXIT_USAGE, CliError
from aichat_tui.commands.options import resolve_paths
from aichat_tui.models import ENDING_WORDS
from aichat_tui.sanitize import one_line, strip_control

ID_WIDTH = 8


def open_store(args: argparse.Namespace) -> Any:
    """A ConversationStore on the folders chosen by the options (created if missing)."""
    from aichat_tui.store import ConversationStore

    paths = resolve_paths(args)
    store = ConversationStore(paths)  # creates the folders, or says what is in the way
    # Fold in replies left unfinished by a killed process (an `ask` or the workspace);
    # sidecars of replies still streaming elsewhere are locked and left alone.
    recovered = store.recover()
    if recovered:
        print(
            f"aichat-tui: recovered {len(recovered)} unfinished reply(ies), marked interrupted",
            file=sys.stderr,
        )
    for problem in store.problems:
        _warn(problem)
    store.on_problem = _warn  # later ones (found by list, load, search) too
    return store


def _warn(problem: Any) -> None:
    """One stderr line per damaged, foreign or skipped file, as the workspace lists them."""
    print(
        f"aichat-tui: warning: {one_line(f'{problem.path}: {problem.message}', 300)}",
        file=sys.stderr,
    )


def match_id(
    candidates: list[str], given: str, *, where: str = "", listing: str = "sessions list"
) -> str:
    """The one id equal to ``given`` or starting with it; usage error otherwise
    (the message names ``aichat-tui <listing>``, which shows the candidates)."""
    given = given.strip()
    if not given:
        raise CliError("empty session id", EXIT_USAGE)
    if given in candidates:
        return given
    found = [c for c in candidates if c.startswith(given)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise CliError(
            f"no session{where} matches {given!r} (see `aichat-tui {listing}`)", EXIT_USAGE
        )
    shown = ", ".join(c[: ID_WIDTH + 4] for c in found[:5])
    raise CliError(
        f"session id {given!r} is ambiguous: {shown}{'…' if len(found) > 5 else ''}", EXIT_USAGE
    )


def resolve_id(store: Any, given: str) -> str:
    """A full session id from a unique prefix of a stored (not trashed) session."""
    return match_id([s.id for s in store.list()], given)


def trashed_ids(store: Any) -> list[str]:
    """Ids of the sessions in the trash."""
    lister = getattr(store, "list_trash", None)
    if lister is not None:
        return [getattr(item, "id", item) for item in lister()]
    folder = store.paths.trash_dir
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def _local(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def summary_json(s: Any) -> dict[str, Any]:
    """One session summary as plain JSON data."""
    return {
        "id": s.id,
        "title": s.title,
        "created": _iso(s.created),
        "updated": _iso(s.updated),
        "message_count": s.message_count,
        "profile": s.profile,
        "model": s.model,
    }


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def cmd_list(args: argparse.Namespace) -> int:
    """Print the sessions, most recently updated first (``--trash``: the trash)."""
    if getattr(args, "trash", False):
        return _list_trash(args)
    summaries = open_store(args).list()
    if args.limit is not None:
        summaries = summaries[: args.limit]
    if args.json:
        _emit_json([summary_json(s) for s in summaries])
        return 0
    if not summaries:
        print("no sessions", file=sys.stderr)
        return 0
    print(f"{'ID':<{ID_WIDTH}}  {'UPDATED':<16}  {'MSGS':>4}  TITLE")
    for s in summaries:
        print(
            f"{s.id[:ID_WIDTH]:<{ID_WIDTH}}  {_local(s.updated):<16}  "
            f"{s.message_count:>4}  {one_line(s.title, 80)}"
        )
    return 0


def _list_trash(args: argparse.Namespace) -> int:
    """Print the trashed sessions, most recently deleted first, with the ids that
    ``sessions restore`` takes."""
    entries = open_store(args).list_trash()
    if args.limit is not None:
        entries = entries[: args.limit]
    if args.json:
        _emit_json(
            [
                {
                    "id": e.id,
                    "title": e.title,
                    "deleted": _iso(e.deleted),
                    "message_count": e.message_count,
                }
                for e in entries
            ]
        )
        return 0
    if not entries:
        print("the trash is empty", file=sys.stderr)
        return 0
    print(f"{'ID':<{ID_WIDTH}}  {'DELETED':<16}  {'MSGS':>4}  TITLE")
    for e in entries:
        print(
            f"{e.id[:ID_WIDTH]:<{ID_WIDTH}}  {_local(e.deleted):<16}  "
            f"{e.message_count:>4}  {one_line(e.title, 80)}"
        )
    print(
        "restore one with `aichat-tui sessions restore ID`; the trash keeps them 30 days",
        file=sys.stderr,
    )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """Print one session as a plain transcript, or as this tool's JSON export."""
    store = open_store(args)
    conv = store.load(resolve_id(store, args.id))
    if args.json:
        from aichat_tui.store import to_json

        sys.stdout.write(to_json(conv).rstrip("\n") + "\n")
        return 0
    out = [one_line(conv.title, 200), f"id: {conv.id}  updated: {_local(conv.updated)}"]
    extra = [
        f"{k}: {one_line(v, 80)}"
        for k, v in (("profile", conv.profile), ("model", conv.model))
        if v
    ]
    if extra:
        out.append("  ".join(extra))
    if conv.system_prompt:
        out += ["", "[system]", strip_control(conv.system_prompt)]
    for m in conv.messages:
        out += _message_lines(m)
    if conv.off_path:
        from aichat_tui import branches

        tips = branches.leaves(conv)
        others = len(tips) - 1 if conv.messages and conv.messages[-1] in tips else len(tips)
        if not args.all:
            out += [
                "",
                f"({others} other branch(es) not shown; `aichat-tui sessions show "
                f"{conv.id[:ID_WIDTH]} --all` prints them)",
            ]
        else:
            out += _other_branches(conv, tips)
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def _message_lines(m: Any) -> list[str]:
    state = f" ({m.status})" if m.status and m.status != "complete" else ""
    if m.finish_reason in ("length", "content_filter", "tool_calls"):
        state += f" ({ENDING_WORDS[m.finish_reason]})"
    lines = ["", f"[{m.role}] {_local(m.time)}{state}"]
    if m.reasoning:
        lines += ["[thinking]", strip_control(m.reasoning), "[/thinking]"]
    lines.append(strip_control(m.content))
    if m.attachments:
        from aichat_tui.attachments.limits import human_size

        names = ", ".join(f"{one_line(a.name, 80)} ({human_size(a.size)})" for a in m.attachments)
        lines.append(f"(attached: {names})")
    if m.error:
        lines.append(f"(error: {one_line(m.error, 300)})")
    if m.usage is not None and not m.usage.is_empty():
        lines.append(f"({m.usage.summary()})")
    return lines


def _other_branches(conv: Any, tips: list[Any]) -> list[str]:
    """Each branch but the active one, from the message where it leaves the
    active path: the whole tree, one branch after another."""
    from aichat_tui import branches

    out: list[str] = []
    active = conv.messages[-1].id if conv.messages else None
    for number, tip in enumerate(tips, start=1):
        if tip.id == active:
            out[:0] = ["", f"(the branch above is branch {number} of {len(tips)})"]
            continue
        path = branches.path_to(conv, tip.id)
        fork = branches.fork_index(conv.messages, path)
        where = f"after message {fork}" if fork else "from the start"
        out += ["", f"=== branch {number} of {len(tips)}, {where} ==="]
        for m in path[fork:]:
            out += _message_lines(m)
    return out


def cmd_rename(args: argparse.Namespace) -> int:
    """Give a session a new title."""
    title = one_line(" ".join(args.title), 200)
    if not title:
        raise CliError("the new title is empty", EXIT_USAGE)
    store = open_store(args)
    conv_id = resolve_id(store, args.id)
    store.rename(conv_id, title)
    print(f"renamed {conv_id[:ID_WIDTH]} to {title!r}", file=sys.stderr)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    """Move a session to the trash."""
    store = open_store(args)
    conv_id = resolve_id(store, args.id)
    store.delete(conv_id)
    print(
        f"moved {conv_id[:ID_WIDTH]} to the trash; restore it with "
        f"`aichat-tui sessions restore {conv_id[:ID_WIDTH]}`",
        file=sys.stderr,
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Bring a session back from the trash."""
    store = open_store(args)
    conv_id = match_id(
        trashed_ids(store), args.id, where=" in the trash", listing="sessions list --trash"
    )
    store.restore(conv_id)
    print(f"restored {conv_id[:ID_WIDTH]}", file=sys.stderr)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Find sessions whose title or messages contain the query."""
    query = " ".join(args.query).strip()
    if not query:
        raise CliError("the search query is empty", EXIT_USAGE)
    hits = open_store(args).search(query, limit=args.limit or 50)
    if args.json:
        _emit_json(
            [
                {
                    "id": h.id,
                    "title": h.title,
                    "snippet": h.snippet,
                    "updated": _iso(h.updated),
                    "message_id": h.message_id,
                    "branch": h.branch,
                }
                for h in hits
            ]
        )
        return 0
    if not hits:
        print(f"no session contains {one_line(query, 80)!r}", file=sys.stderr)
        return 0
    for h in hits:
        where = f"  (branch {h.branch})" if h.branch is not None else ""
        print(
            f"{h.id[:ID_WIDTH]}  {_local(h.updated)}  {one_line(h.title, 60)}"
            f"  — {one_line(h.snippet, 120)}{where}"
        )
    return 0
