"""The rooms import one way (``data`` → ``metrics`` → ``report`` → ``render`` → ``run`` →
``cli``), and each room's ``__init__`` docstring says truly what it may import: every
``import`` in ``src/`` is read with ``ast``, including those inside functions."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "bpu_reports"
SHARED = {"errors", "period", "config", "outdir", "publish", "_version"}
FRONT = {"cli", "console_views", "__main__"}


def area(module: str) -> str:
    """The room or top-level module a dotted name belongs to (``bpu_reports.data.store`` →
    ``data``); the package itself is ``_version`` (it holds the version and re-exports)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "_version"


def module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """The ``bpu_reports`` modules ``path`` imports, at any depth of its code."""
    found: set[str] = set()
    module = module_of(path)
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package upwards
                package = module.split(".")
                if path.name != "__init__.py":
                    package = package[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, *([base] if base else [])])
            for alias in node.names:  # a submodule by name, else a name from ``base``
                name = f"{base}.{alias.name}"
                found.add(name if _is_module(name) else base)
    return {name for name in found if name.split(".")[0] == "bpu_reports"}


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def edges() -> set[tuple[str, str, str]]:
    """(importing area, imported area, file) for every import between two areas."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        source = area(module_of(path))
        for name in imported(path):
            target = area(name)
            if target != source:
                found.add((source, target, str(path.relative_to(PACKAGE))))
    return found


def claims(docstring: str) -> tuple[set[str], set[str]]:
    """What a room's docstring says it may import and never imports: the ````names```` of
    "it may import …, never …" ("the package version" is ``_version``)."""
    text = " ".join(docstring.split())
    match = re.search(r"it may import (.*?), never (.*)", text)
    assert match, f"no 'it may import …, never …' in {docstring!r}"
    allowed = set(re.findall(r"``(\w+)``", match.group(1)))
    if "the package version" in match.group(1):
        allowed.add("_version")
    return allowed, set(re.findall(r"``(\w+)``", match.group(2)))


def ladder() -> list[str]:
    """The rooms, lowest first, as the package's docstring lists them."""
    doc = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text("utf-8"))) or ""
    match = re.search(r"lowest first: ((?:``\w+``(?: → )?)+)", " ".join(doc.split()))
    assert match, "the package docstring lists no rooms"
    return re.findall(r"``(\w+)``", match.group(1))


ROOMS = ["data", "metrics", "report", "render", "run", "deliver"]


def test_the_package_docstring_lists_the_rooms_in_order():
    assert ladder() == [*ROOMS, "cli"]


def test_the_scan_sees_imports_inside_functions():
    """The command line imports its commands' rooms inside the commands (to start fast):
    the scan must see those, or every rule below would pass on nothing."""
    found = {(s, t) for s, t, _ in edges()}
    assert {("cli", "run"), ("cli", "data"), ("metrics", "publish")} <= found
    assert ("report", "metrics") in found and ("run", "render") in found


def test_no_room_imports_a_room_after_it():
    order = {room: i for i, room in enumerate(ladder())}
    order["console_views"] = order["cli"]
    upward = [
        f"{file}: {source} imports {target}"
        for source, target, file in edges()
        if source in order and target in order and order[target] > order[source]
    ]
    assert upward == []


def test_shared_modules_import_no_room_and_nothing_imports_the_command_line():
    wrong = [
        f"{file}: {source} imports {target}"
        for source, target, file in edges()
        if (source in SHARED and target not in SHARED) or (target in FRONT and source not in FRONT)
    ]
    assert wrong == []


@pytest.mark.parametrize("room", ROOMS)
def test_each_room_imports_what_its_init_says(room):
    doc = ast.get_docstring(ast.parse((PACKAGE / room / "__init__.py").read_text("utf-8")))
    allowed, never = claims(doc or "")
    later = ladder()[ladder().index(room) + 1 :]
    assert set(later) - {"cli"} <= never, "the docstring must name every later room"
    assert not allowed & never
    used = {target for source, target, _ in edges() if source == room}
    assert used <= allowed, f"{room} imports {sorted(used - allowed)} its docstring does not name"
    assert not used & never
