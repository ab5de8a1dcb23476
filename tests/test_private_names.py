"""No module imports another dieuhanh module's underscore names (issue 15): what an app offers to others has a
public name, so a reader can tell its interface from its internals.

Found by walking the syntax tree of every module of the package and of the tests: ``from dieuhanh.x import _y``
(with or without ``as``, relative imports resolved); ``m._y`` where ``m`` is a name bound to an imported dieuhanh
module (``from dieuhanh.x import m``, ``import dieuhanh.x.m as m``, ``from . import m``, or the dotted
``dieuhanh.x.m._y``); and the same reach spelt as strings, ``monkeypatch.setattr(m, "_y", ...)``,
``getattr(m, "_y")`` or ``mock.patch("dieuhanh.x._y")``. Dunder names (``__name__``, ``__version__``) are not
private; a module may use its own underscore names; the private names of Django and other libraries are out of
scope.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "dieuhanh"


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_name(path: Path) -> tuple[str, bool]:
    """Dotted name of a file under ROOT, and whether it is a package's ``__init__``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _project_files() -> list[Path]:
    files = sorted((ROOT / PACKAGE).rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    files += [p for p in [ROOT / "conftest.py"] if p.exists()]
    return files


def _known_modules() -> set[str]:
    """Every module and package of dieuhanh, by dotted name (to tell a module from a class or function)."""
    return {_module_name(p)[0] for p in (ROOT / PACKAGE).rglob("*.py")}


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module an ``from ... import`` reads from."""
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]  # a module's "." is its package
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


def private_uses(source: str, module: str, is_package: bool, known: set[str], label: str) -> list[str]:
    """``label:line what`` for every use of another dieuhanh module's underscore name in ``source``, by line."""
    found = sorted(_uses(ast.parse(source), module, is_package, known), key=lambda use: use[0])
    return [f"{label}:{line} {what}" for line, what in found]


def _uses(tree: ast.Module, module: str, is_package: bool, known: set[str]) -> Iterator[tuple[int, str]]:
    bound: dict[str, str] = {}  # local name -> the dieuhanh module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != PACKAGE:
                    continue
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:  # `import dieuhanh.a.b` binds `dieuhanh`; the dotted chain is resolved below
                    bound[PACKAGE] = PACKAGE
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, module, is_package)
            if base.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:
                if _is_private(alias.name) and base != module:
                    yield node.lineno, f"from {base} import {alias.name}"
                elif f"{base}.{alias.name}" in known:
                    bound[alias.asname or alias.name] = f"{base}.{alias.name}"

    def other_module(expr: ast.expr) -> str | None:
        """The dieuhanh module (other than this one) that ``expr`` names through an imported name, else None."""
        chain = _dotted(expr)
        head, _, rest = (chain or "").partition(".")
        if head not in bound:
            return None
        target = bound[head] + (f".{rest}" if rest else "")
        return target if target in known and target != module else None

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            target = other_module(node.value)
            if target:
                yield node.lineno, f"{_dotted(node.value)}.{node.attr} ({target}.{node.attr})"
        elif isinstance(node, ast.Call) and len(node.args) >= 2 and _is_attribute_call(node.func):
            name = node.args[1]
            if isinstance(name, ast.Constant) and isinstance(name.value, str) and _is_private(name.value):
                target = other_module(node.args[0])
                if target:
                    yield node.lineno, f"{_dotted(node.func)}(..., {name.value!r}) ({target}.{name.value})"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            target, _, name = node.value.rpartition(".")
            if name.isidentifier() and _is_private(name) and target in known and target != module:
                yield node.lineno, f"{node.value!r} ({node.value})"


def _is_attribute_call(func: ast.expr) -> bool:
    """``getattr``/``setattr``/``hasattr``/``delattr``, bare or as a method (``monkeypatch.setattr``)."""
    names = {"getattr", "setattr", "hasattr", "delattr"}
    return (isinstance(func, ast.Name) and func.id in names) or (isinstance(func, ast.Attribute)
                                                                and func.attr in names)


def test_the_checker_finds_both_forms_and_nothing_else():
    known = {"dieuhanh", "dieuhanh.documents", "dieuhanh.documents.services", "dieuhanh.drafting",
             "dieuhanh.drafting.services", "dieuhanh.drafting.models"}
    source = "\n".join([
        "from dieuhanh.documents.services import _attach, attach",             # 1 private from-import
        "from dieuhanh.documents.services import _blobs as blobs",             # 2 private, renamed
        "from ..documents import services",                                     # 3
        "services._recipients(1)",                                              # 4 attribute of a module
        "import dieuhanh.documents.services as ds",                             # 5
        "ds._document_type",                                                    # 6 attribute of an alias
        "import dieuhanh.documents.services",                                   # 7
        "dieuhanh.documents.services._set_status  # the dotted chain",          # 8
        "from . import models",                                                 # 9
        "models._private",                                                      # 10 a sibling module
        "from .services import _own",                                           # 11 the module itself: fine
        "from django.db import _private_django",                                # 12 third party: out of scope
        "from dieuhanh.drafting.models import Draft",                           # 13
        "Draft._meta, Draft.objects._hints",                                    # 14 a class, not a module
        "services.__name__, ds.__doc__",                                        # 15 dunders are public
        "def f(): from dieuhanh.documents.services import _lazy",               # 16 inside a function too
        "monkeypatch.setattr(services, '_trace', None)",                        # 17 spelt as a string
        "getattr(ds, '_x'), getattr(Draft, '_y'), setattr(ds, 'public', 1)",   # 18 one of three
        "mock.patch('dieuhanh.documents.services._blobs')",                     # 19 a dotted path
        "mock.patch('dieuhanh.drafting.services._own'), 'dieuhanh.x._y'",       # 20 itself; not a module
    ])
    found = private_uses(source, "dieuhanh.drafting.services", False, known, "x.py")
    assert [line.split(" ")[0] for line in found] == [
        "x.py:1", "x.py:2", "x.py:4", "x.py:6", "x.py:8", "x.py:10", "x.py:16", "x.py:17", "x.py:18", "x.py:19"]


def test_the_checker_resolves_relative_imports_in_a_package_init():
    known = {"dieuhanh", "dieuhanh.reorg", "dieuhanh.reorg.services"}
    source = "from . import services\nservices._open_entries\nfrom .services import _helper\n"
    found = private_uses(source, "dieuhanh.reorg", True, known, "i.py")
    assert found == ["i.py:2 services._open_entries (dieuhanh.reorg.services._open_entries)",
                     "i.py:3 from dieuhanh.reorg.services import _helper"]


def test_no_module_uses_another_modules_underscore_names():
    known = _known_modules()
    found = []
    for path in _project_files():
        module, is_package = _module_name(path)
        label = str(path.relative_to(ROOT))
        found += private_uses(path.read_text(encoding="utf-8"), module, is_package, known, label)
    assert not found, f"{len(found)} uses of another module's underscore names:\n" + "\n".join(found)
