"""Typed stream events: what :meth:`ChatClient.events` yields.

A reply is a sequence of :class:`TextDelta` and :class:`ReasoningDelta`
pieces, then at most one :class:`Finish` (why the server stopped), one
:class:`ToolCallNotice` (the model asked for tools, which aichat-tui does not
run) and, last, one :class:`UsageReport` (tokens and speed). No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass

from aichat_tui.models import Usage

__all__ = [
    "FINISH_REASONS",
    "Finish",
    "ReasoningDelta",
    "StreamEvent",
    "TextDelta",
    "ToolCallNotice",
    "UsageReport",
    "normalise_finish",
]

FINISH_REASONS = ("stop", "length", "content_filter", "tool_calls")


@dataclass(frozen=True)
class TextDelta:
    """A piece of the answer text."""

    text: str


@dataclass(frozen=True)
class ReasoningDelta:
    """A piece of the model's thinking (``reasoning_content``, ``reasoning``
    or a ``<think>`` block inside the content)."""

    text: str


@dataclass(frozen=True)
class Finish:
    """The server said why the reply ended: ``stop``, ``length``,
    ``content_filter``, ``tool_calls`` or None (a reason we do not know)."""

    reason: str | None
    raw: str = ""


@dataclass(frozen=True)
class ToolCallNotice:
    """The model answered with tool calls (names of the functions it asked for)."""

    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class UsageReport:
    """Token counts and speed of the whole reply (sent once, at the end)."""

    usage: Usage


StreamEvent = TextDelta | ReasoningDelta | Finish | ToolCallNotice | UsageReport


def normalise_finish(raw: str) -> str | None:
    """Map a server's finish_reason onto :data:`FINISH_REASONS` (None: unknown)."""
    value = raw.strip().lower()
    if value in ("function_call",):
        return "tool_calls"
    if value in ("max_tokens", "model_length"):
        return "length"
    if value in ("eos", "end_turn", "stop_sequence"):
        return "stop"
    return value if value in FINISH_REASONS else None
