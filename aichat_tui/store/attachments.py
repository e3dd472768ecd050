"""Image bytes of attachments, stored beside their conversation.

A conversation ``<id>.toml`` keeps its images in the folder ``<id>.files/``
next to it, one file per distinct image named ``<sha256>.<ext>`` (mode 0600),
so an image attached twice is stored once. The TOML file records name, size,
media type and sha256 only. The folder is written before the TOML file that
refers to it (under the conversation's lock), pruned of images no message
refers to any more after it, moved to and from the trash with the conversation
and removed with it. Nothing that lists conversations looks at it: its name
does not end in ``.toml``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

from aichat_tui.attachments.reading import IMAGE_TYPES
from aichat_tui.models import Attachment, Conversation, Message
from aichat_tui.store.atomic import atomic_write, fsync_dir, read_limited
from aichat_tui.store.errors import StoreError

__all__ = ["FILES_SUFFIX", "AttachmentFiles", "all_messages", "image_attachments"]

FILES_SUFFIX = ".files"


def all_messages(conv: Conversation) -> Iterator[Message]:
    """Every message the conversation holds: ``messages`` and any other list of
    messages it keeps (branches off the active path), so none is forgotten."""
    seen: set[int] = set()
    for item in dataclasses.fields(conv):
        value = getattr(conv, item.name)
        if not isinstance(value, list):
            continue
        for message in value:
            if isinstance(message, Message) and id(message) not in seen:
                seen.add(id(message))
                yield message


def image_attachments(conv: Conversation) -> Iterator[Attachment]:
    """The image attachments of every message of ``conv``."""
    for message in all_messages(conv):
        for attachment in message.attachments:
            if attachment.is_image:
                yield attachment


def _file_name(attachment: Attachment) -> str:
    return f"{attachment.sha256}.{IMAGE_TYPES.get(attachment.media_type, 'bin')}"


def _read_checked(path: str, attachment: Attachment) -> bytes | None:
    """The bytes of ``path`` if they are the attachment's (size and sha256)."""
    try:
        data = read_limited(Path(path), attachment.size)  # a FIFO here must not block
    except (OSError, ValueError):
        return None
    if len(data) != attachment.size or hashlib.sha256(data).hexdigest() != attachment.sha256:
        return None
    return data


class AttachmentFiles:
    """The ``<id>.files`` folders of one conversations folder."""

    def __init__(self, conversations_dir: Path) -> None:
        self.root = conversations_dir

    def folder(self, conv_id: str) -> Path:
        """Where ``conv_id`` keeps its images."""
        return self.root / f"{conv_id}{FILES_SUFFIX}"

    def bind(self, conv: Conversation) -> None:
        """Point every image attachment at its stored file (after loading)."""
        folder = self.folder(conv.id)
        for attachment in image_attachments(conv):
            if attachment.data is None:
                attachment.path = str(folder / _file_name(attachment))

    def write(self, conv: Conversation) -> list[str]:
        """Store the images ``conv`` refers to that its folder lacks (from memory,
        or copied from the file they were loaded from). Returns the names of
        images whose bytes could not be found (their references stay; sending
        says the copy is missing). Raises StoreError when writing fails."""
        folder = self.folder(conv.id)
        missing: list[str] = []
        for attachment in image_attachments(conv):
            target = folder / _file_name(attachment)
            if attachment.path == str(target) and attachment.data is None:
                continue  # already stored here
            try:
                present = stat.S_ISREG(os.lstat(target).st_mode)
            except OSError:
                present = False
            if not present:
                data = attachment.data
                if data is None and attachment.path:
                    data = _read_checked(attachment.path, attachment)
                if data is None:
                    missing.append(attachment.name)
                    continue
                try:
                    folder.mkdir(mode=0o700, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"cannot create {folder}: {exc.strerror}") from exc
                atomic_write(target, data, mode=0o600)
            attachment.path = str(target)
            attachment.data = None  # stored: read again only when sent
        return missing

    def prune(self, conv: Conversation) -> None:
        """Remove stored images no message of ``conv`` refers to (best effort);
        an empty folder goes too."""
        folder = self.folder(conv.id)
        wanted = {_file_name(a) for a in image_attachments(conv)}
        try:
            names = os.listdir(folder)
        except OSError:
            return
        for name in names:
            if name not in wanted:
                with contextlib.suppress(OSError):
                    os.unlink(folder / name)
        if not wanted:
            with contextlib.suppress(OSError):
                os.rmdir(folder)

    @staticmethod
    def move(source: Path, target: Path) -> None:
        """Move a ``.files`` folder (if there is one), replacing an older one."""
        if not source.is_dir() or source.is_symlink():
            return
        try:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(source, target)
            fsync_dir(target.parent)
            fsync_dir(source.parent)
        except OSError as exc:
            raise StoreError(f"cannot move {source} to {target}: {exc.strerror}") from exc

    @staticmethod
    def remove(folder: Path) -> None:
        """Delete a ``.files`` folder and its images (best effort)."""
        if folder.is_symlink():
            with contextlib.suppress(OSError):
                folder.unlink()
            return
        shutil.rmtree(folder, ignore_errors=True)
