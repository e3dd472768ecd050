"""Canned Markdown replies for the loopback server (demo mode, tests, benchmarks).

:func:`demo_reply` picks one of a few replies deterministically from the prompt
and opens with a short quote of it; :func:`sized_reply` builds a Markdown reply
of an exact length for benchmarks.
"""

from __future__ import annotations

import zlib

__all__ = ["DEMO_REPLIES", "demo_reply", "last_user_text", "sized_reply"]

DEMO_REPLIES: tuple[str, ...] = (
    """## A quick plan

Here is how I would approach it:

1. **Measure** first, so you know where the time goes.
2. *Change one thing* at a time.
3. Keep the tests green.

- Small steps are easier to review.
- Each step can be reverted on its own.

| Step | Effort | Risk |
|------|--------|------|
| Profile | low | none |
| Refactor | medium | low |
| Rewrite | high | high |

That's the short version.""",
    """## Reading a file in Python

Use a context manager so the file is always closed:

```python
from pathlib import Path

def count_lines(path: str) -> int:
    with Path(path).open(encoding="utf-8") as handle:
        return sum(1 for _ in handle)
```

The same idea in Rust:

```rust
use std::fs;

fn count_lines(path: &str) -> usize {
    fs::read_to_string(path).map(|s| s.lines().count()).unwrap_or(0)
}
```

Both read the whole file; for huge files, stream it instead.""",
    """### Shell one-liners

Find the ten largest files below the current folder:

```bash
du -ah . | sort -rh | head -n 10
```

> Tip: add `-x` to stay on one file system.

Useful variants:

- `du -sh *` -- size of each entry here
- `df -h` -- free space per file system
- `ncdu` -- an interactive viewer, if installed""",
    """## Comparing the options

| Option | Speed | Memory | Notes |
|--------|------:|-------:|-------|
| `list` | fast | low | ordered, duplicates allowed |
| `set` | faster lookups | medium | unordered, unique |
| `dict` | fast | medium | key -> value |

In short: use a **set** for membership tests, a **dict** for lookups by key,
and a **list** when order matters.

```json
{"choice": "set", "reason": "O(1) membership"}
```""",
    """# Hello!

I am the *aichat-tui* demo server: a real HTTP server on your machine that
streams canned answers, so you can try the interface without an account.

## What you can try

- Press the copy key on a code block.
- Open the conversation list and search it.
- Switch themes and watch this table follow:

| Key idea | Where |
|----------|-------|
| Streaming | the reply you are reading |
| Markdown | headings, lists, tables, code |

```toml
[profiles.demo]
kind = "openai"
base_url = "http://127.0.0.1:8765/v1"
```""",
)

_FILLER = (
    "Streaming text arrives in small pieces, and the interface keeps up with it "
    "while staying responsive to the keyboard. "
)


def last_user_text(messages: list[dict]) -> str:
    """The content of the last user message ("" if none); of a content-parts
    message, its text parts."""
    for message in reversed(messages):
        if message.get("role") == "user":
            content = message.get("content", "")
            if isinstance(content, list):
                return "\n\n".join(
                    str(p.get("text", "")) for p in content if isinstance(p, dict) and "text" in p
                )
            return str(content)
    return ""


def demo_reply(messages: list[dict]) -> str:
    """A canned Markdown reply chosen deterministically from the last prompt,
    opening with a short quote of it."""
    prompt = last_user_text(messages)
    body = DEMO_REPLIES[zlib.crc32(prompt.encode("utf-8")) % len(DEMO_REPLIES)]
    quote = " ".join(prompt.split())
    if len(quote) > 60:
        quote = quote[:59] + "…"
    if not quote:
        return body
    return f"> You said: {quote}\n\n{body}"


def sized_reply(chars: int) -> str:
    """A Markdown reply of exactly ``chars`` characters, made of whole canned
    blocks followed by a filler paragraph."""
    parts: list[str] = []
    size = 0
    index = 0
    while True:
        block = DEMO_REPLIES[index % len(DEMO_REPLIES)] + "\n\n"
        if size + len(block) > chars:
            break
        parts.append(block)
        size += len(block)
        index += 1
    rest = chars - size
    filler = (_FILLER * (rest // len(_FILLER) + 1))[:rest]
    return "".join(parts) + filler
