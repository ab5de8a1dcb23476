"""The layer contract (pyproject.toml, [tool.importlinter]) is part of the test suite, not only of `make lint`:
an import that runs upward, say documents importing signatures, fails here too (decision 0042).

No database: import-linter reads the source files, it does not import them."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PYPROJECT = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(cwd: Path, *, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(pythonpath or cwd)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", "--config", str(PYPROJECT)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


def test_dependencies_run_one_way():
    run = _lint(ROOT)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def _contract() -> dict:
    (contract,) = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    return contract


def test_the_contract_refuses_an_upward_import(tmp_path):
    """The check is not vacuous: in a stand-in tree with every layer of the contract, the kernel importing the
    site shell breaks it, and a test module importing the same thing does not."""
    package = tmp_path / "dieuhanh"
    package.mkdir()
    (package / "__init__.py").write_text("")
    layers = [name.strip() for layer in _contract()["layers"] for name in layer.split("|")]
    assert {"kernel", "documents", "signatures", "site"} <= set(layers)
    for name in layers:
        (package / name).mkdir()
        (package / name / "__init__.py").write_text("")
    (package / "documents" / "services.py").write_text("import dieuhanh.kernel\n")  # downward: allowed
    (package / "documents" / "tests").mkdir()
    (package / "documents" / "tests" / "__init__.py").write_text("")
    (package / "documents" / "tests" / "test_x.py").write_text("import dieuhanh.signatures\n")  # tests: allowed
    run = _lint(tmp_path)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]

    (package / "documents" / "services.py").write_text("import dieuhanh.kernel\nimport dieuhanh.signatures\n")
    run = _lint(tmp_path)
    assert run.returncode == 1, run.stdout[-4000:] + run.stderr[-2000:]
    assert "dieuhanh.documents is not allowed to import dieuhanh.signatures" in run.stdout
