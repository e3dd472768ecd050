"""The store's exceptions, in one tree.

::

    StoreError(Exception)
    ├── ConfigError            config.toml cannot be read or is invalid (path, line, key)
    ├── ConversationFileError  a conversation file cannot be read or is invalid (path, line, key)
    │   └── TruncatedFile      fewer messages than its message_count (carries what is there)
    ├── ConversationNotFound   no conversation (or trash entry) with that id (also a KeyError)
    ├── SaveError              a write failed; the previous file is intact
    └── LockTimeout            another instance held the lock for too long (also a SaveError)

``str(e)`` is a one-line message for the user: it names the file and, when known,
the line and key. No error message ever contains a setting's value, so secrets
from config.toml cannot leak through them.
"""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base class of every error raised by :mod:`aichat_tui.store`."""


class _FileProblem(StoreError):
    """An error located in a file: ``path``, ``line`` (1-based or None), ``key``."""

    def __init__(
        self, path: Path | str, message: str, *, line: int | None = None, key: str | None = None
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.key = key
        self.message = message
        super().__init__(f"{self.path}{', ' if line is not None else ': '}{self.detail}")

    @property
    def detail(self) -> str:
        """The message without the file name: ``line N: key: what is wrong``."""
        where = f"line {self.line}: " if self.line is not None else ""
        what = f"{self.key}: " if self.key else ""
        return f"{where}{what}{self.message}"


class ConfigError(_FileProblem):
    """config.toml is unreadable, is not valid TOML, or breaks the settings schema.

    The file is never overwritten while it is in this state.
    """


class ConversationFileError(_FileProblem):
    """A conversation file is unreadable, is not valid TOML, or breaks the schema."""


class TruncatedFile(ConversationFileError):
    """A conversation file holds fewer messages than its header's ``message_count``:
    it was cut at a message boundary. ``conv`` holds the messages that are there."""

    def __init__(self, path: Path | str, message: str, conv: object, declared: int) -> None:
        super().__init__(path, message)
        self.conv = conv
        self.declared = declared


class ConversationNotFound(StoreError, KeyError):
    """No conversation (or trash entry) has this id."""

    def __init__(self, conv_id: str, where: str = "conversations") -> None:
        self.conv_id = conv_id
        super().__init__(f"no conversation {conv_id!r} in {where}")

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class SaveError(StoreError):
    """Writing a file failed. The previous version of the file is intact and the
    caller's in-memory data is untouched, so the save can be retried."""


class LockTimeout(SaveError):
    """Another instance held a conversation's lock longer than the timeout."""
