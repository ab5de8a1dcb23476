"""Function-level imports of dieuhanh modules say why they are not at the top of the module (issue 15).

An import inside a function hides a dependency from the reader and from the layer check's view of the module's
top. It stays only where a real cycle at import time forces it (models <-> services of one app, Django's app
loading: ``AppConfig.ready``, settings, job registration), and then a comment on its line or on the line just
above gives the reason (``# cycle: services imports models``). Found by walking the syntax tree of every module of
the package except tests and migrations; imports of third-party and standard modules are out of scope. A call of
``__import__`` or ``import_module`` with a literal dieuhanh module name counts as an import too: it hides the same
dependency, from the layer check as well.
"""

import ast
import io
import tokenize
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "dieuhanh"


def _modules() -> list[Path]:
    skip = {"tests", "migrations"}
    return [p for p in sorted((ROOT / PACKAGE).rglob("*.py")) if not skip & set(p.relative_to(ROOT).parts)]


def _comment_lines(source: str) -> tuple[set[int], set[int]]:
    """Lines that carry a comment, and lines that hold nothing but a comment."""
    with_comment, only_comment = set(), set()
    code_lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            with_comment.add(token.start[0])
        elif token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                                tokenize.ENDMARKER):
            code_lines.update(range(token.start[0], token.end[0] + 1))
    only_comment = with_comment - code_lines
    return with_comment, only_comment


def _of_the_package(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == PACKAGE
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == PACKAGE for alias in node.names)
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        target = node.args[0].value
        return name in ("__import__", "import_module") and isinstance(target, str) and (
            target.startswith(".") or target.split(".")[0] == PACKAGE)
    return False


def _function_imports(tree: ast.Module) -> Iterator[ast.stmt | ast.expr]:
    seen: set[int] = set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        for node in ast.walk(function):
            if id(node) not in seen and _of_the_package(node):
                seen.add(id(node))
                yield node


def unexplained(source: str, label: str) -> list[str]:
    """``label:line`` for every import of a dieuhanh module inside a function with no comment giving a reason."""
    with_comment, only_comment = _comment_lines(source)
    found = []
    for node in _function_imports(ast.parse(source)):
        statement = set(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        if statement & with_comment or node.lineno - 1 in only_comment:
            continue
        found.append((node.lineno, f"{label}:{node.lineno} {ast.unparse(node)}"))
    return [what for _, what in sorted(found)]


def function_imports(source: str) -> int:
    """How many imports of dieuhanh modules sit inside functions, explained or not."""
    return sum(1 for _ in _function_imports(ast.parse(source)))


def test_the_checker_wants_a_reason_on_the_line_or_just_above():
    source = "\n".join([
        "from dieuhanh.documents import models",                    # 1 top of the module: fine
        "def f():",                                                 # 2
        "    from dieuhanh.documents.services import attach",       # 3 no reason
        "    from .models import Document  # cycle: models",        # 4 reason on the line
        "    # cycle: services imports models",                     # 5
        "    from . import services",                               # 6 reason just above
        "    import dieuhanh.units.selectors",                      # 7 the line above is code, not a comment
        "    import json",                                          # 8 standard library: out of scope
        "    from ocrmypdf import ocr",                             # 9 third party: out of scope
        "    x = 1  # a comment about x",                           # 10
        "    from ..units import selectors",                        # 11 a comment after code above is not a reason
        "class C:",                                                 # 12
        "    def m(self):",                                         # 13
        "        def inner():",                                     # 14
        "            from dieuhanh.kernel import (",                # 15 nested, over several lines
        "                text,",                                    # 16
        "            )",                                            # 17
        "        from dieuhanh.kernel import (  # app loading",     # 18 reason inside the statement
        "            zones,",                                       # 19
        "        )",                                                # 20
        "def g():",                                                 # 21
        "    return __import__('dieuhanh.records.api').x",          # 22 the same import, hidden
        "def h():",                                                 # 23
        "    importlib.import_module('dieuhanh.reorg.api')",        # 24
        "    importlib.import_module('json')",                      # 25 standard library: out of scope
    ])
    found = unexplained(source, "x.py")
    assert [line.split(" ")[0] for line in found] == ["x.py:3", "x.py:7", "x.py:11", "x.py:15", "x.py:22", "x.py:24"]
    assert function_imports(source) == 9


def test_every_function_level_import_of_the_package_gives_its_reason():
    found = []
    for path in _modules():
        found += unexplained(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, (
        f"{len(found)} imports of dieuhanh modules inside functions without a reason: hoist them to the top of "
        "the module, or say on the line (or just above) which import cycle keeps them there:\n" + "\n".join(found))
