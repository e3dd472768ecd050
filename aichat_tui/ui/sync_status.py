"""Sync in the workspace (issue 15): the state in a small corner (the right end of
the composer's top rule), a "Sync now" palette command, and automatic syncs at
start, after each finished reply (debounced) and at quit when ``[sync] auto``.

A sync runs git for seconds (over the network), so it runs in a daemon thread of
its own: the UI never waits for it, and quitting never waits more than
``QUIT_BUDGET`` seconds for the last one (a push git has started still completes
on its own). The result comes back to the event loop with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand

from aichat_tui.sanitize import one_line, scrub

if TYPE_CHECKING:
    from textual.timer import Timer

    from aichat_tui.sync import SyncReport
    from aichat_tui.ui.app import AichatApp

LABELS = {
    "syncing": "⟳ syncing",
    "synced": "✓ synced",
    "offline": "sync: offline",
    "conflict": "⚠ sync conflict",
    "error": "⚠ sync failed",
}
# SyncError kinds shown as "offline"; every other failure is an error or a conflict.
_OFFLINE = {"offline"}
_CONFLICT = {"conflict", "unrelated", "broken", "rejected"}
DEBOUNCE = 5.0  # seconds after the last finished reply
QUIT_BUDGET = 1.0  # seconds Ctrl+Q may wait for the last sync (saves take up to 0.6 s)


class SyncStatus:
    """The workspace's syncing: one at a time, in a daemon thread."""

    def __init__(self, app: AichatApp) -> None:
        self.app = app
        self.state: str | None = None
        self.message = ""  # the last failure, one line
        self.runs = 0  # syncs finished (tests wait on :attr:`idle`)
        self.idle = asyncio.Event()
        self.idle.set()
        self._again = False
        self._quiet = True
        self._timer: Timer | None = None

    @property
    def configured(self) -> bool:
        """Whether ``[sync] remote`` is set."""
        return bool(self.app.settings.sync.remote)

    @property
    def auto(self) -> bool:
        """Whether the workspace syncs by itself."""
        return self.configured and self.app.settings.sync.auto

    # --- triggers ---------------------------------------------------------------------------

    def start(self) -> None:
        """At start: sync if automatic (the corner shows a state once a sync ran)."""
        if self.auto:
            self.sync_now(quiet=True)

    def reply_finished(self) -> None:
        """A reply ended: sync once replies have been quiet for ``DEBOUNCE`` s."""
        if not self.auto:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.app.set_timer(DEBOUNCE, self._debounced)

    def _debounced(self) -> None:
        self._timer = None
        self.sync_now(quiet=True)

    def sync_now(self, *, quiet: bool = False) -> None:
        """Start a sync (or one more right after the running one)."""
        if not self.configured:
            if not quiet:
                self.app.notify(
                    "Sync is not set up: run `aichat-tui sync --init REMOTE` in a terminal.",
                    severity="warning",
                    markup=False,
                )
            return
        if not self.idle.is_set():
            self._again = True
            self._quiet = self._quiet and quiet
            return
        self.idle.clear()
        self._quiet = quiet
        self._show("syncing")
        worker = threading.Thread(
            target=self._work,
            args=(asyncio.get_running_loop(), self.app.paths, self.app.settings),
            name="aichat-tui-sync",
            daemon=True,  # never keeps the process alive at quit
        )
        worker.start()

    async def at_quit(self, budget: float = QUIT_BUDGET) -> None:
        """The sync at quit: started if automatic, waited for at most ``budget`` s."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not self.auto:
            return
        if self.idle.is_set():
            self.sync_now(quiet=True)
        try:
            await asyncio.wait_for(self.idle.wait(), max(0.0, budget))
        except TimeoutError:
            pass  # git goes on alone; its repository stays consistent

    # --- the work ---------------------------------------------------------------------------

    def _work(self, loop: asyncio.AbstractEventLoop, paths: Any, settings: Any) -> None:
        """In the thread: run one sync and hand the outcome to the event loop."""
        from aichat_tui.sync import SyncError, sync

        outcome: tuple[str, SyncReport | None, str]
        try:
            outcome = ("synced", sync(paths, settings), "")
        except SyncError as exc:
            state = (
                "offline"
                if exc.kind in _OFFLINE
                else "conflict"
                if exc.kind in _CONFLICT
                else "error"
            )
            outcome = (state, None, str(exc))
        except Exception as exc:  # a sync must never take the workspace down
            outcome = ("error", None, f"{type(exc).__name__}: {exc}")
        try:
            loop.call_soon_threadsafe(self.app.call_later, self._done, *outcome)
        except RuntimeError:
            pass  # the app (and its loop) has gone

    async def _done(self, state: str, report: SyncReport | None, message: str) -> None:
        self.message = scrub(one_line(message, 300), self.app.known_secrets())
        self._show(state)
        quiet, self._quiet = self._quiet, True
        if report is not None:
            for note in report.notes:
                self.app.notify(
                    scrub(one_line(note, 300), self.app.known_secrets()),
                    title="Sync",
                    severity="warning",
                    timeout=15,
                    markup=False,
                )
            if report.received:
                await self._show_received()
            if not quiet:
                self.app.notify(report.summary(), title="Sync", markup=False)
        elif not quiet or state in ("conflict", "error"):
            self.app.notify(self.message, title="Sync", severity="error", timeout=15, markup=False)
        again, self._again = self._again, False
        self.runs += 1
        self.idle.set()
        if again:
            self.sync_now(quiet=quiet)

    async def _show_received(self) -> None:
        """Synced files changed here: refresh the list and the open conversation
        (unless a reply is streaming into it; the next save merges the file)."""
        workspace = self.app.workspace
        conv = workspace.conv
        idle = conv is not None and conv.id not in self.app.busy_ids()
        if conv is not None and idle and self.app.store.changed_on_disk(conv):
            exists = self.app.store.path_of(conv.id).exists()
            await workspace.open_session(conv.id if exists else None)
            return
        workspace.refresh_sessions()

    def _show(self, state: str) -> None:
        self.state = state
        try:
            composer = self.app.workspace.composer
        except Exception:  # the workspace is not mounted (yet, or any more)
            return
        composer.styles.border_title_align = "right"
        composer.border_title = LABELS.get(state, state)


def sync_commands(app: AichatApp) -> Iterable[SystemCommand]:
    """The palette's sync command."""
    status = getattr(app, "sync_status", None)
    if status is not None:
        yield SystemCommand(
            "Sync now",
            "Sync conversations with the git remote (aichat-tui sync)",
            status.sync_now,
        )


def attach_sync(app: AichatApp) -> SyncStatus:
    """Once the workspace is up: hear of finished replies from the engine, show
    the corner and run the start-up sync (``app.sync_status``)."""
    status = app.sync_status
    engine = getattr(app, "engine", None)
    if engine is not None:
        from aichat_tui.engine import ReplyListener

        class _Finished(ReplyListener):
            def reply_finished(self, reply: Any) -> None:
                status.reply_finished()

        engine.subscribe(_Finished())
    status.start()
    return status
