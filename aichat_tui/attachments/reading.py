"""Reading a file into an :class:`~aichat_tui.models.Attachment`.

A file is read with a cap, never whole first: its first bytes tell an image
(PNG, JPEG, GIF, WebP, by their magic bytes) from anything else, which fixes the
limit; the size is checked before the rest is read, and a stream (standard
input, a FIFO) is read up to the limit plus one byte. Text is decoded as UTF-8,
UTF-16/32 with a byte-order mark, else Windows-1252 or Latin-1 (said in
:func:`encoding_note`); anything else binary is refused with a message that
names the file and says why. Every refusal is an :class:`AttachmentError` whose
text is one line for the user; nothing is written anywhere.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from aichat_tui.attachments.limits import DEFAULT_LIMITS, AttachmentLimits, human_size
from aichat_tui.models import Attachment

__all__ = [
    "IMAGE_TYPES",
    "AttachmentError",
    "check_message",
    "encoding_note",
    "image_type",
    "read_bytes",
    "read_path",
    "read_stream",
]

SNIFF = 16

# media type -> file extension used for the stored copy
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}

# Recognisable binary formats, to say what a refused file is.
_BINARY_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (or an office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ", "a Windows program"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"BM", "a BMP image (only PNG, JPEG, GIF and WebP images can be attached)"),
    (b"II*\x00", "a TIFF image (only PNG, JPEG, GIF and WebP images can be attached)"),
    (b"MM\x00*", "a TIFF image (only PNG, JPEG, GIF and WebP images can be attached)"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Control bytes that do not occur in text (TAB, LF, VT, FF, CR and ESC do).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27)) + b"\x7f"
_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with a byte-order mark)",
    "utf-16": "UTF-16",
    "utf-32": "UTF-32",
    "utf-16-le": "UTF-16 (little-endian, no byte-order mark)",
    "utf-16-be": "UTF-16 (big-endian, no byte-order mark)",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO-8859-1)",
}


class AttachmentError(ValueError):
    """A file that cannot be attached; ``str()`` is one line for the user."""


def image_type(head: bytes) -> str | None:
    """The media type of a PNG, JPEG, GIF or WebP image from its first bytes."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _too_big(name: str, size: int | None, image: bool, limits: AttachmentLimits) -> AttachmentError:
    limit = limits.image_file if image else limits.text_file
    what = "images" if image else "text files"
    have = f"{human_size(size)}; " if size is not None else "more than that; "
    return AttachmentError(
        f"{name} is too large to attach ({have}{what} up to {human_size(limit)}); "
        "nothing was attached"
    )


def _text_media_type(name: str) -> str:
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed if guessed and guessed.startswith("text/") else "text/plain"


