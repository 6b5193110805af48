"""The apps import one way only, in the order of the night, and docs/architecture.md says so.

A failure prints the whole import graph between apps, the cycle or backward import first.
"""
import re
from pathlib import Path

from django.conf import settings

from .layers import FREE, ORDER, ROOT, graph


def test_imports_run_one_way_and_the_planner_is_a_leaf():
    found = graph()
    assert found.clean(), "\n" + found.report()


def test_a_backward_import_is_caught(tmp_path: Path):
    """The check itself: privacy reaching up to figures, in a function, is a backward import and a cycle."""
    for app, body in {"privacy": "def purge():\n    from nightstay.figures.models import NightFigures\n",
                      "figures": "from nightstay.privacy.labels import label\n", "planner": "import django\n"}.items():
        (tmp_path / "nightstay" / app).mkdir(parents=True)
        (tmp_path / "nightstay" / app / "__init__.py").write_text("")
        (tmp_path / "nightstay" / app / "models.py").write_text(body)
    found = graph(tmp_path)
    assert not found.clean()
    assert found.backward() == ["privacy -> figures (nightstay/privacy/models.py)"]
    assert found.cycles() == [["figures", "privacy"]]
    assert found.planner_bad == ["nightstay/planner/models.py imports django"]


def test_every_package_has_its_place_in_the_order():
    assert set(graph().packages) == set(ORDER) | FREE | {"planner"}


def test_installed_apps_follow_the_order():
    ours = [app.removeprefix("nightstay.") for app in settings.INSTALLED_APPS if app.startswith("nightstay.")]
    assert ours == ORDER + ["demo"]


def test_the_architecture_page_names_every_app_in_the_order():
    text = (ROOT / "docs" / "architecture.md").read_text()
    assert " → ".join(ORDER) in text
    for app in ORDER + sorted(FREE) + ["planner"]:
        assert f"- `{app}`:" in text, f"docs/architecture.md has no line for {app}"
    for path in set(re.findall(r"`((?:nightstay/)?\w+/\w+\.py)`", text)):
        where = ROOT / path if path.startswith("nightstay/") else ROOT / "nightstay" / path
        assert where.exists(), f"docs/architecture.md names {path}, which does not exist"
