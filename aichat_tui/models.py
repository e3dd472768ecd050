"""Plain data shared by the client, the store, the CLI and the UI.

No Textual, Rich or I/O here: these are dataclasses and tiny helpers only.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Role = Literal["system", "user", "assistant"]
ROLES: tuple[Role, ...] = ("system", "user", "assistant")

MessageStatus = Literal["complete", "interrupted", "error"]
MESSAGE_STATUSES: tuple[MessageStatus, ...] = ("complete", "interrupted", "error")

BackendKind = Literal["aichat", "openai"]
BACKEND_KINDS: tuple[BackendKind, ...] = ("aichat", "openai")

DEFAULT_AICHAT_BASE_URL = "https://chat-gpt.org"


def utcnow() -> datetime:
    """The current time as an aware UTC datetime, truncated to milliseconds."""
    now = datetime.now(UTC)
    return now.replace(microsecond=(now.microsecond // 1000) * 1000)


def new_id() -> str:
    """A fresh random id (32 hex characters) for conversations and messages."""
    return uuid.uuid4().hex


def split_credentials(url: str) -> tuple[str, str, str, str]:
    """Split ``scheme://[user[:password]@]rest`` into (scheme, user, password, rest).

    The *last* ``@`` ends the credentials, so a raw password may contain
    ``@ : / #``; percent escapes in them are decoded. Proxy URLs are written by
    hand, and people paste passwords as they are.
    """
    from urllib.parse import unquote

    scheme, sep, rest = url.strip().partition("://")
    if not sep:
        return "", "", "", url.strip()
    userinfo, at, rest = rest.rpartition("@")
    if not at:
        return scheme, "", "", rest
    user, _, password = userinfo.partition(":")
    return scheme, unquote(user), unquote(password), rest


@dataclass
class Attachment:
    """A file attached to a user message.

    Recorded by ``name``, ``size`` (bytes of the original file), ``media_type``
    and ``sha256`` (of the original bytes). A text file keeps its decoded
    ``text`` (what the model saw) and the ``encoding`` it was read with. An
    image's bytes are stored once per conversation in a file beside it (see
    :mod:`aichat_tui.store.attachments`), never in the conversation file:
    ``data`` holds them in memory until they are saved, ``path`` is where the
    store keeps them; neither is written to the TOML file nor compared.
    """

    name: str
    size: int
    media_type: str
    sha256: str
    text: str | None = None
    encoding: str | None = None
    data: bytes | None = field(default=None, compare=False, repr=False)
    path: str | None = field(default=None, compare=False, repr=False)

    @property
    def is_image(self) -> bool:
        """Whether this is an image (sent as an ``image_url`` part)."""
        return self.media_type.startswith("image/")


@dataclass
class Usage:
    """Tokens and speed of one reply (any part may be unknown: None).

    ``ttft``: seconds from sending the request to the first token (thinking
    included); ``tokens_per_second``: generation speed, from the server's own
    timings when it sends them (llama.cpp), else measured here.
    """

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    ttft: float | None = None
    tokens_per_second: float | None = None

    def is_empty(self) -> bool:
        """True when nothing is known."""
        return all(
            v is None
            for v in (self.prompt_tokens, self.completion_tokens, self.ttft, self.tokens_per_second)
        )

    def summary(self) -> str:
        """One quiet line: ``50 → 40 tokens · first token 0.3 s · 1184 tok/s``."""
        parts: list[str] = []
        if self.prompt_tokens is not None or self.completion_tokens is not None:
            prompt = "?" if self.prompt_tokens is None else str(self.prompt_tokens)
            done = "?" if self.completion_tokens is None else str(self.completion_tokens)
            parts.append(f"{prompt} → {done} tokens")
        if self.ttft is not None:
            parts.append(f"first token {self.ttft:.2f} s")
        if self.tokens_per_second is not None:
            parts.append(f"{self.tokens_per_second:.1f} tok/s")
        return " · ".join(parts)


# How each unusual ending is named to a person.
ENDING_WORDS: dict[str, str] = {
    "stop": "complete",
    "length": "truncated: max_tokens reached",
    "content_filter": "stopped by the content filter",
    "tool_calls": "asked for a tool call",
    "error": "failed",
    "interrupted": "interrupted",
}

# Why a reply ended, as stored on the message (``Message.finish_reason``).
ENDINGS: tuple[str, ...] = (
    "stop",
    "length",
    "content_filter",
    "tool_calls",
    "error",
    "interrupted",
)


@dataclass
class Message:
    """One turn of a conversation.

    ``status`` is set for assistant replies only: ``complete``, ``interrupted``
    (stopped by the user, cut by the server, or recovered after a crash) or
    ``error`` (``error`` then holds the message shown to the user). ``parent``
    is the id of the message this one follows (None for a root); along a
    conversation's active path it is derived from the order (see branches.py).
    """

    role: Role
    content: str
    time: datetime = field(default_factory=utcnow)
    status: MessageStatus | None = None
    error: str | None = None
    id: str = field(default_factory=new_id)
    attachments: list[Attachment] = field(default_factory=list)
    # The model's thinking: shown and saved, never sent back to the server.
    reasoning: str = ""
    finish_reason: str | None = None  # one of ENDINGS (None: not known)
    usage: Usage | None = None
    parent: str | None = None

    def as_wire(self) -> dict[str, Any]:
        """The ``{"role", "content"}`` mapping a backend receives: text files are
        inlined as fenced blocks; images become content parts (their bytes from
        ``data`` or the stored file; see :mod:`aichat_tui.attachments.wire`).
        Never the reasoning: DeepSeek rejects it, and it is not the dialogue."""
        if not self.attachments:
            return {"role": self.role, "content": self.content}
        from aichat_tui.attachments.wire import message_wire

        return message_wire(self, send_images=True)


@dataclass
class Conversation:
    """A chat session: its metadata and messages, as stored in one TOML file.

    A conversation is a tree (issue 13): ``messages`` is the active path, root
    first; ``off_path`` holds the messages of every other branch.
    """

    id: str = field(default_factory=new_id)
    title: str = "New chat"
    created: datetime = field(default_factory=utcnow)
    updated: datetime = field(default_factory=utcnow)
    profile: str | None = None
    model: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None  # None: the profile's (or the server's) limit
    system_prompt: str = ""
    messages: list[Message] = field(default_factory=list)
    off_path: list[Message] = field(default_factory=list)

    def siblings(self, message_id: str) -> list[Message]:
        """The versions of one turn (the message included), oldest first."""
        from aichat_tui import branches

        return branches.siblings(self, message_id)

    def switch_to(self, message_id: str) -> None:
        """Make the branch through ``message_id`` active (its most recent leaf)."""
        from aichat_tui import branches

        branches.switch_to(self, message_id)

    def leaves(self) -> list[Message]:
        """The last message of every branch, in tree order."""
        from aichat_tui import branches

        return branches.leaves(self)

    def add_branch(self, parent_id: str | None, message: Message) -> None:
        """Add ``message`` under ``parent_id`` as a new, active branch."""
        from aichat_tui import branches

        branches.add_branch(self, parent_id, message)

    def wire_messages(self) -> list[dict[str, Any]]:
        """Messages to send to a backend: the system prompt, then every turn
        that is not an error placeholder. Attachments: text files inline, images
        as content parts while they fit the per-request image budget, newest
        first (:func:`aichat_tui.attachments.wire.conversation_wire`)."""
        out: list[dict[str, Any]] = []
        if self.system_prompt:
            out.append({"role": "system", "content": self.system_prompt})
        sent = [
            m
            for m in self.messages
            if m.status != "error" and not (m.role == "assistant" and not m.content)
        ]
        if any(m.attachments for m in sent):
            from aichat_tui.attachments.wire import conversation_wire

            return out + conversation_wire(sent)
        return out + [message.as_wire() for message in sent]


@dataclass
class ConversationSummary:
    """What the sidebar needs about a conversation, without its messages."""

    id: str
    title: str
    created: datetime
    updated: datetime
    message_count: int
    profile: str | None = None
    model: str | None = None


@dataclass
class Profile:
    """A named backend: where to send requests and how.

    ``cookies`` are for the ``aichat`` kind; ``api_key`` (or the name of an
    environment variable holding it, ``api_key_env``) for ``openai``. ``proxy`` is
    a URL such as ``socks5h://user:pass@host:1080``; ``None`` means "use the
    environment's proxy variables", ``""`` means "no proxy at all".
    """

    name: str = "default"
    kind: BackendKind = "openai"
    base_url: str = "http://127.0.0.1:8080/v1"
    model: str = ""
    # None: not set by the user, so OpenAI-compatible servers use their own
    # defaults (the aichat body falls back to the provider's 0.5 and 1).
    temperature: float | None = None
    top_p: float | None = None
    timeout: float = 60.0
    cookies: dict[str, str] = field(default_factory=dict)
    api_key: str | None = None
    api_key_env: str | None = None
    proxy: str | None = None
    max_tokens: int | None = None
    # Sent instead of the built-in browser user agent (chat-gpt.org's
    # cf_clearance cookie is only valid with the browser's own user agent).
    user_agent: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # extra request headers

    def resolved_api_key(self) -> str | None:
        """The API key itself: the stored one, else the named environment variable."""
        if self.api_key:
            return self.api_key
        if self.api_key_env:
            return os.environ.get(self.api_key_env) or None
        return None

    def secrets(self) -> list[str]:
        """Every secret value this profile holds, for scrubbing text before it is
        shown or logged (cookie values, the API key, the proxy password)."""
        from urllib.parse import quote

        found: list[str] = [v for v in self.cookies.values() if v]
        for name, value in self.headers.items():
            # Extra headers often carry credentials (x-api-key, authorization).
            if value and any(w in name.lower() for w in ("auth", "key", "cookie", "token")):
                found.append(value)
        key = self.resolved_api_key()
        if key:
            found.append(key)
        if self.proxy:
            password = split_credentials(self.proxy)[2]
            if password:
                found.extend({password, quote(password, safe="")})
        return [s for s in found if len(s) >= 3]


@dataclass
class SyncSettings:
    """``[sync]`` in config.toml: the git remote conversations are synced with, and
    whether the workspace syncs by itself (at start, after each reply, at quit)."""

    remote: str = ""
    auto: bool = False


@dataclass
class Settings:
    """Everything in ``config.toml``."""

    profiles: dict[str, Profile] = field(default_factory=dict)
    default_profile: str | None = None
    theme: str = "aichat-dark"
    reasoning: str = "collapsed"  # how replies show thinking: hidden, collapsed, expanded
    keys: dict[str, str] = field(default_factory=dict)
    sync: SyncSettings = field(default_factory=SyncSettings)
    # Problems found while loading (e.g. config.toml readable by other users);
    # not saved, not compared.
    warnings: list[str] = field(default_factory=list, compare=False, repr=False)

    def profile(self, name: str | None = None) -> Profile | None:
        """The named profile, else the default one, else the first one."""
        if name is not None:
            return self.profiles.get(name)
        if self.default_profile and self.default_profile in self.profiles:
            return self.profiles[self.default_profile]
        return next(iter(self.profiles.values()), None)
