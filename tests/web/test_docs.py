"""The documents stay true: every test the threat model names exists, and what-we-hold.md
lists exactly the models and fields that carry data labels."""
import ast
import os
import re
from pathlib import Path

from nightstay.privacy.retention import labels_markdown

ROOT = Path(__file__).resolve().parents[2]
START = "<!-- written from the data labels by: WRITE_DOCS=1 .venv/bin/python -m pytest tests/web/test_docs.py -->"
END = "<!-- end of the data labels -->"


def defined_tests(path: Path) -> set[str]:
    """``name`` and ``Class::name`` of every test in a test file."""
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef):
            found.add(node.name)
        elif isinstance(node, ast.ClassDef):
            found |= {f"{node.name}::{f.name}" for f in node.body if isinstance(f, ast.FunctionDef)}
    return found


def test_every_test_the_threat_model_names_exists():
    text = (ROOT / "docs" / "threat-model.md").read_text()
    named = re.findall(r"(tests/[\w/]+\.py)::([\w:]+)", text)
    assert len(named) >= 20
    missing = [f"{path}::{name}" for path, name in named
               if not (ROOT / path).exists() or name not in defined_tests(ROOT / path)]
    assert not missing, f"docs/threat-model.md names tests that do not exist: {missing}"


def test_every_test_what_we_hold_names_exists():
    text = (ROOT / "docs" / "what-we-hold.md").read_text()
    named = re.findall(r"(tests/[\w/]+\.py)::([\w:]+)", text)
    missing = [f"{path}::{name}" for path, name in named
               if not (ROOT / path).exists() or name not in defined_tests(ROOT / path)]
    assert not missing, f"docs/what-we-hold.md names tests that do not exist: {missing}"


def test_the_threat_model_covers_every_seizure():
    text = (ROOT / "docs" / "threat-model.md").read_text()
    for heading in ("The server, between nights", "The server, during a night", "A database backup",
                    "A coordinator's phone", "A driver's phone", "An infiltrator signed up as a host",
                    "An infiltrator signed up as a driver", "An infiltrator signed up as a coordinator"):
        section = text.split(f"## {heading}", 1)
        assert len(section) == 2, heading
        body = section[1].split("\n## ", 1)[0]
        assert "**Surrenders**" in body and "**Shown by**" in body, heading


def listed(block: str) -> dict[str, dict[str, tuple[str, str]]]:
    """{model label: {field: (sensitivity, kept)}} as the page lists them."""
    found = {}
    for label, body in re.findall(r"### (\w+\.\w+)\n(.*?)(?=\n### |\Z)", block, re.S):
        found[label] = {name: (sens, kept) for name, sens, kept
                        in re.findall(r"^\| `(\w+)` \| (\w+) \| (\w+) \|", body, re.M)}
    return found


def test_what_we_hold_lists_every_model_and_field_as_labelled():
    """A model or field missing from the page, or one the page names that does not exist, fails."""
    path = ROOT / "docs" / "what-we-hold.md"
    text = path.read_text()
    head, rest = text.split(START + "\n", 1)
    written, tail = rest.split(END, 1)
    if os.environ.get("WRITE_DOCS") == "1":
        path.write_text(head + START + "\n" + labels_markdown() + END + tail)
        written = labels_markdown()
    assert listed(written) == listed(labels_markdown()), (
        "docs/what-we-hold.md differs from the models' data_labels; refresh it with "
        "WRITE_DOCS=1 .venv/bin/python -m pytest tests/web/test_docs.py and read the diff")


def test_what_we_hold_names_no_field_that_does_not_exist():
    from django.apps import apps

    text = (ROOT / "docs" / "what-we-hold.md").read_text().split(START, 1)[1]
    for label, fields in listed(text).items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.concrete_fields}
        assert set(fields) <= names, f"{label}: {set(fields) - names} in docs/what-we-hold.md do not exist"


def test_the_readme_keeps_the_two_commands_and_points_at_the_docs():
    text = (ROOT / "README.md").read_text()
    for needle in ("make run", "make test", "DATABASE_URL=postgres://", "make bench", "manage.py purge",
                   "docs/threat-model.md", "docs/what-we-hold.md", "nightstay plan", "nightstay check",
                   "nightstay demo-night"):
        assert needle in text, needle
