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


def test_the_threat_model_covers_every_seizure():
    text = (ROOT / "docs" / "threat-model.md").read_text()
    for heading in ("The server, between nights", "The server, during a night", "A database backup",
                    "A coordinator's phone", "A driver's phone", "An infiltrator signed up as a host",
                    "An infiltrator signed up as a driver", "An infiltrator signed up as a coordinator"):
        section = text.split(f"## {heading}", 1)
        assert len(section) == 2, heading
        body = section[1].split("\n## ", 1)[0]
        assert "**Surrenders**" in body and "**Shown by**" in body, heading


def test_what_we_hold_lists_every_model_and_field_as_labelled():
    path = ROOT / "docs" / "what-we-hold.md"
    text = path.read_text()
    head, rest = text.split(START + "\n", 1)
    written, tail = rest.split(END, 1)
    fresh = labels_markdown()
    if os.environ.get("WRITE_DOCS") == "1":
        path.write_text(head + START + "\n" + fresh + END + tail)
        written = fresh
    assert written == fresh, ("docs/what-we-hold.md differs from the models' data_labels; refresh it with "
                              "WRITE_DOCS=1 .venv/bin/python -m pytest tests/web/test_docs.py and read the diff")


def test_what_we_hold_names_no_field_that_does_not_exist():
    from django.apps import apps

    text = (ROOT / "docs" / "what-we-hold.md").read_text().split(START, 1)[1]
    for label, block in re.findall(r"### (\w+\.\w+)\n(.*?)(?=\n### |\Z)", text, re.S):
        model = apps.get_model(label)
        fields = {f.name for f in model._meta.concrete_fields}
        for name in re.findall(r"^\| `(\w+)` \|", block, re.M):
            assert name in fields, f"{label}.{name} in docs/what-we-hold.md does not exist"


def test_the_readme_keeps_the_two_commands_and_points_at_the_docs():
    text = (ROOT / "README.md").read_text()
    for needle in ("make run", "make test", "DATABASE_URL=postgres://", "make bench", "manage.py purge",
                   "docs/threat-model.md", "docs/what-we-hold.md", "nightstay plan", "nightstay check",
                   "nightstay demo-night"):
        assert needle in text, needle
