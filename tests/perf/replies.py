"""Deterministic, realistic markdown replies and conversations for the benchmarks.

A reply mixes what models really send: headings, paragraphs with inline code and
emphasis, bullet and numbered lists, fenced code blocks and tables. ``make_reply(n)``
returns exactly ``n`` characters and ends with ``END_MARKER`` so a screen scrape can
tell that the end of the reply has been drawn.
"""

from __future__ import annotations

import random

#: Last word of every generated reply (visible at the bottom once fully rendered).
END_MARKER = "ZQXENDOFREPLY"

#: Prompt format understood by tests/perf/server.py: the reply has N characters.
PROMPT_FORMAT = "bench reply {n}"

_WORDS = tuple(
    str.split(
        "the server returns a stream of chunks and the client appends each one to the last "
        "block of the transcript while the composer stays responsive for the next question "
        "latency matters more than throughput when a person is reading along with the model "
        "configuration lives in a small file with one profile per backend and a default theme "
        "errors are shown once with the host that failed and the partial reply is kept"
    )
)

_CODE = [
    "def fibonacci(n: int) -> list[int]:",
    '    """Return the first n Fibonacci numbers."""',
    "    out = [0, 1]",
    "    while len(out) < n:",
    "        out.append(out[-1] + out[-2])",
    "    return out[:n]",
    "",
    "async def fetch(client, url):",
    "    async with client.stream('GET', url) as response:",
    "        async for chunk in response.aiter_text():",
    "            yield chunk",
]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 18))]
    if rng.random() < 0.3:
        words[rng.randrange(len(words))] = "`value_" + str(rng.randint(1, 99)) + "`"
    if rng.random() < 0.2:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


#: One cycle of top-level blocks: mostly prose, with lists, code and a table,
#: about what a long assistant answer holds (a table every ~2,500 characters).
_CYCLE = ("h2", "p", "list", "p", "code", "p", "h3", "p", "list", "p", "table", "p")


def _block(rng: random.Random, index: int) -> str:
    kind = _CYCLE[index % len(_CYCLE)]
    if kind == "h2":
        return f"## Section {index // len(_CYCLE) + 1}: {rng.choice(_WORDS)} {rng.choice(_WORDS)}"
    if kind == "h3":
        return f"### {rng.choice(_WORDS).capitalize()} and {rng.choice(_WORDS)}"
    if kind == "p":
        return " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
    if kind == "list":
        return "\n".join(f"- {_sentence(rng)}" for _ in range(rng.randint(3, 5)))
    if kind == "code":
        start = rng.randrange(len(_CODE) - 5)
        body = "\n".join(_CODE[start : start + rng.randint(4, 6)])
        return f"```python\n{body}\n```"
    rows = [
        "| name | kind | size |",
        "| --- | --- | ---: |",
        *(
            f"| {rng.choice(_WORDS)} | {rng.choice(_WORDS)} | {rng.randint(1, 9999)} |"
            for _ in range(rng.randint(3, 5))
        ),
    ]
    return "\n".join(rows)


def make_reply(n: int, seed: int = 6) -> str:
    """A markdown reply of exactly ``n`` characters ending with ``END_MARKER``."""
    rng = random.Random(seed * 1_000_003 + n)
    tail = f"\n\nDone: {END_MARKER}"
    if n <= len(tail):
        return END_MARKER[:n]
    blocks: list[str] = []
    size = 0
    index = 0
    budget = n - len(tail)
    while True:
        block = _block(rng, index)
        index += 1
        extra = len(block) + (2 if blocks else 0)
        if size + extra > budget:
            break
        blocks.append(block)
        size += extra
    # Fill the remainder with a plain paragraph so the length is exact.
    missing = budget - size
    if missing > 2:
        filler = (_sentence(rng) + " ") * (missing // 20 + 2)
        blocks.append(filler[: missing - (2 if blocks else 0)].rstrip(" ") or "x")
        size = len("\n\n".join(blocks))
    text = "\n\n".join(blocks)
    text = text + " " * (budget - len(text))  # at most a few spaces of padding
    return (text + tail)[:n] if len(text) + len(tail) > n else text + tail


def parse_prompt(prompt: str) -> int | None:
    """The reply size requested by a benchmark prompt, or None."""
    prefix = PROMPT_FORMAT.split("{", 1)[0]
    prompt = prompt.strip()
    if not prompt.startswith(prefix):
        return None
    try:
        return int(prompt[len(prefix) :].split()[0])
    except (ValueError, IndexError):
        return None
