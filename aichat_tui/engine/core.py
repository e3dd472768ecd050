"""The conversation engine: send, stop, retry, edit-and-resend, delete and save.

One :class:`ChatEngine` serves the workspace (many conversations, one reply each
at a time) and ``aichat-tui ask`` (one reply). It holds the running replies and
is the only code that moves a reply between states, writes its crash journal,
titles a new conversation and saves a conversation because of a reply.

Nothing here waits for a listener, and nothing a caller does waits for a reply:
:meth:`send`, :meth:`stop`, :meth:`retry` and :meth:`delete` are synchronous.
A stopped reply is finished on the spot (text kept, marked interrupted, saved)
and its task cancelled, whether or not that task had started running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aichat_tui import branches
from aichat_tui.engine.journal import Journal
from aichat_tui.engine.listener import Listeners, ReplyListener
from aichat_tui.engine.reply import Reply
from aichat_tui.engine.state import ReplyState, can_move
from aichat_tui.engine.stream import build_request, consume
from aichat_tui.models import Attachment, Conversation, Message, Profile, Usage, utcnow
from aichat_tui.sanitize import one_line, scrub
from aichat_tui.store import ConversationStore, StoreError

if TYPE_CHECKING:
    from aichat_tui.client import ChatClient, ChatRequest

DEFAULT_TITLE = "New chat"
TITLE_CHARS = 60


def title_for(prompt: str) -> str:
    """The title a conversation gets from its first prompt."""
    return one_line(prompt, TITLE_CHARS) or DEFAULT_TITLE


class ChatEngine:
    """Runs replies for conversations and keeps their files in step.

    ``store`` None: nothing is saved (stateless ``ask``). ``client_for(profile)``
    gives the client a reply uses (the caller owns and closes clients).
    Subscribe with :meth:`subscribe` to hear of every reply.
    """

    def __init__(
        self,
        store: ConversationStore | None,
        client_for: Callable[[Profile], ChatClient],
        *,
        secrets: Callable[[], list[str]] | None = None,
    ) -> None:
        self.store = store
        self.client_for = client_for
        self._secrets = secrets
        self.listeners = Listeners()
        #: conversation id -> its running reply (at most one each)
        self.running: dict[str, Reply] = {}
        #: conversations whose last save failed (id -> the live object)
        self.unsaved: dict[str, Conversation] = {}
        #: conversations deleted through this engine: never saved again
        self.deleted: set[str] = set()

    # -- listening -------------------------------------------------------------------

    def subscribe(self, listener: ReplyListener) -> Callable[[], None]:
        """Hear of every reply; returns the function that unsubscribes."""
        return self.listeners.add(listener)

    def busy(self, conv_id: str) -> bool:
        """Whether ``conv_id`` has a reply running."""
        return conv_id in self.running

    # -- saving ----------------------------------------------------------------------

    def save(
        self, conv: Conversation, *, touch: bool = True, lock_timeout: float | None = None
    ) -> bool:
        """Save ``conv``; on failure tell the listeners, remember it as unsaved and
        keep it in memory. A deleted conversation is never written back."""
        if self.store is None or conv.id in self.deleted:
            return True
        try:
            self.store.save(conv, touch=touch, lock_timeout=lock_timeout)
        except (StoreError, OSError) as exc:
            self.unsaved[conv.id] = conv
            self.listeners.emit("save_failed", conv, str(exc))
            return False
        self.unsaved.pop(conv.id, None)
        return True

    # -- the user's intents --------------------------------------------------------------

    def send(
        self,
        conv: Conversation,
        text: str,
        profile: Profile,
        *,
        replace_from: Message | None = None,
        model: str | None = None,
        listener: ReplyListener | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> Reply:
        """Add the prompt ``text`` (with its ``attachments``) to ``conv`` and start
        its reply.

        A reply still running in ``conv`` is stopped first (kept, interrupted).
        ``replace_from`` (edit-and-resend): the new prompt is a new version of that
        one, a branch from its parent; the old prompt and everything after it stay
        in the conversation as another branch (issue 13).
        The prompt and an empty reply marked interrupted are saved in one write
        before anything is sent, so a crash never loses the prompt nor leaves a
        reply that looks complete; the crash journal then holds the text as it
        arrives. ``listener`` hears of this reply only, besides the subscribers.
        """
        self.stop(conv.id)
        prompt = Message(role="user", content=text, attachments=list(attachments))
        branches.link(conv)
        if replace_from is not None and branches.find(conv, replace_from.id) is not None:
            conv.add_branch(replace_from.parent, prompt)
        else:
            conv.messages.append(prompt)
        if conv.title == DEFAULT_TITLE and not any(m.role == "user" for m in conv.messages[:-1]):
            conv.title = title_for(text or ", ".join(a.name for a in attachments))
        return self._start(conv, profile, model=model, listener=listener)

    def retry(
        self,
        conv: Conversation,
        profile: Profile,
        *,
        model: str | None = None,
        listener: ReplyListener | None = None,
        reply: Message | None = None,
    ) -> Reply | None:
        """Regenerate ``reply`` (default: the last message) as a new version beside
        it (issue 13): the active path then ends with the new reply. A reply without
        any text (failed or stopped before the first word) is replaced instead, as
        there is nothing to keep. None when there is no such reply to regenerate."""
        self.stop(conv.id)
        branches.link(conv)
        target = reply if reply is not None else (conv.messages[-1] if conv.messages else None)
        if target is None or target.role != "assistant" or target.parent is None:
            return None
        if branches.find(conv, target.id) is None:
            return None
        branches.set_active(conv, target.parent)
        if not target.content and target.id not in {m.parent for m in conv.off_path}:
            conv.off_path.remove(target)
        return self._start(conv, profile, model=model, listener=listener)

    def edit_and_resend(
        self, conv: Conversation, prompt: Message, text: str, profile: Profile
    ) -> Reply:
        """Send ``text`` as a new version of ``prompt`` (a branch beside it; the old
        one and its replies are kept), with the prompt's attachments."""
        return self.send(
            conv, text, profile, replace_from=prompt, attachments=list(prompt.attachments)
        )

    def stop(self, conv_id: str, *, lock_timeout: float | None = None) -> Reply | None:
        """Stop the reply running in ``conv_id`` now: its text is kept, marked
        interrupted and saved. Returns it (None if nothing was running)."""
        reply = self.running.get(conv_id)
        if reply is None:
            return None
        self._finish(reply, ReplyState.INTERRUPTED, None, lock_timeout=lock_timeout)
        return reply

    def stop_all(self, *, lock_timeout: float | None = None) -> list[Reply]:
        """Stop every running reply (quitting)."""
        return [
            reply
            for conv_id in list(self.running)
            if (reply := self.stop(conv_id, lock_timeout=lock_timeout)) is not None
        ]

    def delete(self, conv_id: str) -> None:
        """Stop its reply (saved first, so the trash holds it), then move the
        conversation to the trash. Nothing saves it again afterwards. Raises
        StoreError when the file cannot be moved (it then stays as it was)."""
        self.stop(conv_id)
        if self.store is not None:
            self.store.delete(conv_id)
        self.deleted.add(conv_id)
        self.unsaved.pop(conv_id, None)

    def restore(self, conv_id: str) -> None:
        """Bring ``conv_id`` back from the trash; it is saved again from now on.
        Raises StoreError when it cannot be restored."""
        if self.store is not None:
            self.store.restore(conv_id)
        self.deleted.discard(conv_id)

    def forget(self, conv_id: str) -> None:
        """The conversation is gone (deleted elsewhere): drop its reply unsaved."""
        reply = self.running.get(conv_id)
        self.deleted.add(conv_id)
        self.unsaved.pop(conv_id, None)
        if reply is not None:
            reply.discarded = True
            self._finish(reply, ReplyState.INTERRUPTED, None)

    async def aclose(self, timeout: float = 1.0) -> None:
        """Stop every reply and give their tasks ``timeout`` seconds to unwind."""
        replies = self.stop_all()
        tasks = [r.task for r in replies if r.task is not None and not r.task.done()]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)

    # -- one reply ---------------------------------------------------------------------

    def _start(
        self,
        conv: Conversation,
        profile: Profile,
        *,
        model: str | None,
        listener: ReplyListener | None,
    ) -> Reply:
        message = Message(role="assistant", content="", status="interrupted")
        request = build_request(conv, profile, model)  # before the empty reply is added
        conv.messages.append(message)
        conv.updated = utcnow()
        reply = Reply(conv=conv, message=message, profile=profile, model=model, listener=listener)
        self.running[conv.id] = reply
        self.deleted.discard(conv.id)
        self.save(conv)
        parent = conv.messages[-2].id if len(conv.messages) > 1 else None
        reply.journal = Journal(self.store, conv.id, message.id, parent=parent)
        self._emit("reply_state", reply)
        reply.task = asyncio.get_running_loop().create_task(
            self._run(reply, request), name=f"reply {conv.id}"
        )
        return reply

    def _emit(self, name: str, reply: Reply, *args: object) -> None:
        self.listeners.emit(name, reply, *args, extra=reply.listener)

    def _move(self, reply: Reply, state: ReplyState) -> None:
        if reply.state is state or not can_move(reply.state, state):
            return
        reply.state = state
        self._emit("reply_state", reply)

    def _scrub(self, text: str, reply: Reply) -> str:
        secrets = list(reply.profile.secrets())
        if self._secrets is not None:
            secrets.extend(self._secrets())
        return scrub(text, secrets)

    async def _run(self, reply: Reply, request: ChatRequest) -> None:
        from aichat_tui.client import AichatError  # imported on first use (start-up time)

        if reply.done:  # stopped before the task ever ran
            return
        reply.host = urlsplit(reply.profile.base_url).hostname or reply.profile.base_url
        self._move(reply, ReplyState.CONNECTING)
        sink = _Sink(self, reply)
        try:
            client = self.client_for(reply.profile)

            def retrying(error: Exception, wait: float, attempt: int) -> None:
                self._retrying(reply, client, error, wait, attempt)

            await consume(client, request, sink, retrying)
        except _Stopped:  # stopped from a listener, while the stream was feeding it
            return
        except asyncio.CancelledError:
            self._finish(reply, ReplyState.INTERRUPTED, None)
            raise
        except AichatError as exc:
            reply.exception = exc
            if not reply.raw_reasoning and exc.partial_reasoning:
                sink.reasoning(exc.partial_reasoning)
            if not reply.raw and exc.partial:
                sink.text(exc.partial)
            self._finish(reply, ReplyState.ERROR, self._scrub(str(exc), reply))
        except Exception as exc:  # a bug in a client must not lose the conversation
            reply.exception = exc
            self._finish(reply, ReplyState.ERROR, self._scrub(f"Unexpected error: {exc!r}", reply))
        else:
            self._finish(reply, ReplyState.COMPLETE, None)

    def _retrying(
        self, reply: Reply, client: ChatClient, error: Exception, wait: float, attempt: int
    ) -> None:
        retries = getattr(client, "retries", attempt)
        text = one_line(self._scrub(str(error), reply), 160)
        notice = f"{text} — retrying in {wait:.0f} s ({attempt}/{retries})"
        self._emit("reply_notice", reply, notice)

    def _finish(
        self,
        reply: Reply,
        state: ReplyState,
        error: str | None,
        *,
        lock_timeout: float | None = None,
    ) -> None:
        """End ``reply`` in ``state`` (idempotent): keep its text, save, tell."""
        if reply.done:
            return
        tail = reply.sanitizer.flush()
        if tail:
            reply.shown += tail
            self._emit("reply_text", reply, tail)
        if state is ReplyState.COMPLETE and not reply.raw and reply.tool_names is not None:
            # Only a tool call: no text to show, and nothing to send back later.
            from aichat_tui.client.chat import tool_call_notice
            from aichat_tui.client.events import ToolCallNotice

            state, error = ReplyState.ERROR, tool_call_notice(ToolCallNotice(reply.tool_names))
        reply.state = state
        reply.error = error
        message = reply.message
        message.content = reply.raw
        message.status = state.status
        message.error = error
        message.reasoning = reply.raw_reasoning
        message.usage = reply.usage
        message.finish_reason = _ending(reply, state)
        if self.running.get(reply.conv_id) is reply:
            del self.running[reply.conv_id]
        if reply.conv_id in self.deleted:
            reply.discarded = True
        saved = True
        if not reply.discarded:
            saved = self.save(reply.conv, lock_timeout=lock_timeout)
            if not saved:
                reply.save_error = "the conversation could not be saved"
        if reply.journal is not None:
            reply.journal.close(saved)
        task = reply.task
        if task is not None and not task.done() and task is not _current_task():
            task.cancel()  # a task that never ran is cancelled before its first step
        self._emit("reply_state", reply)
        self._emit("reply_finished", reply)
        reply._done.set()


