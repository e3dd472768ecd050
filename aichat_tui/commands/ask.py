"""``aichat-tui ask``: one question from the command line, the reply streamed to stdout.

Stateless by default; ``--save`` records the exchange as a new session,
``--continue`` adds to the most recently updated session and ``--session ID`` to
that one. Never imports Textual or Rich.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

from aichat_tui.commands import (
    EXIT_AUTH,
    EXIT_BROKEN_PIPE,
    EXIT_CONFIG,
    EXIT_INTERRUPTED,
    EXIT_NETWORK,
    EXIT_USAGE,
    CliError,
    silence_stdout,
)
from aichat_tui.commands.options import SECRETS, build_profile, read_settings, resolve_paths
from aichat_tui.commands.sessions import ID_WIDTH, open_store, resolve_id
from aichat_tui.models import Conversation, Message, Profile
from aichat_tui.sanitize import StreamSanitizer, one_line, scrub

STDIN_LIMIT = 5 * 1024 * 1024
PARTIAL_EVERY = 0.5  # seconds between partial-reply sidecar updates


def read_stdin(stream: Any = None) -> str:
    """Piped input, at most STDIN_LIMIT bytes (UTF-8; bad bytes become U+FFFD)."""
    stream = stream if stream is not None else sys.stdin
    data = stream.buffer.read(STDIN_LIMIT + 1)
    if len(data) > STDIN_LIMIT:
        raise CliError(
            f"standard input is larger than {STDIN_LIMIT // (1024 * 1024)} MiB; "
            "send a smaller excerpt",
            EXIT_USAGE,
        )
    return data.decode("utf-8", errors="replace")


def build_prompt(args: argparse.Namespace) -> str:
    """The question words, followed by piped standard input when there is any."""
    question = " ".join(args.question).strip()
    piped = ""
    if not args.no_stdin and sys.stdin is not None and not sys.stdin.isatty():
        piped = read_stdin().strip("\n")
    if question and piped.strip():
        return f"{question}\n\n{piped}"
    if question:
        return question
    if piped.strip():
        return piped
    raise CliError("nothing to ask: give a question, or pipe text on standard input", EXIT_USAGE)


def error_exit_code(exc: BaseException) -> int:
    """The exit code for a client error: auth 5, configuration 3, anything else 4."""
    from aichat_tui.client import errors

    auth = (errors.AuthError, errors.MissingCookiesError, errors.ProxyAuthError)
    if isinstance(exc, auth):
        return EXIT_AUTH
    if isinstance(exc, errors.ConfigurationError):
        return EXIT_CONFIG
    return EXIT_NETWORK


class _Recorder:
    """Keeps the session file in step with the reply (None store: stateless)."""

    def __init__(self, store: Any, conv: Conversation | None, prompt: str) -> None:
        self.store = store
        self.conv = conv
        self.reply: Message | None = None
        self.writer: Any = None
        self._last = 0.0
        if store is None or conv is None:
            return
        conv.messages.append(Message(role="user", content=prompt))
        # Saved as interrupted first, so a killed process never leaves a reply that
        # looks complete; the sidecar holds the text that arrives meanwhile.
        self.reply = Message(role="assistant", content="", status="interrupted")
        conv.messages.append(self.reply)
        store.save(conv)
        self.writer = store.partial_writer(conv.id, self.reply.id)

    def progress(self, parts: list[str]) -> None:
        """Update the sidecar now and then (joining every chunk would be quadratic)."""
        if self.writer is not None and time.monotonic() - self._last >= PARTIAL_EVERY:
            self._last = time.monotonic()
            self.writer.update("".join(parts))

    def finish(self, text: str, status: str, error: str | None = None) -> None:
        if self.reply is None:
            return
        self.reply.content = text
        self.reply.status = status  # type: ignore[assignment]
        self.reply.error = error
        try:
            self.store.save(self.conv)
        finally:
            self.writer.close()


def _pick_session(args: argparse.Namespace) -> tuple[Any, Conversation | None]:
    """(store, existing conversation or None); (None, None) when stateless."""
    if args.continue_ and args.session:
        raise CliError("use either --continue or --session, not both", EXIT_USAGE)
    if not (args.continue_ or args.session or args.save):
        return None, None
    store = open_store(args)
    if args.session:
        return store, store.load(resolve_id(store, args.session))
    if args.continue_:
        summaries = store.list()
        if not summaries:
            raise CliError("no session to continue yet (use --save to start one)", EXIT_USAGE)
        return store, store.load(summaries[0].id)
    return store, None


async def _stream(profile: Profile, request: Any, on_text: Any) -> None:
    from aichat_tui.client import INTERACTIVE_MAX_RETRY_WAIT, INTERACTIVE_RETRIES, ChatClient

    def retrying(error: Exception, wait: float, attempt: int) -> None:
        text = scrub(one_line(str(error), 160), profile.secrets())
        print(
            f"aichat-tui: {text} — retrying in {wait:.0f} s ({attempt}/{INTERACTIVE_RETRIES})",
            file=sys.stderr,
            flush=True,
        )

    async with ChatClient(
        profile, retries=INTERACTIVE_RETRIES, max_retry_wait=INTERACTIVE_MAX_RETRY_WAIT
    ) as client:
        async for chunk in client.stream(request, on_retry=retrying):
            if chunk:
                on_text(chunk)


def cmd_ask(args: argparse.Namespace) -> int:
    """Send one prompt and stream the reply to stdout."""
    prompt = build_prompt(args)
    paths = resolve_paths(args)
    settings = read_settings(paths)
    store, conv = _pick_session(args)
    if (
        conv is not None
        and getattr(args, "profile", None) is None
        and conv.profile in settings.profiles
    ):
        args.profile = conv.profile  # a session keeps talking to its own backend
    profile = build_profile(settings, args, paths.config_file, required=True)
    assert profile is not None
    model = profile.model
    if conv is not None and getattr(args, "model", None) is None and conv.model:
        model = conv.model
    if store is not None and conv is None:
        conv = store.create(
            title=one_line(prompt, 60),
            profile=profile.name,
            model=model,
            system_prompt=args.system or "",
        )
    if conv is not None and args.system is not None:
        conv.system_prompt = args.system
    if conv is not None:
        wire = [*conv.wire_messages(), {"role": "user", "content": prompt}]
        temperature, top_p = conv.temperature, conv.top_p
    else:
        wire = [{"role": "system", "content": args.system}] if args.system else []
        wire.append({"role": "user", "content": prompt})
        temperature = top_p = None

    from aichat_tui.client import AichatError, ChatRequest

    request = ChatRequest(messages=wire, model=model, temperature=temperature, top_p=top_p)
    recorder = _Recorder(store, conv, prompt)
    sanitizer = StreamSanitizer()
    parts: list[str] = []
    out = sys.stdout
    wrote_any = False

    def on_text(chunk: str) -> None:
        nonlocal wrote_any
        parts.append(chunk)
        safe = sanitizer.feed(chunk)
        if safe:
            out.write(safe)
            out.flush()
            wrote_any = True
            recorder.progress(parts)

    def end_line() -> None:
        tail = sanitizer.flush()
        text = "".join(parts)
        if tail or (wrote_any and not text.endswith("\n")):
            out.write(tail + ("" if (tail or text).endswith("\n") else "\n"))
        out.flush()

    try:
        asyncio.run(_stream(profile, request, on_text))
    except KeyboardInterrupt:
        _finish_quietly(end_line)
        recorder.finish("".join(parts), "interrupted")
        saved = f"; partial reply saved in session {conv.id[:ID_WIDTH]}" if recorder.reply else ""
        print(f"aichat-tui: interrupted{saved}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        silence_stdout()
        recorder.finish("".join(parts), "interrupted")
        return EXIT_BROKEN_PIPE
    except AichatError as exc:
        _finish_quietly(end_line)
        message = scrub(one_line(str(exc), 400), SECRETS)
        if not paths.config_file.exists() and getattr(args, "base_url", None) is None:
            message += (
                f" (no {paths.config_file} yet, so the built-in '{profile.name}' "
                "profile was used: add a profile, pass --base-url, or try "
                "`aichat-tui --demo`)"
            )
        text = "".join(parts) or getattr(exc, "partial", "") or ""
        status = "interrupted" if text else "error"
        recorder.finish(text, status, message)
        raise CliError(message, error_exit_code(exc)) from exc
    end_line()
    recorder.finish("".join(parts), "complete")
    if store is not None and not (args.continue_ or args.session):
        print(f"aichat-tui: saved as session {conv.id[:ID_WIDTH]}", file=sys.stderr)
    return 0


def _finish_quietly(end_line: Any) -> None:
    try:
        end_line()
    except BrokenPipeError:
        silence_stdout()
