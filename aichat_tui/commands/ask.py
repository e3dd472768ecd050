"""``aichat-tui ask``: one question from the command line, the reply streamed to stdout.

Stateless by default; ``--save`` records the exchange as a new session,
``--continue`` adds to the most recently updated session and ``--session ID`` to
that one. ``-a FILE`` (repeatable, ``-`` for standard input) attaches files.
Never imports Textual or Rich.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from aichat_tui.commands import (
    EXIT_AUTH,
    EXIT_BROKEN_PIPE,
    EXIT_CONFIG,
    EXIT_INTERRUPTED,
    EXIT_NETWORK,
    EXIT_TRUNCATED,
    EXIT_USAGE,
    CliError,
    silence_stdout,
)
from aichat_tui.commands.ask_report import (
    ThinkingOut,
    check_utf8,
    ending_warning,
    show_reasoning,
    stats_line,
)
from aichat_tui.commands.options import SECRETS, build_profile, read_settings, resolve_paths
from aichat_tui.commands.sessions import ID_WIDTH, open_store, resolve_id
from aichat_tui.engine import DEFAULT_TITLE, ChatEngine, Reply, ReplyListener, ReplyState
from aichat_tui.models import Attachment, Conversation, Profile
from aichat_tui.sanitize import one_line, scrub

STDIN_LIMIT = 5 * 1024 * 1024


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


def build_prompt(args: argparse.Namespace, *, attached: bool = False) -> str:
    """The question words, followed by piped standard input when there is any
    (not when ``-a -`` takes standard input as a file). With files ``attached``
    the question may be empty."""
    question = " ".join(args.question).strip()
    check_utf8(question, "question")
    check_utf8(getattr(args, "system", None), "--system text")
    piped = ""
    stdin_is_file = "-" in (getattr(args, "attach", None) or [])
    if not args.no_stdin and not stdin_is_file and sys.stdin is not None and not sys.stdin.isatty():
        piped = read_stdin().strip("\n")
    if question and piped.strip():
        return f"{question}\n\n{piped}"
    if question:
        return question
    if piped.strip():
        return piped
    if attached:
        return ""
    raise CliError("nothing to ask: give a question, or pipe text on standard input", EXIT_USAGE)


def read_attachments(args: argparse.Namespace) -> list[Attachment]:
    """The files of ``-a`` (``-`` is standard input), read and checked before
    anything is sent or saved; a problem is a usage error naming the file."""
    from aichat_tui.attachments.reading import (
        AttachmentError,
        check_message,
        encoding_note,
        read_path,
        read_stream,
    )

    names = list(getattr(args, "attach", None) or [])
    if names.count("-") > 1:
        raise CliError("standard input can be attached once (-a -)", EXIT_USAGE)
    found: list[Attachment] = []
    try:
        for name in names:
            if name == "-":
                if sys.stdin is None:
                    raise CliError("-a -: there is no standard input to read", EXIT_USAGE)
                found.append(read_stream(sys.stdin.buffer, "stdin"))
            else:
                found.append(read_path(name))
        check_message(found)
    except AttachmentError as exc:
        raise CliError(one_line(str(exc), 400), EXIT_USAGE) from None
    for attachment in found:
        note = encoding_note(attachment)
        if note:
            print(f"aichat-tui: note: {one_line(note, 300)}", file=sys.stderr)
    return found


def refuse_images_for_aichat(profile: Profile, attachments: list[Attachment]) -> None:
    """The aichat protocol takes text only: say so before anything is sent or saved."""
    images = [a.name for a in attachments if a.is_image]
    if profile.kind == "aichat" and images:
        names = ", ".join(one_line(n, 80) for n in images)
        raise CliError(
            f"profile '{profile.name}' uses the aichat protocol, which takes text only, so "
            f"the image {names} cannot be sent; nothing was sent (use an OpenAI-compatible "
            "profile with a vision model)",
            EXIT_USAGE,
        )


def error_exit_code(exc: BaseException) -> int:
    """The exit code for a client error: auth 5, configuration 3, images the
    backend cannot take 2, anything else 4."""
    from aichat_tui.client import errors

    auth = (errors.AuthError, errors.MissingCookiesError, errors.ProxyAuthError)
    if isinstance(exc, auth):
        return EXIT_AUTH
    if isinstance(exc, errors.UnsupportedInputError):
        return EXIT_USAGE
    if isinstance(exc, errors.ConfigurationError):
        return EXIT_CONFIG
    return EXIT_NETWORK


class _Terminal(ReplyListener):
    """Writes the reply to stdout as it streams, notices to stderr (ask's sink)."""

    def __init__(self, out: Any, thinking: ThinkingOut | None = None) -> None:
        self.engine: ChatEngine | None = None  # set once the engine exists
        self.out = out
        self.thinking = thinking  # None: the thinking is not shown
        self.wrote_any = False
        self.ends_with_newline = True
        self.broken = False  # stdout was closed by its reader
        self.write_error: str | None = None  # stdout failed otherwise (full disk, closed fd)
        self.save_problems: list[str] = []

    def reply_reasoning(self, reply: Reply, piece: str) -> None:
        if self.thinking is not None:
            self.thinking.piece(piece)

    def reply_text(self, reply: Reply, piece: str) -> None:
        if self.thinking is not None:
            self.thinking.close()
        if self.broken:
            return
        try:
            self.out.write(piece)
            self.out.flush()
        except BrokenPipeError:
            self.broken = True
            silence_stdout()
            if self.engine is not None:
                self.engine.stop(reply.conv_id)  # the partial reply is saved, interrupted
            return
        except (OSError, ValueError, AttributeError) as exc:  # AttributeError: no stdout
            self._cannot_write(exc)
            if self.engine is not None:
                self.engine.stop(reply.conv_id)
            return
        self.wrote_any = True
        self.ends_with_newline = piece.endswith("\n")

    def reply_notice(self, reply: Reply, text: str) -> None:
        print(f"aichat-tui: {text}", file=sys.stderr, flush=True)

    def save_failed(self, conv: Conversation, problem: str) -> None:
        self.save_problems.append(problem)

    def end_line(self) -> None:
        """Finish the last line of a reply that did not end with one."""
        if self.thinking is not None:
            self.thinking.close()
        if self.broken:
            return
        try:
            if self.wrote_any and not self.ends_with_newline:
                self.out.write("\n")
            self.out.flush()
        except BrokenPipeError:
            self.broken = True
            silence_stdout()
        except (OSError, ValueError, AttributeError) as exc:
            self._cannot_write(exc)

    def _cannot_write(self, exc: BaseException) -> None:
        # stop writing (one report, not one per piece) and keep the final flush quiet
        self.broken = True
        if self.out is None or isinstance(exc, AttributeError | ValueError):
            self.write_error = "it is closed"
        else:
            self.write_error = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        if self.out is not None:
            silence_stdout()


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


async def _run(
    store: Any,
    conv: Conversation,
    prompt: str,
    profile: Profile,
    model: str,
    terminal: _Terminal,
    attachments: list[Attachment],
) -> Reply:
    """Send ``prompt`` through the engine and wait for the reply to end.

    Ctrl+C cancels this coroutine: the reply is then stopped, its text saved."""
    from aichat_tui.client import INTERACTIVE_MAX_RETRY_WAIT, INTERACTIVE_RETRIES, ChatClient

    async with ChatClient(
        profile, retries=INTERACTIVE_RETRIES, max_retry_wait=INTERACTIVE_MAX_RETRY_WAIT
    ) as client:
        engine = ChatEngine(store, lambda _profile: client, secrets=lambda: list(SECRETS))
        terminal.engine = engine
        engine.subscribe(terminal)
        reply = engine.send(conv, prompt, profile, model=model, attachments=attachments)
        if terminal.save_problems:  # the prompt could not be recorded: say so, send nothing
            engine.forget(conv.id)
            raise CliError(f"cannot save the session: {terminal.save_problems[0]}")
        try:
            await reply.wait()
        finally:
            engine.stop_all()  # cancelled (Ctrl+C): keep the partial reply, interrupted
        return reply


def cmd_ask(args: argparse.Namespace) -> int:
    """Send one prompt and stream the reply to stdout."""
    attachments = read_attachments(args)
    prompt = build_prompt(args, attached=bool(attachments))
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
    refuse_images_for_aichat(profile, attachments)
    model = profile.model
    if conv is not None and getattr(args, "model", None) is None and conv.model:
        model = conv.model
    if store is not None and conv is None:
        conv = store.create(
            title=DEFAULT_TITLE,  # the engine titles it from the prompt
            profile=profile.name,
            model=model,
            system_prompt=args.system or "",
        )
    if conv is not None and args.system is not None:
        conv.system_prompt = args.system
    if conv is None:  # stateless: a conversation in memory only
        conv = Conversation(system_prompt=args.system or "")

    if getattr(args, "max_tokens", None) is not None:
        if args.max_tokens < 1:
            raise CliError("--max-tokens must be at least 1", EXIT_USAGE)
        profile.max_tokens = args.max_tokens
    thinking = (
        ThinkingOut() if show_reasoning(getattr(args, "reasoning", None), sys.stdout) else None
    )
    terminal = _Terminal(sys.stdout, thinking)
    try:
        reply = asyncio.run(_run(store, conv, prompt, profile, model, terminal, attachments))
    except KeyboardInterrupt:
        terminal.end_line()
        saved = f"; partial reply saved in session {conv.id[:ID_WIDTH]}" if store else ""
        print(f"aichat-tui: interrupted{saved}", file=sys.stderr)
        return EXIT_INTERRUPTED
    terminal.end_line()
    if terminal.write_error is not None:
        saved = f"; the partial reply is saved in session {conv.id[:ID_WIDTH]}" if store else ""
        raise CliError(f"cannot write the reply to standard output: {terminal.write_error}{saved}")
    if terminal.broken:
        return EXIT_BROKEN_PIPE
    if reply.state is ReplyState.ERROR:
        message = scrub(one_line(reply.error or "the reply failed", 400), SECRETS)
        if not paths.config_file.exists() and getattr(args, "base_url", None) is None:
            message += (
                f" (no {paths.config_file} yet, so the built-in '{profile.name}' "
                "profile was used: add a profile, pass --base-url, or try "
                "`aichat-tui --demo`)"
            )
        code = error_exit_code(reply.exception) if reply.exception else EXIT_NETWORK
        raise CliError(message, code)
    warning = ending_warning(
        reply.finish_reason, bool(reply.raw.strip()), bool(reply.raw_reasoning.strip())
    )
    if warning:
        print(f"aichat-tui: {warning}", file=sys.stderr)
    if getattr(args, "stats", False):
        print(f"aichat-tui: {stats_line(reply.usage)}", file=sys.stderr)
    if reply.save_error is not None:
        problem = terminal.save_problems[-1] if terminal.save_problems else reply.save_error
        raise CliError(f"the reply was not saved: {problem}")
    if store is not None and not (args.continue_ or args.session):
        print(f"aichat-tui: saved as session {conv.id[:ID_WIDTH]}", file=sys.stderr)
    return EXIT_TRUNCATED if reply.finish_reason == "length" else 0
