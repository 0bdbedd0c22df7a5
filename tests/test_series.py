"""Tests for tools/series.py: the manifest, the navigation it generates, and drift detection."""
import json

import pytest

from tools import series
from tools.series import BEGIN, END, Entry


def entries(n: int = 4) -> list[Entry]:
    rows = [Entry(0, "00_index.ipynb", "Index", "the map", 0, 3.0)]
    rows += [Entry(i, f"{i:02d}_topic{i}.ipynb", f"Topic {i}", f"about {i}", 1 if i < 3 else 2, 7.2 * i)
             for i in range(1, n)]
    return rows


def test_nav_line_links_previous_index_and_next():
    e = entries()
    assert series.nav_line(e, 0) == "[01 Topic 1 →](01_topic1.ipynb)"
    assert series.nav_line(e, 1) == "[Index](00_index.ipynb) · [02 Topic 2 →](02_topic2.ipynb)"
    assert series.nav_line(e, 2) == ("[← 01 Topic 1](01_topic1.ipynb) · [Index](00_index.ipynb) · "
                                     "[03 Topic 3 →](03_topic3.ipynb)")
    assert series.nav_line(e, 3) == "[← 02 Topic 2](02_topic2.ipynb) · [Index](00_index.ipynb)"


def test_table_has_one_section_per_part_with_every_notebook():
    text = series.table(entries(), prefix="notebooks/")
    assert text.startswith(BEGIN) and text.endswith(END)
    part1, part2 = text.index(series.PARTS[1]), text.index(series.PARTS[2])
    assert part1 < text.index("| 01 | [Topic 1](notebooks/01_topic1.ipynb) | about 1 |") < part2
    assert text.index("| 03 | [Topic 3](notebooks/03_topic3.ipynb) | about 3 |") > part2
    assert "00_index" not in text


def test_runtime_text_rounds_up_to_five_seconds():
    assert Entry(1, "01_a.ipynb", "A", "", 1, 0.4).runtime_text == "*Runs in about 5 s on a laptop CPU.*"
    assert Entry(1, "01_a.ipynb", "A", "", 1, 21.3).runtime_text == "*Runs in about 25 s on a laptop CPU.*"
    assert Entry(1, "01_a.ipynb", "A", "", 1, 25.0).runtime_text == "*Runs in about 25 s on a laptop CPU.*"


def test_manifest_rejects_gaps_and_bad_parts(tmp_path):
    path = tmp_path / "series.toml"
    row = '[[notebook]]\nnumber = {n}\nfile = "{f}"\ntitle = "t"\nsummary = "s"\npart = {p}\nruntime_s = 1.0\n'
    path.write_text(row.format(n=0, f="00_index.ipynb", p=0) + row.format(n=2, f="02_b.ipynb", p=1))
    with pytest.raises(ValueError, match="numbers must run 0, 1, 2"):
        series.load_manifest(path)
    path.write_text(row.format(n=0, f="00_index.ipynb", p=0) + row.format(n=1, f="01_b.ipynb", p=7))
    with pytest.raises(ValueError, match="part 7"):
        series.load_manifest(path)


def notebook(first: str, last: str) -> dict:
    cell = {"cell_type": "markdown", "metadata": {"slideshow": {"slide_type": "slide"}}}
    return {"cells": [{**cell, "source": first}, {**cell, "source": last}], "metadata": {},
            "nbformat": 4, "nbformat_minor": 4}


@pytest.fixture
def tiny_series(tmp_path, monkeypatch):
    """Three notebooks and a README in a temporary folder, all generated in sync with the manifest."""
    e = entries(3)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.setattr(series, "NOTEBOOKS", tmp_path / "notebooks")
    monkeypatch.setattr(series, "README", tmp_path / "README.md")
    (tmp_path / "README.md").write_text(f"# Title\n\n{BEGIN}\n{END}\n\nmore\n")
    index = notebook("# Series\nintro\n\nnav", f"## Map\n{BEGIN}\n{END}\n\nnav")
    index["cells"].insert(1, {"cell_type": "markdown", "metadata": {}, "source": f"{BEGIN}\n{END}"})
    (tmp_path / "notebooks" / e[0].file).write_text(json.dumps(index))
    for x in e[1:]:
        text = notebook(f"# {x.number:02d} · old title\nold nav\n\n*Runs in about 99 s on a laptop CPU.*", "old nav")
        (tmp_path / "notebooks" / x.file).write_text(json.dumps(text))
    for path, text in series.generated_files(e).items():
        path.write_text(text)
    return tmp_path, e


def test_generated_files_carry_titles_navigation_runtime_and_tables(tiny_series):
    root, e = tiny_series
    assert series.drifted(e) == []
    nb = json.loads((root / "notebooks" / e[2].file).read_text())
    first = series.source(nb["cells"][0])
    assert first.splitlines()[:2] == ["# 02 · Topic 2", series.nav_line(e, 2)]
    assert "*Runs in about 15 s on a laptop CPU.*" in first
    assert series.source(nb["cells"][-1]) == series.nav_line(e, 2)
    readme = (root / "README.md").read_text()
    assert "[Topic 1](notebooks/01_topic1.ipynb)" in readme and readme.endswith("more\n")


def test_drift_is_reported_per_file(tiny_series):
    root, e = tiny_series
    path = root / "notebooks" / e[1].file
    nb = json.loads(path.read_text())
    nb["cells"][-1]["source"] = "[Index](00_index.ipynb)"  # a hand-edited navigation line
    path.write_text(json.dumps(nb))
    (root / "notebooks" / "09_stray.ipynb").write_text(json.dumps(notebook("# 09", "x")))
    assert series.drifted(e) == [e[1].file, "09_stray.ipynb (not in series.toml)"]
    longer = [*e, Entry(3, "03_new.ipynb", "New", "new one", 2, 1.0)]
    (root / "notebooks" / "09_stray.ipynb").unlink()
    (root / "notebooks" / "03_new.ipynb").write_text(json.dumps(notebook("# 03 · x\nnav\n\n*Runs in about 5 s on a laptop CPU.*", "nav")))
    assert e[2].file in series.drifted(longer)  # the old last notebook now needs a "next" link


def test_the_real_manifest_loads():
    e = series.load_manifest()
    assert e[0].file == "00_index.ipynb" and all(x.title for x in e)


def test_a_marker_can_name_one_part():
    e = entries()
    text = f"## Map\n{series.begin_marker(2)}\nold table\n{END}\nafter"
    new = series.replace_block(text, e, "index")
    assert new.startswith("## Map\n" + series.begin_marker(2)) and new.endswith(f"{END}\nafter")
    assert "Topic 3" in new and "Topic 1" not in new and series.PARTS[1] not in new
    with pytest.raises(ValueError, match="no generated-table markers"):
        series.replace_block("no markers here", e, "index")