def _decode(name: str, data: bytes) -> tuple[str, str]:
    """(text, encoding) or AttachmentError for a binary file."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise AttachmentError(
                    f"{name} starts like {_ENCODING_NAMES[encoding]} text but is not valid "
                    "text; nothing was attached"
                ) from None
    for magic, kind in _BINARY_KINDS:
        if data.startswith(magic) and (magic not in (b"MZ", b"BM") or b"\x00" in data[:512]):
            raise AttachmentError(
                f"{name} is {kind}, not text; only text files and PNG, JPEG, GIF or WebP "
                "images can be attached"
            )
    sample = data[: 64 * 1024]
    guessed = _bomless_utf16(sample)
    if guessed is not None:
        try:
            return data.decode(guessed), guessed
        except UnicodeDecodeError:
            pass
    controls = sum(sample.count(bytes([c])) for c in _CONTROL)
    if b"\x00" in sample or (sample and controls / len(sample) > 0.05):
        raise AttachmentError(
            f"{name} is a binary file (not text, and not a PNG, JPEG, GIF or WebP image); "
            "nothing was attached"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _bomless_utf16(sample: bytes) -> str | None:
    """``utf-16-le``/``-be`` for text whose NUL bytes all sit in one column of
    byte pairs (ASCII-range text in UTF-16 without a byte-order mark)."""
    if len(sample) < 4 or len(sample) % 2 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= len(odd) // 3 and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= len(even) // 3 and odd.count(0) == 0:
        return "utf-16-be"
    return None


def encoding_note(attachment: Attachment) -> str | None:
    """A line to tell the user when a text file was not plain UTF-8, else None."""
    encoding = attachment.encoding
    if attachment.is_image or encoding in (None, "utf-8"):
        return None
    name = _ENCODING_NAMES.get(encoding, encoding)
    if encoding in ("cp1252", "latin-1"):
        return f"{attachment.name} is not UTF-8: it was read as {name}"
    return f"{attachment.name} was read as {name}"


def read_bytes(data: bytes, name: str, limits: AttachmentLimits = DEFAULT_LIMITS) -> Attachment:
    """An attachment from bytes already in memory (checked against the limits)."""
    kind = image_type(data[:SNIFF])
    if len(data) > (limits.image_file if kind else limits.text_file):
        raise _too_big(name, len(data), kind is not None, limits)
    digest = hashlib.sha256(data).hexdigest()
    if kind is not None:
        return Attachment(name=name, size=len(data), media_type=kind, sha256=digest, data=data)
    if not data:
        raise AttachmentError(f"{name} is empty; nothing was attached")
    text, encoding = _decode(name, data)
    return Attachment(
        name=name,
        size=len(data),
        media_type=_text_media_type(name),
        sha256=digest,
        text=text,
        encoding=encoding,
    )


def _read_capped(stream: BinaryIO, head: bytes, cap: int) -> bytes:
    """``head`` plus the rest of ``stream``, reading at most ``cap + 1`` bytes in all."""
    chunks = [head]
    got = len(head)
    while got <= cap:
        piece = stream.read(min(1024 * 1024, cap + 1 - got))
        if not piece:
            break
        chunks.append(piece)
        got += len(piece)
    return b"".join(chunks)


def _read_head(stream: BinaryIO) -> bytes:
    head = b""
    while len(head) < SNIFF:
        piece = stream.read(SNIFF - len(head))
        if not piece:
            break
        head += piece
    return head


def read_stream(
    stream: BinaryIO, name: str = "stdin", limits: AttachmentLimits = DEFAULT_LIMITS
) -> Attachment:
    """An attachment from a binary stream (standard input), read with a cap. An
    image read this way is named ``<name>.<ext>``."""
    head = _read_head(stream)
    kind = image_type(head)
    cap = limits.image_file if kind else limits.text_file
    data = _read_capped(stream, head, cap)
    if len(data) > cap:
        raise _too_big(name, None, kind is not None, limits)
    if kind is not None and "." not in name:
        name = f"{name}.{IMAGE_TYPES[kind]}"
    return read_bytes(data, name, limits)


def read_path(path: str | Path, limits: AttachmentLimits = DEFAULT_LIMITS) -> Attachment:
    """An attachment from a file: the size is checked (``fstat``) before the
    file is read, and the read itself stops one byte past the limit."""
    path = Path(path).expanduser()
    name = path.name or str(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after fstat
    except FileNotFoundError:
        raise AttachmentError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise AttachmentError(f"{path} is a folder; choose a file in it") from None
    except PermissionError:
        raise AttachmentError(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise AttachmentError(f"cannot read {path}: {exc.strerror or exc}") from None
    with handle:
        try:
            st = os.fstat(handle.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise AttachmentError(f"{path} is a folder; choose a file in it")
            head = _read_head(handle)  # type: ignore[arg-type]
            kind = image_type(head)
            cap = limits.image_file if kind else limits.text_file
            regular = stat.S_ISREG(st.st_mode)
            if regular and st.st_size > cap:
                raise _too_big(name, st.st_size, kind is not None, limits)
            data = _read_capped(handle, head, cap)  # type: ignore[arg-type]
        except OSError as exc:
            raise AttachmentError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > cap:
        raise _too_big(name, None, kind is not None, limits)
    return read_bytes(data, name, limits)


def check_message(
    attachments: Iterable[Attachment], limits: AttachmentLimits = DEFAULT_LIMITS
) -> None:
    """Refuse a set of attachments too many or too big for one message."""
    items = list(attachments)
    if len(items) > limits.files_per_message:
        raise AttachmentError(
            f"{len(items)} files attached; one message takes at most {limits.files_per_message}"
        )
    total = sum(a.size for a in items)
    if total > limits.message:
        raise AttachmentError(
            f"the attached files come to {human_size(total)} together; one message takes "
            f"at most {human_size(limits.message)}"
        )
