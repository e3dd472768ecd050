"""Reading files into attachments: kinds, encodings, refusals and limits."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from aichat_tui.attachments.limits import AttachmentLimits, human_size
from aichat_tui.attachments.reading import (
    AttachmentError,
    check_message,
    encoding_note,
    read_bytes,
    read_path,
    read_stream,
)
from aichat_tui.models import Attachment
from tests.attachments.images import GIF, JPEG, WEBP, png_bytes


class CountingReader(io.BytesIO):
    """A stream that counts the bytes handed out (to prove a capped read)."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.handed = 0

    def read(self, size: int | None = -1) -> bytes:
        piece = super().read(size)
        self.handed += len(piece)
        return piece


def test_a_utf8_text_file_keeps_its_text_and_hash(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    raw = "# Notes\nnaïve café ✓\n".encode()
    path.write_bytes(raw)
    att = read_path(path)
    assert (att.name, att.size, att.encoding) == ("notes.md", len(raw), "utf-8")
    assert att.text == "# Notes\nnaïve café ✓\n"
    assert att.media_type == "text/markdown"
    assert att.sha256 == hashlib.sha256(raw).hexdigest()
    assert not att.is_image and att.data is None
    assert encoding_note(att) is None


@pytest.mark.parametrize(
    ("raw", "encoding", "note"),
    [
        (b"\xef\xbb\xbfhello \xc3\xa9", "utf-8-sig", "read as UTF-8 (with a byte-order mark)"),
        ("héllo".encode("utf-16"), "utf-16", "read as UTF-16"),
        ("héllo wörld".encode("utf-16-le"), "utf-16-le", "no byte-order mark"),
        (b"caf\xe9 \x93quoted\x94", "cp1252", "is not UTF-8: it was read as Windows-1252"),
        (b"caf\xe9 \x81", "latin-1", "is not UTF-8: it was read as Latin-1"),
    ],
)
def test_encodings_are_detected_and_reported(raw: bytes, encoding: str, note: str) -> None:
    att = read_bytes(raw, "f.txt")
    assert att.encoding == encoding
    assert att.text is not None and "\ufffd" not in att.text
    said = encoding_note(att)
    assert said is not None and note in said and "f.txt" in said


@pytest.mark.parametrize(
    ("raw", "media_type"),
    [(png_bytes(), "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"), (WEBP, "image/webp")],
)
def test_images_are_known_by_their_magic_bytes(raw: bytes, media_type: str) -> None:
    att = read_bytes(raw, "picture.dat")
    assert att.media_type == media_type and att.is_image
    assert att.data == raw and att.text is None


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (b"%PDF-1.7\n\x00\x01binary", "is a PDF document"),
        (b"PK\x03\x04\x14\x00", "zip archive"),
        (b"\x7fELF\x02\x01\x01\x00", "program"),
        (bytes(range(256)) * 4, "is a binary file"),
        (b"BM\x00\x00\x00\x00", "BMP image"),
    ],
)
def test_binary_files_are_refused_with_a_reason(raw: bytes, said: str) -> None:
    with pytest.raises(AttachmentError) as caught:
        read_bytes(raw, "thing.bin")
    message = str(caught.value)
    assert said in message and "thing.bin" in message and "\n" not in message


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "huge.log"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB without writing them
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(AttachmentError) as caught:
        read_path(big)
    assert str(caught.value) == (
        "huge.log is too large to attach (50 MB; text files up to 256 KB); nothing was attached"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_image_over_its_limit_is_refused_naming_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "shot.png"
    path.write_bytes(png_bytes() + b"\x00" * 4096)
    with pytest.raises(AttachmentError, match=r"shot.png is too large .*images up to 1 KB"):
        read_path(path, AttachmentLimits(image_file=1024))


def test_a_stream_is_read_with_a_cap() -> None:
    limits = AttachmentLimits(text_file=1000)
    stream = CountingReader(b"x" * 1_000_000)
    with pytest.raises(AttachmentError, match="stdin is too large"):
        read_stream(stream, "stdin", limits)
    assert stream.handed <= 1001
    att = read_stream(io.BytesIO(b"short text\n"), "stdin", limits)
    assert (att.name, att.text) == ("stdin", "short text\n")


def test_an_image_on_a_stream_is_named_by_its_type() -> None:
    att = read_stream(io.BytesIO(png_bytes()), "stdin")
    assert (att.name, att.media_type) == ("stdin.png", "image/png")


def test_a_fifo_is_read_with_a_cap(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    import threading

    def feed() -> None:
        try:
            with open(fifo, "wb") as handle:
                handle.write(b"y" * 5000)
        except BrokenPipeError:
            pass  # the reader stopped at its cap, as it should

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        with pytest.raises(AttachmentError, match="pipe is too large"):
            read_path(fifo, AttachmentLimits(text_file=100))
    finally:
        writer.join(timeout=60)


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda p: p, "is a folder"),
        (lambda p: p / "missing.txt", "no such file"),
    ],
)
def test_paths_that_are_not_files_get_a_clear_message(tmp_path: Path, make, said: str) -> None:
    with pytest.raises(AttachmentError, match=said):
        read_path(make(tmp_path))


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(AttachmentError, match=r"empty\.txt is empty"):
        read_bytes(b"", "empty.txt")


def test_message_limits_count_files_and_bytes() -> None:
    limits = AttachmentLimits(message=100, files_per_message=2)

    def att(size: int) -> Attachment:
        return Attachment(name="a", size=size, media_type="text/plain", sha256="0" * 64)

    check_message([att(50), att(50)], limits)
    with pytest.raises(AttachmentError, match=r"come to 101 B together; .* at most 100 B"):
        check_message([att(50), att(51)], limits)
    with pytest.raises(AttachmentError, match="3 files attached; one message takes at most 2"):
        check_message([att(1)] * 3, limits)


def test_human_sizes() -> None:
    assert [human_size(n) for n in (812, 1024, 4300, 50 * 1024 * 1024, 1536 * 1024)] == [
        "812 B",
        "1 KB",
        "4.2 KB",
        "50 MB",
        "1.5 MB",
    ]
