"""A small but realistic ChatGPT ``conversations.json``, shaped like a real export:
a hidden system root, an edited question (two branches), a regenerated answer, a
code-interpreter round trip, an image upload and custom-instruction context."""

from __future__ import annotations

from typing import Any

T0 = 1_732_000_000.0  # 2024-11-19


def _node(
    node_id: str,
    parent: str | None,
    children: list[str],
    role: str | None = None,
    text: Any = None,
    *,
    ctype: str = "text",
    t: float = 0.0,
    recipient: str = "all",
    hidden: bool = False,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    message = None
    if role is not None:
        content: dict[str, Any] = {"content_type": ctype}
        if ctype == "code" or ctype == "execution_output":
            content["text"] = text
        elif ctype == "user_editable_context":
            content["user_profile"] = text
        else:
            content["parts"] = text if isinstance(text, list) else [text]
        message = {
            "id": node_id,
            "author": {"role": role, "name": None, "metadata": {}},
            "create_time": T0 + t if t else None,
            "update_time": None,
            "content": content,
            "status": "finished_successfully",
            "end_turn": role == "assistant",
            "weight": 1.0,
            "metadata": {"is_visually_hidden_from_conversation": True} if hidden else {},
            "recipient": recipient,
            **(extra or {}),
        }
    return {"id": node_id, "message": message, "parent": parent, "children": children}


def conversations() -> list[dict[str, Any]]:
    """Two conversations; the first has branches and tool use."""
    a = {
        "client-root": _node("client-root", None, ["sys"]),
        "sys": _node("sys", "client-root", ["ctx"], "system", "", hidden=True),
        "ctx": _node(
            "ctx",
            "sys",
            ["u1"],
            "user",
            "I am a Python developer.",
            ctype="user_editable_context",
            hidden=True,
        ),
        "u1": _node("u1", "ctx", ["a1"], "user", "How do I reverse a list?", t=10),
        "a1": _node(
            "a1",
            "u1",
            ["u2-old", "u2-new"],
            "assistant",
            "Use `items[::-1]` or `items.reverse()`.",
            t=12,
        ),
        # The user edited the second question: two branches; the new one is current.
        "u2-old": _node("u2-old", "a1", ["a2-old"], "user", "And a tuple?", t=20),
        "a2-old": _node("a2-old", "u2-old", [], "assistant", "Tuples: `t[::-1]`.", t=22),
        "u2-new": _node(
            "u2-new",
            "a1",
            ["a2-first", "a2-regen"],
            "user",
            "Show me timing for a million items.",
            t=30,
        ),
        # The answer was regenerated: the second child is the one shown.
        "a2-first": _node("a2-first", "u2-new", [], "assistant", "First attempt.", t=32),
        "a2-regen": _node("a2-regen", "u2-new", ["code"], "assistant", "Let me measure it.", t=34),
        "code": _node(
            "code",
            "a2-regen",
            ["out"],
            "assistant",
            "import timeit\n...",
            ctype="code",
            recipient="python",
            t=35,
        ),
        "out": _node("out", "code", ["a3"], "tool", "0.0031", ctype="execution_output", t=36),
        "a3": _node("a3", "out", ["u4"], "assistant", "Slicing took **3.1 ms**.", t=37),
        "u4": _node(
            "u4",
            "a3",
            ["a4"],
            "user",
            [
                {
                    "content_type": "image_asset_pointer",
                    "asset_pointer": "file-service://x",
                    "width": 10,
                    "height": 10,
                },
                "What is in this chart?",
            ],
            ctype="multimodal_text",
            t=40,
        ),
        "a4": _node("a4", "u4", [], "assistant", "A bar chart of timings.", t=42),
    }
    b = {
        "root-b": _node("root-b", None, ["b1"]),
        "b1": _node("b1", "root-b", ["b2"], "user", "Say hi", t=100),
        "b2": _node("b2", "b1", [], "assistant", "Hi! [/] [@click=app.quit]x[/]", t=101),
    }
    return [
        {
            "title": "Reversing lists",
            "create_time": T0,
            "update_time": T0 + 42,
            "mapping": a,
            "moderation_results": [],
            "current_node": "a4",
            "plugin_ids": None,
            "conversation_id": "6740aaaa-0000-0000-0000-000000000001",
            "conversation_template_id": None,
            "gizmo_id": None,
            "is_archived": False,
            "safe_urls": [],
            "default_model_slug": "gpt-4o",
            "id": "6740aaaa-0000-0000-0000-000000000001",
        },
        {
            "title": "Greeting",
            "create_time": T0 + 100,
            "update_time": T0 + 101,
            "mapping": b,
            "moderation_results": [],
            "current_node": "b2",
            "plugin_ids": None,
            "conversation_id": "6740bbbb-0000-0000-0000-000000000002",
            "conversation_template_id": None,
            "gizmo_id": None,
            "id": "6740bbbb-0000-0000-0000-000000000002",
        },
    ]


EXPECTED_A = [
    ("user", "How do I reverse a list?"),
    ("assistant", "Use `items[::-1]` or `items.reverse()`."),
    ("user", "Show me timing for a million items."),
    ("assistant", "Let me measure it.\n\nSlicing took **3.1 ms**."),
    ("user", "What is in this chart?"),
    ("assistant", "A bar chart of timings."),
]
