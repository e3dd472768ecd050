"""The layer rules, checked statically over every module's imports.

    __main__ > cli > commands | provider > ui > engine > client | store > models | sanitize

``sync/`` stands beside ``engine`` (siblings); ``attachments/`` and ``branches.py``
count as part of ``models``.

A module may import only from layers below its own (and from the package root,
which holds ``__version__``). Layers written ``a | b`` are siblings and never
import each other: the client and the store know nothing of one another; so do
models and sanitize. ``provider`` (the original ``Aichat`` with stored cookies)
joins client and store for library users, at the level of ``commands``.
``loopback/`` is the test and demo server: it stands on models and sanitize only,
and only the commands (``--demo``) and ``cli`` may import it — never the client,
store, engine or UI that it is there to test.

Every import statement counts: top-level, deferred inside functions, under
``TYPE_CHECKING``, relative, and ``importlib.import_module("aichat_tui....")``
with a literal (or f-string) name.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "aichat_tui"

RANK = {
    "cli": 6,
    "__main__": 7,  # ``python -m aichat_tui``: runs the cli
    "commands": 5,
    "provider": 5,
    "ui": 4,
    "engine": 3,
    "sync": 3,  # git sync of the data folder: on the store; the UI and commands call it
    "client": 2,
    "store": 2,
    "loopback": 2,
    "models": 1,
    "sanitize": 1,
}
# Packages that belong to another layer. attachments/ (an attachment's reading and
# wire form) and branches.py (message versions) are part of the models layer:
# models defers to them, and they build on Message and Conversation.
PART_OF = {"attachments": "models", "branches": "models"}
ONLY_IMPORTED_BY = {"loopback": {"commands", "cli", "__main__"}}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append((".".join(parts), path))
    return found


def layer_of(module: str) -> str | None:
    """The layer a dotted ``aichat_tui`` module belongs to (None: the package root)."""
    parts = module.split(".")
    return PART_OF.get(parts[1], parts[1]) if len(parts) > 1 else None


def imported_modules(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every ``aichat_tui`` import in the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            target = importlib.util.resolve_name(base, package) if node.level else base
            names = [target]
            # ``from aichat_tui import store`` imports the subpackage.
            names += [f"{target}.{alias.name}" for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
        ):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names = [arg.value]
            elif isinstance(arg, ast.JoinedStr) and arg.values:
                head = arg.values[0]
                if isinstance(head, ast.Constant) and isinstance(head.value, str):
                    names = [head.value.rstrip(".")]
        found += [(node.lineno, n) for n in names if n.split(".")[0] == "aichat_tui"]
    return found


def violations() -> list[str]:
    """Every import that breaks a layer rule, as ``file:line: a -> b``."""
    problems: dict[tuple[Path, int, str], str] = {}
    for module, path in _modules():
        source = layer_of(module)
        if source is None:
            continue  # the package root imports nothing of ours (checked below)
        assert source in RANK, (
            f"{module}: a layer the rules do not know: give it a rank in RANK "
            "(or PART_OF) in tests/test_layers.py"
        )
        for line, target in imported_modules(module, path):
            dest = layer_of(target)
            if dest is None or dest == source:
                continue
            if dest not in RANK:  # e.g. ``from aichat_tui import __version__``
                continue
            allowed = RANK[dest] < RANK[source]
            if dest in ONLY_IMPORTED_BY and source not in ONLY_IMPORTED_BY[dest]:
                allowed = False
            if not allowed:
                where = path.relative_to(PACKAGE.parent)
                problems.setdefault(
                    (where, line, dest), f"{where}:{line}: {source} -> {dest} ({target})"
                )
    return list(problems.values())


def test_no_layer_imports_a_higher_or_sibling_layer() -> None:
    assert violations() == []


def test_package_root_imports_nothing_of_ours() -> None:
    root = PACKAGE / "__init__.py"
    assert imported_modules("aichat_tui", root) == []


@pytest.mark.parametrize(
    ("layer", "code", "expected"),
    [
        ("client", "from aichat_tui.store import load_settings", "client -> store"),
        ("store", "def f():\n    from aichat_tui.client import chat\n", "store -> client"),
        ("engine", "import aichat_tui.ui.app", "engine -> ui"),
        ("models", "from aichat_tui import sanitize", "models -> sanitize"),
        ("ui", "from aichat_tui.loopback import LoopbackServer", "ui -> loopback"),
        ("loopback", "from ..client import chat", "loopback -> client"),
        ("commands", "importlib.import_module(f'aichat_tui.cli.{x}')", "commands -> cli"),
    ],
)
def test_the_checker_catches(tmp_path, monkeypatch, layer, code, expected) -> None:
    """The rule is not vacuous: a planted bad import, of each kind, is reported."""
    fake = tmp_path / "aichat_tui"
    (fake / layer).mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / layer / "__init__.py").write_text("")
    (fake / layer / "bad.py").write_text("import importlib\n" + code + "\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "PACKAGE", fake)
    found = violations()
    assert len(found) == 1 and expected in found[0], found
