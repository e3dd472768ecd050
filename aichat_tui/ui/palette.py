"""Command palette provider: fuzzy-switch sessions by title and content, and jump
to any branch of the open conversation (issue 13)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from aichat_tui.sanitize import one_line

if TYPE_CHECKING:
    from aichat_tui.ui.app import AichatApp


def safe_highlight(matcher: Matcher, candidate: str) -> Content:
    """Like ``Matcher.highlight`` but for untrusted text: that one parses markup."""
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if not score:
        return content
    for offset in offsets:
        if not candidate[offset].isspace():
            content = content.stylize("bold underline", offset, offset + 1)
    return content


class SessionProvider(Provider):
    """Lists sessions; titles match fuzzily, contents through ``store.search``.

    Prompts are ``Content`` (never markup) and no ``help`` text is set, because
    the palette parses ``help`` as markup.
    """

    @property
    def aichat(self) -> AichatApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def _switch(
        self, conv_id: str, leaf_id: str | None = None, message_id: str | None = None
    ) -> None:
        self.aichat.call_later(self._open, conv_id, leaf_id, message_id)

    async def _open(self, conv_id: str, leaf_id: str | None, message_id: str | None) -> None:
        """Open the session (unless it is open), then the branch that matched."""
        workspace = self.aichat.workspace
        if workspace.conv is None or workspace.conv.id != conv_id:
            await self.aichat.switch_session(conv_id)
        if leaf_id is not None:
            await workspace.show_branch(leaf_id, message_id)

    def _branches(self) -> list[tuple[str, str, str]]:
        """(conversation id, leaf id, label) of the open conversation's branches."""
        from aichat_tui.ui.screens.workspace_branches import branch_labels

        try:
            conv = self.aichat.workspace.conv
        except LookupError:  # no workspace installed
            return []
        if conv is None or not conv.off_path:
            return []
        return [(conv.id, leaf, label) for leaf, label in branch_labels(conv)]

    async def discover(self) -> Hits:
        for conv_id, leaf_id, label in self._branches():
            yield DiscoveryHit(Content(label), partial(self._switch, conv_id, leaf_id), text=label)
        summaries = await asyncio.to_thread(self.aichat.store.list)
        for summary in summaries[:30]:
            title = one_line(summary.title, 80) or "Untitled"
            yield DiscoveryHit(
                Content(f"Session: {title}"),
                partial(self._switch, summary.id),
                text=f"Session: {title}",
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        store = self.aichat.store
        summaries = await asyncio.to_thread(store.list)
        seen: set[str] = set()
        for conv_id, leaf_id, label in self._branches():
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score,
                    safe_highlight(matcher, label),
                    partial(self._switch, conv_id, leaf_id),
                    text=label,
                )
        for summary in summaries:
            title = one_line(summary.title, 80) or "Untitled"
            score = matcher.match(title)
            if score > 0:
                seen.add(summary.id)
                yield Hit(
                    score,
                    Content("Session: ").append(safe_highlight(matcher, title)),
                    partial(self._switch, summary.id),
                    text=f"Session: {title}",
                )
        if len(query.strip()) < 2:
            return
        hits = await asyncio.to_thread(store.search, query, 20)
        for hit in hits:
            if hit.id in seen:
                continue
            title = one_line(hit.title, 60) or "Untitled"
            snippet = one_line(hit.snippet, 60)
            display = Content.assemble(Content(f"Session: {title}  "), (snippet, "dim"))
            # Content matches rank below title matches.
            if hit.branch is not None:
                display = display.append(Content(f"  (branch {hit.branch})"))
            # the branch that holds the match is the one opened
            action = partial(self._switch, hit.id, hit.leaf_id, hit.message_id)
            yield Hit(0.3, display, action, text=f"Session: {title}")
