"""docs/architecture.md names every installed app, every background job and every layer of the import contract
(issue 15): adding an app, a job or a layer without describing it fails here."""

import importlib
import pkgutil
import re
import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from huey.api import PeriodicTask, TaskWrapper
from huey.contrib.djhuey import HUEY

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _dieuhanh_apps() -> list[str]:
    """Installed apps of this project, by their short package name (``kernel``, ``notifications``, ...)."""
    return sorted(config.name.split(".", 1)[1] for config in apps.get_app_configs()
                  if config.name.startswith("dieuhanh."))


def _task_wrappers() -> dict[str, TaskWrapper]:
    """Every huey task the project defines, as ``app.module.function``.

    huey 3.5 has no public call that lists its registry, so every module of every installed dieuhanh app is
    imported (tests and migrations aside) and the task objects are found by type; the worker imports the
    ``jobs`` modules the same way (site/apps.py), and a task outside them is found too.
    """
    found: dict[str, TaskWrapper] = {}
    for app in _dieuhanh_apps():
        package = importlib.import_module(f"dieuhanh.{app}")
        modules = [package]
        for info in pkgutil.walk_packages(package.__path__, prefix=f"dieuhanh.{app}."):
            if re.search(r"\.(tests|migrations)(\.|$)", info.name):
                continue
            modules.append(importlib.import_module(info.name))
        for module in modules:
            for name, value in vars(module).items():
                # a task imported from another module is counted where it is defined
                if isinstance(value, TaskWrapper) and value.func.__module__ == module.__name__:
                    found[f"{module.__name__.removeprefix('dieuhanh.')}.{name}"] = value
    return found


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c["layers"] for c in contracts if c["type"] == "layers")


def test_every_installed_app_is_described():
    doc = _doc()
    missing = [app for app in _dieuhanh_apps()
               if f"`{app}`" not in doc and f"`dieuhanh.{app}`" not in doc]
    assert not missing, f"docs/architecture.md does not describe these installed apps: {missing}"


def test_the_task_finder_finds_the_known_jobs():
    # guards the test itself: a finder that found nothing would pass every check below
    tasks = _task_wrappers()
    assert "notifications.jobs.send_notification_mail" in tasks
    assert "documents.jobs.weekly_fixity_check" in tasks
    assert all(task.huey is HUEY for task in tasks.values())


def test_every_background_job_is_described():
    doc = _doc()
    missing = [name for name in _task_wrappers() if name not in doc]
    assert not missing, f"docs/architecture.md does not name these huey tasks: {missing}"


def test_every_periodic_job_is_in_the_jobs_table():
    section = re.search(r"^## Background jobs\n(.*?)(?=^## )", _doc(), re.S | re.M)
    assert section, "docs/architecture.md has no '## Background jobs' section"
    periodic = [name for name, task in _task_wrappers().items() if issubclass(task.task_class, PeriodicTask)]
    assert periodic, "no periodic task found; the finder is broken"
    missing = [name for name in periodic if f"`{name}`" not in section.group(1)]
    assert not missing, f"the Background jobs section does not list these periodic tasks: {missing}"


@pytest.mark.parametrize("layer", _layers())
def test_every_layer_of_the_contract_is_described(layer):
    doc = _doc()
    assert f"`{layer}`" in doc, f"docs/architecture.md does not name the layer `{layer}` of pyproject.toml"
    for package in (name.strip() for name in layer.split("|")):
        assert f"`{package}`" in doc or f"`dieuhanh.{package}`" in doc


def test_the_layers_table_lists_the_contract_high_to_low():
    # the table's first column, row by row, is the contract's list of layers, in its order
    section = re.search(r"^## Layers\n(.*?)(?=^## )", _doc(), re.S | re.M)
    assert section, "docs/architecture.md has no '## Layers' section"
    rows = re.findall(r"^\| `([^`]+)` \|", section.group(1), re.M)
    layers = _layers()
    assert rows == layers, f"docs/architecture.md's layers table: {rows}; pyproject.toml: {layers}"
