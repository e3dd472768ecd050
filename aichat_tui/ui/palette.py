"""Command palette provider: fuzzy-switch sessions by title and content."""

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

    def _switch(self, conv_id: str) -> None:
        self.aichat.call_later(self.aichat.switch_session, conv_id)

    async def discover(self) -> Hits:
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
            yield Hit(0.3, display, partial(self._switch, hit.id), text=f"Session: {title}")
