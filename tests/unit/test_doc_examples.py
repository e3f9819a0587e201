"""Every ```python example in the docs runs, so the documentation can never rot.

The blocks of one page run in order in one namespace, like a reader typing them into one
session; each page starts from a fresh namespace.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted([*DOCS.glob("*.md"), *DOCS.glob("how-to/*.md")])

# An opening fence of exactly ```python at the start of a line, then everything up to the
# closing fence. Blocks fenced as ```console, ```text, ```mermaid... are not run.
_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """The ```python blocks of a Markdown text, each with the line its code starts on."""
    return [
        (text.count("\n", 0, match.start(1)) + 1, match.group(1)) for match in _BLOCK.finditer(text)
    ]


def run_page(page: Path) -> None:
    """Execute the ```python blocks of ``page`` in order in one fresh namespace."""
    namespace: dict[str, object] = {"__name__": "__doc_example__"}
    for line, code in python_blocks(page.read_text(encoding="utf-8")):
        # Pad with blank lines so a traceback points at the line in the Markdown file.
        source = "\n" * (line - 1) + code
        exec(compile(source, str(page), "exec"), namespace)


def _page_id(page: Path) -> str:
    return page.relative_to(DOCS).as_posix()


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_the_python_examples_of_a_page_run_in_order_in_one_namespace(page: Path) -> None:
    """Each ```python block of the page executes without error after the ones before it."""
    run_page(page)


@pytest.mark.parametrize(
    "name",
    [
        "index.md",
        "getting-started.md",
        "concepts.md",
        "how-to/custom-policy.md",
        "how-to/testing-with-the-in-memory-adapter.md",
    ],
)
def test_each_hand_written_page_has_examples_that_are_collected(name: str) -> None:
    """The pages with examples are found and their blocks recognised, so none is skipped."""
    page = DOCS / name
    assert page in PAGES
    assert python_blocks(page.read_text(encoding="utf-8"))


def test_the_block_finder_takes_only_python_fences_and_knows_their_lines() -> None:
    """Only ```python blocks are collected, with the line their code starts on."""
    text = "intro\n```python\nx = 1\n```\n\n```console\n$ ls\n```\n```python\ny = x\n```\n"
    assert python_blocks(text) == [(3, "x = 1\n"), (10, "y = x\n")]


def test_a_failing_example_points_at_its_line_in_the_page(tmp_path: Path) -> None:
    """An error in an example is reported with the Markdown file and line it comes from."""
    page = tmp_path / "broken.md"
    page.write_text("# Broken\n\n```python\nx = 1\nraise RuntimeError(x)\n```\n", encoding="utf-8")
    with pytest.raises(RuntimeError) as raised:
        run_page(page)
    frame = raised.traceback[-1]
    assert (Path(str(frame.path)), frame.lineno + 1) == (page, 5)


def test_the_readme_examples_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's ```python examples run as written (its database in a scratch directory)."""
    readme = ROOT / "README.md"
    assert len(python_blocks(readme.read_text(encoding="utf-8"))) >= 3
    monkeypatch.chdir(tmp_path)
    run_page(readme)
    assert (tmp_path / "hotel.db").exists()
