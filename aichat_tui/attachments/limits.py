"""How big attachments may be, per file, per message and per request."""

from __future__ import annotations

from dataclasses import dataclass

KIB = 1024
MIB = 1024 * 1024


@dataclass(frozen=True)
class AttachmentLimits:
    """The limits (bytes of the original files).

    ``text_file``: one text file (inlined into the prompt, so it costs context);
    ``image_file``: one image; ``message``: all files of one message together;
    ``files_per_message``: how many files one message may carry;
    ``resend_bytes`` / ``resend_images``: the images of earlier messages are sent
    again, newest first, only while all images of the request together stay
    within these (the newest message's own images always count first).
    """

    text_file: int = 256 * KIB
    image_file: int = 10 * MIB
    message: int = 20 * MIB
    files_per_message: int = 10
    resend_bytes: int = 20 * MIB
    resend_images: int = 8


DEFAULT_LIMITS = AttachmentLimits()


def human_size(size: int) -> str:
    """``size`` bytes for people: ``812 B``, ``4.2 KB``, ``52.4 MB`` (1 KB = 1024 B)."""
    if size < KIB:
        return f"{size} B"
    if size < MIB:
        return f"{size / KIB:.1f} KB".replace(".0 ", " ")
    return f"{size / MIB:.1f} MB".replace(".0 ", " ")
