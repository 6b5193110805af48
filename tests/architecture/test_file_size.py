"""No source file over 400 lines: a module that says one thing reads in one sitting.

Counted over the files git tracks (or, outside a checkout, every file under the repository
but the virtualenv), written by us: Python, our JavaScript, templates and style sheets.
Vendored files (htmx's minified build, anything under a ``vendor`` folder of the browser
tests) and migrations, which Django writes, are left out.
"""
import subprocess
from fnmatch import fnmatch

from .layers import ROOT

LIMIT = 400
SOURCE = (".py", ".js", ".html", ".css")
NOT_OURS = ("*/migrations/*", "*.min.js", "tests/browser/vendor/*")
NOT_IN_REPO = (".venv/", ".git/", "var/", "build/", "node_modules/")  # what .gitignore keeps out


def tracked_files() -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
        return out.splitlines()
    except (OSError, subprocess.CalledProcessError):  # an exported tree without git: what .gitignore would leave
        found = (str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file())
        return [f for f in found if not f.startswith(NOT_IN_REPO)]


def our_sources() -> list[str]:
    return [f for f in tracked_files()
            if f.endswith(SOURCE) and not any(fnmatch(f, pattern) for pattern in NOT_OURS)
            and (ROOT / f).is_file()]


def test_the_rule_sees_our_files_and_leaves_vendored_ones():
    sources = our_sources()

    assert "nightstay/planner/check.py" in sources and "nightstay/static/nightstay/intake.js" in sources
    assert not any(f.endswith(".min.js") or "/migrations/" in f for f in sources)


def test_no_source_file_is_over_400_lines():
    lines = {f: len((ROOT / f).read_text(encoding="utf-8").splitlines()) for f in our_sources()}
    over = sorted((n, f) for f, n in lines.items() if n > LIMIT)

    assert not over, f"over {LIMIT} lines (split them into modules named for what they hold):\n" + "\n".join(
        f"  {f}: {n}" for n, f in reversed(over))