def _ending(reply: Reply, state: ReplyState) -> str | None:
    """Why the reply ended, as saved on the message (see ``models.ENDINGS``)."""
    if state is ReplyState.INTERRUPTED:
        return "interrupted"
    if state is ReplyState.ERROR:
        return "tool_calls" if reply.tool_names is not None and not reply.raw else "error"
    return reply.finish_reason or "stop"


def _current_task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


class _Stopped(Exception):
    """Internal: the reply was stopped while its own stream was feeding it."""


class _Sink:
    """Takes the stream's pieces into one reply (see :mod:`.stream`)."""

    def __init__(self, engine: ChatEngine, reply: Reply) -> None:
        self.engine = engine
        self.reply = reply

    def text(self, chunk: str) -> None:
        reply = self.reply
        if reply.done:
            return
        self.engine._move(reply, ReplyState.STREAMING)
        if reply.thinking_started is not None and reply.thinking_ended is None:
            reply.thinking_ended = asyncio.get_running_loop().time()
        reply.raw += chunk
        if reply.journal is not None:
            reply.journal.update(reply.raw)
        piece = reply.sanitizer.feed(chunk)
        if piece:
            reply.shown += piece
            self.engine._emit("reply_text", reply, piece)
        if reply.done:
            raise _Stopped

    def reasoning(self, chunk: str) -> None:
        reply = self.reply
        if reply.done:
            return
        self.engine._move(reply, ReplyState.THINKING)
        if reply.thinking_started is None:
            reply.thinking_started = asyncio.get_running_loop().time()
        reply.raw_reasoning += chunk
        piece = reply.reasoning_sanitizer.feed(chunk)
        if piece:
            reply.reasoning += piece
            self.engine._emit("reply_reasoning", reply, piece)
        if reply.done:
            raise _Stopped

    def finish(self, reason: str | None) -> None:
        self.reply.finish_reason = reason

    def tool_calls(self, names: tuple[str, ...]) -> None:
        self.reply.tool_names = names

    def usage(self, usage: Usage) -> None:
        self.reply.usage = None if usage.is_empty() else usage
