"""The workspace at a glance (issue 12), as a mixin to keep workspace.py small:
the header line (title, profile, model, reply state) and undoing a delete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aichat_tui.sanitize import one_line
from aichat_tui.store import StoreError
from aichat_tui.store.config import default_settings
from aichat_tui.ui.textual_compat import app_keymap
from aichat_tui.ui.widgets.status_header import StatusHeader

if TYPE_CHECKING:
    from aichat_tui.models import Conversation
    from aichat_tui.ui.app import AichatApp

#: How often the header re-reads the running reply (elapsed time, state).
HEADER_POLL = 0.25
#: How long the "Deleted … undo" notification stays.
UNDO_SECONDS = 10


def key_label(app: Any, binding_id: str, default: str) -> str:
    """The first key of a binding after the user's keymap, as the footer writes it
    (``f3`` -> ``F3``, ``ctrl+r`` -> ``Ctrl+R``)."""
    key = app_keymap(app).get(binding_id, default).split(",")[0].strip()
    return "+".join(part[:1].upper() + part[1:] for part in key.split("+"))


DEMO_TEXT = (
    "Demo mode — replies come from a built-in server on this machine: canned text, no "
    "account, no network; these chats are deleted when you quit (unless --data-dir).\n\n"
    "Type anything and press Enter to watch a reply stream. F1 lists the keys, Ctrl+P "
    "every action; to talk to a real model start without --demo and press F3."
)


def not_connected_text(profile_name: str, base_url: str, problem: str, config_file: str) -> str:
    """The first-run panel when the profile in use has no server answering (``problem``
    is the connection error; empty: the built-in profile, not tried yet)."""
    where = f"“{one_line(profile_name, 40)}” ({one_line(base_url, 80)})"
    if problem:
        headline = f"Nobody answers for profile {where}: {one_line(problem, 160)}"
    else:
        headline = (
            f"Nothing is set up yet: the built-in profile {where} expects an "
            "OpenAI-compatible server on this machine."
        )
    return (
        headline + "\n\n"
        "• Start an OpenAI-compatible server there (llama.cpp, LM Studio, vLLM, Ollama's /v1), "
        "or\n"
        "• press F3 (or Ctrl+O) to set up a profile: base URL, model, API key, or\n"
        "• start with --base-url URL --model NAME (--api-key-env NAME for a key), or\n"
        "• try the app on its built-in server: aichat-tui --demo\n"
        f"Profiles live in {config_file}."
    )


class AtAGlance:
    """Header line and undo for the workspace screen."""

    conv: Conversation | None
    aichat: AichatApp
    _deleted: list[tuple[str, str]]

    if TYPE_CHECKING:  # provided by the workspace screen

        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...

        async def open_session(self, conv_id: str | None) -> None: ...

        def refresh_welcome(self) -> None: ...

    # -- header -------------------------------------------------------------------

    def refresh_header(self) -> None:
        """Title, profile and model of the shown conversation, then its reply state."""
        header = self.query_one(StatusHeader)
        conv = self.conv
        info = header.info
        info.title = one_line(conv.title, 200) if conv else ""
        profile = self.aichat.profile_for(conv)
        info.profile = one_line(profile.name, 40) if profile else "no profile"
        model = (conv.model if conv else None) or (profile.model if profile else None)
        info.model = one_line(model, 60) if model else "server default"
        info.fix_key = key_label(self.aichat, "app.config", "f3")
        info.retry_key = key_label(self.aichat, "workspace.retry", "ctrl+r")
        header.display = conv is not None
        self.poll_header()

    def poll_header(self) -> None:
        """Re-read the reply state (called a few times a second and on changes)."""
        conv = self.conv
        header = self.query_one(StatusHeader)
        if conv is None:
            header.follow(None, None, None)
            return
        live = self.aichat.replies.get(conv.id)
        last = conv.messages[-1] if conv.messages else None
        reply = last if last is not None and last.role == "assistant" else None
        header.info.error = (reply.error or "") if reply is not None else ""
        profile = self.aichat.profile_for(conv)
        before = header.info.state
        header.follow(
            live,
            reply.id if reply is not None else None,
            reply.status if reply is not None else None,
        )
        if header.info.state != before:
            self.refresh_welcome()
        if live is not None and not header.info.host and profile is not None:
            header.info.host = urlsplit(profile.base_url).netloc
            header.show(header.info)

    def first_run_text(self) -> str | None:
        """The panel for an empty chat whose profile cannot be used yet: the built-in
        ``local`` profile with no config file written, or a first reply that could
        not connect. None: nothing to say."""
        conv = self.conv
        app = self.aichat
        if getattr(app, "demo", False):
            return DEMO_TEXT if conv is None or not conv.messages else None
        profile = app.profile_for(conv)
        if profile is None or app.profile_override is not None:
            return None
        config_file = str(app.paths.config_file)
        messages = conv.messages if conv is not None else []
        built_in = app.settings.profiles == default_settings().profiles
        if not messages and built_in and not app.paths.config_file.exists():
            return not_connected_text(profile.name, profile.base_url, "", config_file)
        last = messages[-1] if messages else None
        if (
            last is not None
            and len(messages) <= 2
            and last.status == "error"
            and "connect" in (last.error or "")
        ):
            return not_connected_text(profile.name, profile.base_url, last.error or "", config_file)
        return None

    # -- undo -----------------------------------------------------------------------

    def remember_deleted(self, conv_id: str, title: str) -> None:
        """Offer to undo the delete of ``conv_id`` (a notification names the key)."""
        self._deleted.append((conv_id, title))
        key = key_label(self.aichat, "workspace.undo_delete", "alt+z")
        self.aichat.notify(
            f"Deleted “{one_line(title, 60)}”. {key} undoes it (or palette: Trash).",
            timeout=UNDO_SECONDS,
            markup=False,
        )

    async def action_undo_delete(self) -> None:
        """Bring back the session deleted last (from this run) and show it."""
        while self._deleted:
            conv_id, _title = self._deleted.pop()
            try:
                self.aichat.engine.restore(conv_id)
            except StoreError as exc:  # restored elsewhere meanwhile, or the disk refuses
                self.aichat.notify(
                    one_line(f"Not restored: {exc}", 300), severity="error", markup=False
                )
                continue
            await self.open_session(conv_id)
            self.aichat.notify("Restored.", markup=False)
            return
        self.aichat.notify("Nothing to undo.", markup=False)
