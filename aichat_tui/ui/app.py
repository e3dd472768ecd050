"""The Textual application: services (settings, store, clients, the engine),
global bindings and themes.

The App holds the services and no screen logic: the workspace screen turns the
user's intents into calls on the engine (:mod:`aichat_tui.engine`), and hears
of replies through :class:`~aichat_tui.ui.reply_bridge.ReplyBridge`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from aichat_tui.engine import DEFAULT_TITLE, ChatEngine, Reply
from aichat_tui.models import Conversation, Profile, Settings, utcnow
from aichat_tui.sanitize import one_line, scrub
from aichat_tui.store import (
    ConfigError,
    ConversationStore,
    Paths,
    StoreError,
    load_settings,
    save_settings,
)
from aichat_tui.store.rescue import rescue_unsaved
from aichat_tui.ui.palette import SessionProvider
from aichat_tui.ui.paste import install_paste_parser
from aichat_tui.ui.reply_bridge import ReplyBridge
from aichat_tui.ui.screens.workspace import WorkspaceScreen
from aichat_tui.ui.sync_status import QUIT_BUDGET, SyncStatus, attach_sync, sync_commands
from aichat_tui.ui.textual_compat import (
    drop_queued_callbacks,
    exit_with_report,
    queued_callback_count,
)
from aichat_tui.ui.widgets.message_view import MessageView

if TYPE_CHECKING:
    from aichat_tui.client import ChatClient

__all__ = ["DEFAULT_TITLE", "AichatApp"]

FALLBACK_THEME = "textual-dark"
# Saves wait for another instance's lock on the event loop, so a long wait would
# freeze the UI; giving up is safe (the conversation stays in memory, the user is
# told, and the next save writes it all).
LOCK_TIMEOUT = 2.0
# Quitting saves what is unsaved within this many seconds in all (a lock held by
# another instance, a disk that hangs): Ctrl+Q must close the app within 2 s.
QUIT_SAVE_BUDGET = 0.6
QUIT_LOCK_TIMEOUT = 0.25
QUIT_TOTAL_BUDGET = 1.8  # saving, then the last sync (if sync is set up)
# The exit code when quitting could not save everything (see README, exit codes).
EXIT_UNSAVED = 1


class AichatApp(App[None]):
    """A full-screen chat workspace."""

    CSS_PATH = "app.tcss"
    TITLE = "aichat-tui"
    COMMANDS = App.COMMANDS | {SessionProvider}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
        Binding("f1", "help", "Help", id="app.help"),
        Binding("f3,ctrl+o", "config", "Settings", show=False, id="app.config"),
        Binding("ctrl+t", "theme", "Theme", show=False, id="app.theme"),
    ]

    def __init__(
        self,
        *,
        paths: Paths,
        settings: Settings | None = None,
        profile_override: Profile | None = None,
        session_id: str | None = None,
        new_session: bool = False,
        theme: str | None = None,
        demo: bool = False,
    ) -> None:
        install_paste_parser()  # bracketed pastes whole and in order (issue 10)
        super().__init__()
        self.paths = paths
        self.startup_errors: list[str] = []
        if settings is None:
            try:
                settings = load_settings(paths)
            except ConfigError as exc:
                self.startup_errors.append(str(exc))
                settings = Settings()
        self.settings = settings
        self.profile_override = profile_override
        self.initial_session = session_id
        self.initial_new = new_session
        self.theme_override = theme
        self.demo = demo  # --demo: a built-in server and a temporary config
        self.store = ConversationStore(paths, lock_timeout=LOCK_TIMEOUT)
        self.clients: dict[str, ChatClient] = {}
        self.sync_status = SyncStatus(self)  # started once the workspace is up
        self.engine = ChatEngine(self.store, self.client_for, secrets=self.known_secrets)
        self.engine.subscribe(ReplyBridge(self))
        #: Lines for stderr once the app has closed (what quitting could not save).
        self.exit_warnings: list[str] = []
        self._theme_errors: list[str] = []  # shown once mounted
        # Injected by tests for deterministic relative times.
        self.clock: Callable[[], datetime] = utcnow

    # -- start and stop -------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        """The workspace is the base screen, installed before anything else runs."""
        return WorkspaceScreen()

    def on_load(self) -> None:
        # Before the first screen is composed, so that the stylesheet is parsed once,
        # with this theme's colours (issue 6).
        self._load_themes()
        MessageView.reasoning_mode = self.settings.reasoning

    def on_mount(self) -> None:
        if self._theme_errors:
            self.notify(
                "\n".join(one_line(e, 200) for e in self._theme_errors),
                title="Themes skipped",
                severity="warning",
                markup=False,
            )
        self.set_keymap(dict(self.settings.keys))

    async def start_workspace(self, workspace: WorkspaceScreen) -> None:
        """Called by the workspace once mounted: recover crashed replies, open a session."""
        recovered = self.store.recover()
        conv_id = self.initial_session
        if self.initial_new:
            conv_id = self.new_conversation().id
        elif conv_id is None:
            summaries = self.store.list()
            conv_id = summaries[0].id if summaries else None
        await workspace.open_session(conv_id)
        if recovered:
            self.notify(
                f"Recovered {len(recovered)} unfinished reply(ies), marked interrupted.",
                markup=False,
            )
        problems = [f"{p.path}: {p.message}" for p in self.store.problems]
        warnings = list(getattr(self.settings, "warnings", []))
        for message in self.startup_errors + warnings + problems:
            self.notify(one_line(message, 400), severity="error", timeout=15, markup=False)
        attach_sync(self)

    def _load_themes(self) -> None:
        from aichat_tui.ui.themes import load_themes

        themes, self._theme_errors = load_themes(self.paths)
        for theme in themes:
            self.register_theme(theme)
        wanted = self.theme_override or self.settings.theme
        self._select_initial_theme(wanted if wanted in self.available_themes else FALLBACK_THEME)

    def _select_initial_theme(self, name: str) -> None:
        """Set the theme before any CSS is parsed.

        Setting ``theme`` runs Textual's watcher (theme classes, ANSI filter) and
        queues a full re-parse of the stylesheet in a throw-away copy, whose parse
        cache is lost: the rules were then parsed twice at start-up (~5 ms of
        launch, issue 6). Nothing is parsed or mounted yet here, so the new colours
        are given to the stylesheet directly and the queued re-parse is dropped.
        """
        if name == self.theme:
            return
        queued = queued_callback_count(self)
        if queued is None or not hasattr(self.stylesheet, "set_variables"):
            self.theme = name  # another Textual: the plain way, one extra parse
            return
        self.theme = name
        drop_queued_callbacks(self, queued)  # refresh_css and the theme signal's publish
        self.stylesheet.set_variables(self.get_css_variables())

    @property
    def replies(self) -> dict[str, Reply]:
        """The running replies, by conversation id (the engine's)."""
        return self.engine.running

    async def action_quit(self) -> None:
        """Stop running replies (their text is saved), save what is unsaved, exit.

        Every save here is bounded (QUIT_SAVE_BUDGET in all), so Ctrl+Q closes the
        app within 2 s whatever the disk, the server or another instance does.
        What still cannot be saved is written to a rescue folder, and the app
        exits with EXIT_UNSAVED and a warning on stderr (see ``exit_warnings``)."""
        with contextlib.suppress(LookupError):
            self.workspace.flush_branch()  # the branch on screen is the one reopened
        deadline = time.monotonic() + QUIT_SAVE_BUDGET

        def lock_timeout() -> float:
            return max(0.0, min(QUIT_LOCK_TIMEOUT, deadline - time.monotonic()))

        for conv_id in list(self.engine.running):
            self.engine.stop(conv_id, lock_timeout=lock_timeout())
        for conv in list(self.engine.unsaved.values()):
            if time.monotonic() >= deadline:
                break
            self.engine.save(conv, lock_timeout=lock_timeout())
        return_code = 0
        if self.engine.unsaved:
            self.exit_warnings = rescue_unsaved(list(self.engine.unsaved.values()))
            return_code = EXIT_UNSAVED
        # The last sync gets what is left of the quit budget (never more than its own).
        left = QUIT_TOTAL_BUDGET - (time.monotonic() - (deadline - QUIT_SAVE_BUDGET))
        await self.sync_status.at_quit(max(0.0, min(QUIT_BUDGET, left)))
        self.exit(return_code=return_code)

    def known_secrets(self) -> list[str]:
        """Every cookie, API key and proxy password the app holds (for scrubbing)."""
        profiles = list(self.settings.profiles.values())
        if self.profile_override is not None:
            profiles.append(self.profile_override)
        return [secret for profile in profiles for secret in profile.secrets()]

    def _fatal_error(self) -> None:
        # Textual's crash report shows every frame's local variables, and those
        # hold profiles with cookies, API keys and proxy passwords: report the
        # traceback without locals, with any secret in it scrubbed.
        import traceback

        from rich.text import Text

        self.bell()
        report = scrub(traceback.format_exc(), self.known_secrets())
        exit_with_report(self, Text(report, style="red"))

    async def on_unmount(self) -> None:
        self.engine.stop_all(lock_timeout=QUIT_LOCK_TIMEOUT)  # an exit not through quit
        clients, self.clients = list(self.clients.values()), {}
        for client in clients:
            # Bounded: a hung server must not hold the exit.
            try:
                await asyncio.wait_for(client.aclose(), 1.0)
            except (TimeoutError, Exception):  # closing is best effort
                pass

    # -- profiles and clients ---------------------------------------------------------

    def profile_for(self, conv: Conversation | None) -> Profile | None:
        """The profile a conversation's replies use (command-line override first)."""
        if self.profile_override is not None:
            return self.profile_override
        if conv is not None and conv.profile:
            named = self.settings.profile(conv.profile)
            if named is not None:
                return named
        return self.settings.profile()

    def client_for(self, profile: Profile) -> ChatClient:
        """One pooled client per profile (rebuilt when the profile changes)."""
        # Imported on first use: httpx and the client cost ~30 ms of start-up (issue 6).
        from aichat_tui.client import INTERACTIVE_MAX_RETRY_WAIT, INTERACTIVE_RETRIES, ChatClient

        key = repr(profile)
        client = self.clients.get(key)
        if client is None:
            client = self.clients[key] = ChatClient(
                profile, retries=INTERACTIVE_RETRIES, max_retry_wait=INTERACTIVE_MAX_RETRY_WAIT
            )
        return client

    # -- conversations ------------------------------------------------------------------

    @property
    def workspace(self) -> WorkspaceScreen:
        """The main screen."""
        for screen in self.screen_stack:
            if isinstance(screen, WorkspaceScreen):
                return screen
        raise LookupError("workspace screen is not installed")

    def busy_ids(self) -> set[str]:
        """Conversations with a reply running."""
        return set(self.engine.running)

    def open_conversation(self, conv_id: str) -> Conversation | None:
        """The live conversation (streaming, or not saved yet) or the stored one;
        None if unreadable (the user is told)."""
        live = self.engine.running.get(conv_id)
        if live is not None:
            return live.conv
        unsaved = self.engine.unsaved.get(conv_id)
        if unsaved is not None:
            return unsaved
        try:
            return self.store.load(conv_id)
        except Exception as exc:  # ConversationFileError and friends: tell, do not crash
            self.notify(one_line(str(exc), 300), severity="error", markup=False)
            return None

    def new_conversation(self) -> Conversation:
        """Create and store an empty conversation."""
        return self.store.create(title=DEFAULT_TITLE)

    async def switch_session(self, conv_id: str) -> None:
        """Show ``conv_id`` in the workspace (used by the command palette)."""
        await self.workspace.open_session(conv_id)

    def save_or_tell(self, conv: Conversation, *, touch: bool = True) -> bool:
        """Save ``conv`` through the engine; on a disk or lock failure the user is
        told (see ReplyBridge.save_failed) and it stays in memory (the next save
        writes it all). Returns whether it was saved."""
        return self.engine.save(conv, touch=touch)

    def tell_not_saved(self, problem: object) -> None:
        """The one message for a failed save: what failed, and that nothing is lost yet."""
        self.notify(
            one_line(
                f"Not saved: {problem}. The conversation stays open here and is "
                "saved with the next change.",
                400,
            ),
            severity="error",
            timeout=15,
            markup=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Workers handle their own errors; anything else is a bug worth seeing.
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(
                one_line(f"Internal error: {event.worker.error!r}", 300),
                severity="error",
                markup=False,
            )

    def rename(self, conv: Conversation, title: str) -> None:
        """Rename in memory and on disk (its ``updated`` time is kept)."""
        conv.title = one_line(title, 200)
        self.save_or_tell(conv, touch=False)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands plus this app's, so every action is findable by name."""
        yield from super().get_system_commands(screen)
        if not isinstance(screen, WorkspaceScreen):
            return
        ws = screen
        yield SystemCommand("New session", "Start an empty conversation", ws.action_new_session)
        yield SystemCommand("Rename session", "Change the current title", ws.action_rename)
        yield SystemCommand(
            "Delete session", "Move the current session to the trash", ws.action_delete
        )
        yield SystemCommand(
            "Session settings",
            "Profile, model, temperature, system prompt",
            ws.action_session_settings,
        )
        yield SystemCommand("Trash", "Deleted sessions: restore one", self.action_trash)
        yield SystemCommand(
            "Attach a file", "Pick a file or image for the next message", ws.action_attach
        )
        yield SystemCommand("Copy last reply", "To the clipboard (OSC 52)", ws.action_copy_last)
        yield SystemCommand("Copy last code block", "From the last reply", ws.action_copy_code)
        yield SystemCommand("Retry last reply", "Regenerate it", ws.action_retry)
        yield SystemCommand("Settings", "Profiles and connection", self.action_config)
        yield SystemCommand("Pick theme", "Live preview; the choice is saved", self.action_theme)
        yield SystemCommand("Help", "All key bindings", self.action_help)
        yield from sync_commands(self)

    # -- other screens -------------------------------------------------------------------

    def action_help(self) -> None:
        """Show every key binding."""
        from aichat_tui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """The palette's Screenshot: saved where it can be, and the file named."""
        from aichat_tui.ui.screenshot import save_screenshot

        saved = save_screenshot(self, self.paths.data_dir)
        return str(saved) if saved is not None else None

    def action_trash(self) -> None:
        """Show the deleted sessions; the one restored opens."""
        from aichat_tui.ui.screens.trash import TrashScreen

        async def done(conv_id: str | None) -> None:
            if conv_id is not None:
                self.engine.deleted.discard(conv_id)  # saved again from now on
                await self.workspace.open_session(conv_id)
                self.notify("Restored from the trash.", markup=False)

        self.push_screen(TrashScreen(self.store, self.clock), done)

    def action_config(self) -> None:
        """Edit profiles; the new settings are saved and applied."""
        from aichat_tui.ui.screens.config import ConfigScreen

        def done(settings: Settings | None) -> None:
            if settings is not None:
                self.apply_settings(settings)

        self.push_screen(ConfigScreen(self.settings, self.paths), done)

    def apply_settings(self, settings: Settings) -> None:
        """Save ``settings`` and apply keys, theme and profiles (for this session
        even when saving fails; the user is told why)."""
        self.save_settings_or_tell(settings)
        self.settings = settings
        self.set_keymap(dict(settings.keys))
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        self.workspace.refresh_welcome()

    def save_settings_or_tell(self, settings: Settings) -> bool:
        """Write config.toml; a damaged file is never replaced (the store refuses),
        a failing disk is reported: either way the app goes on."""
        try:
            save_settings(self.paths, settings)
        except StoreError as exc:
            self.notify(
                one_line(f"Settings not saved (they apply to this session only): {exc}", 400),
                severity="error",
                timeout=15,
                markup=False,
            )
            return False
        return True

    def action_theme(self) -> None:
        """Pick a theme (live preview); the choice is saved."""
        from aichat_tui.ui.screens.theme_picker import ThemePicker

        def done(name: str | None) -> None:
            if name is not None and name != self.settings.theme:
                self.settings.theme = name
                self.save_settings_or_tell(self.settings)

        self.push_screen(ThemePicker(), done)

    def edit_session_settings(self, conv: Conversation, after: Callable[[], object]) -> None:
        """Edit one conversation's profile/model/sampling; saved on change."""
        from aichat_tui.ui.screens.session_settings import SessionSettingsScreen

        def done(changes: dict[str, Any] | None) -> None:
            if not changes:
                return
            for name, value in changes.items():
                setattr(conv, name, value)
            self.save_or_tell(conv)
            after()
            self.workspace.refresh_welcome()

        self.push_screen(SessionSettingsScreen(conv, self.settings, self.profile_override), done)
