"""Notebook linter: every stored notebook follows the series skeleton and holds clean, executed outputs."""
import json
import re
from pathlib import Path

import pytest

from tools.series import drifted, load_manifest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SERIES = load_manifest()
PATHS = [NOTEBOOKS / e.file for e in SERIES]
TOPICS = PATHS[1:]
VOLATILE = re.compile(r"/work/|/home/|/root/|/tmp/|/Users/|[A-Z]:\\\\|site-packages|\b0x[0-9a-f]{6,}\b|"
                      r"\b20\d\d-\d\d-\d\d[ T]\d\d:\d\d")
MAX_TEXT_BYTES = 200_000
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def output_text(output: dict) -> str:
    parts = [output.get("text", ""), output.get("ename", ""), output.get("evalue", "")]
    for mime, value in output.get("data", {}).items():
        if not mime.startswith("image/"):
            parts.append(value if isinstance(value, str) else "".join(value) if isinstance(value, list)
                         else json.dumps(value))
    return "".join("".join(p) if isinstance(p, list) else p for p in parts)


def test_every_notebook_is_in_the_manifest_and_exists():
    on_disk = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert on_disk == [p.name for p in PATHS], "series.toml and notebooks/ list different notebooks"
    assert [e.part for e in SERIES[:15]] == [0] + [1] * 14, "Part I is notebooks 01-14, one per slide of the deck"
    assert all(e.part == 2 for e in SERIES[15:]), "Part II (beyond the deck) starts at 15"


def test_generated_navigation_and_tables_match_the_manifest():
    assert drifted(SERIES) == [], "run `make nav`: these files differ from what series.toml generates"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_stored_outputs_are_executed_clean_and_small(path):
    nb = load(path)
    # the kernelspec JupyterLab reports; any other display name is rewritten on open, and the notebook asks to be saved
    assert nb["metadata"]["kernelspec"] == {"display_name": "Python 3 (ipykernel)", "language": "python",
                                            "name": "python3"}, f"{path.name}: kernelspec must be ipykernel's python3"
    text_bytes = 0
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code" or not source(cell).strip():
            continue
        assert cell["execution_count"] is not None, f"{path.name}: code cell {i} was stored unexecuted"
        assert "sys.path" not in source(cell), f"{path.name}: cell {i} patches sys.path"
        for output in cell["outputs"]:
            assert output["output_type"] != "error", f"{path.name}: cell {i} stores an error output"
            text = output_text(output)
            text_bytes += len(text.encode())
            found = VOLATILE.search(text)
            assert not found, f"{path.name}: cell {i} output has a path, address or timestamp: {found.group()!r}"
            if output["output_type"] == "execute_result":
                assert not re.search(r"<(Figure|Axes|matplotlib)", text), \
                    f"{path.name}: cell {i} stores a plot object's repr (end plot cells with plt.show())"
    assert text_bytes <= MAX_TEXT_BYTES, f"{path.name}: {text_bytes:,} bytes of text output (cap {MAX_TEXT_BYTES:,})"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_links_resolve_and_cells_have_slide_metadata(path):
    nb = load(path)
    for i, cell in enumerate(nb["cells"]):
        slide = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        assert slide in SLIDE_TYPES, f"{path.name}: cell {i} has no valid slideshow.slide_type ({slide!r})"
        if cell["cell_type"] == "markdown":
            for target in re.findall(r"\]\(([^)#]+\.ipynb)\)", source(cell)):
                assert (NOTEBOOKS / target).exists(), f"{path.name}: cell {i} links to missing {target}"
    assert nb["cells"][0]["metadata"]["slideshow"]["slide_type"] == "slide", f"{path.name}: must open on a slide"


@pytest.mark.parametrize("path", TOPICS, ids=lambda p: p.name)
def test_topic_notebook_follows_the_skeleton(path):
    nb = load(path)
    cells = nb["cells"]
    number = int(path.name[:2])
    last_number = len(PATHS) - 1
    first, last = source(cells[0]), source(cells[-1])
    assert first.startswith(f"# {number:02d} · "), f"{path.name}: title must read '# {number:02d} · ...'"
    assert "**What you will learn**" in first, f"{path.name}: no 'What you will learn' in the title cell"
    assert re.search(r"\*Runs in [^*]+ on a laptop CPU\.\*", first), f"{path.name}: no measured run time"
    for where, text in (("top", first), ("bottom", last)):
        assert "[Index](00_index.ipynb)" in text, f"{path.name}: navigation line missing at the {where}"
        if number > 1:
            assert f"[← {number - 1:02d} " in text, f"{path.name}: no link to the previous notebook at the {where}"
        if number < last_number:
            assert f"[{number + 1:02d} " in text, f"{path.name}: no link to the next notebook at the {where}"
    code = [c for c in cells if c["cell_type"] == "code"]
    setup = source(code[0])
    assert re.search(r"^from helpers\.\w+ import", setup, re.M), f"{path.name}: first code cell must import helpers"
    assert "setup_notebook(" in setup, f"{path.name}: first code cell must call setup_notebook"
    headings = [source(c).splitlines()[0] for c in cells if c["cell_type"] == "markdown" and source(c)]
    assert "## Key takeaways" in headings, f"{path.name}: no '## Key takeaways' section"
    assert "## Exercises" in headings, f"{path.name}: no '## Exercises' section"
    after = [c for c in cells[[source(c).splitlines()[0] if source(c) else "" for c in cells].index("## Exercises"):]
             if c["cell_type"] == "code"]
    solutions = [c for c in after if c["metadata"].get("jupyter", {}).get("source_hidden")]
    assert len(solutions) >= 2, f"{path.name}: needs at least 2 exercises with collapsed solution cells"
    assert all(c["execution_count"] is not None for c in solutions), f"{path.name}: unexecuted solution"


FONT_SIZE = re.compile(r"\bfontsize\s*[=:]\s*(?:int\s*=\s*)?(\d+(?:\.\d+)?)")


@pytest.mark.parametrize("path", [*PATHS, NOTEBOOKS.parent / "helpers" / "plotting.py"], ids=lambda p: p.stem[:2])
def test_plot_text_is_readable_on_a_projector(path):
    """No label, legend or annotation below 10 pt (at 110 dpi, about 15 px on a 1280x720 slide)."""
    if path.suffix == ".py":
        code = path.read_text(encoding="utf-8")
    else:
        code = "\n".join(source(c) for c in load(path)["cells"] if c["cell_type"] == "code")
    small = [float(size) for size in FONT_SIZE.findall(code) if float(size) < 10]
    assert not small, f"{path.name}: font sizes {small} below 10 pt"
