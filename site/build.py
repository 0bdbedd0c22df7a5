"""Build the book site from the stored notebooks: stage copies, generate the contents from series.toml, run Sphinx.

    python site/build.py [OUT]      # default build/site; open OUT/index.html
"""
import re
import shutil
import sys
import tomllib
from pathlib import Path

import nbformat
from sphinx.cmd.build import build_main

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
PARTS = {1: "The deck", 2: "Beyond the deck"}
SOLUTION, FOLD = "solution", "hide-cell"  # myst-nb folds a cell tagged hide-cell behind a click
LABELS = re.compile(r"""\b(?:set_)?(title|xlabel|ylabel)\(\s*f?["']([^"']+)["']""")


def entries() -> list[dict]:
    return tomllib.loads((ROOT / "series.toml").read_text(encoding="utf-8"))["notebook"]


def plain(markdown: str) -> str:
    """The first sentence of a markdown cell, without markup: the alt text of the plot below it."""
    text = re.sub(r"`([^`]*)`|\*\*?([^*]+)\*\*?|\[([^\]]+)\]\([^)]*\)|\$([^$]+)\$",
                  lambda m: next(g for g in m.groups() if g is not None), markdown)
    text = " ".join(line.lstrip("#>-* ").strip() for line in text.splitlines()).strip()
    return re.split(r"(?<=[.:?!])\s", text, maxsplit=1)[0][:240]


def alt_text(cell: dict, context: str) -> str:
    """What the plot shows: the sentence that introduces it, plus any title and axis labels its code sets."""
    labels = {kind: text for kind, text in LABELS.findall(cell.source)}
    parts = [labels[k] if k == "title" else f"{k[0]} axis {labels[k]}" for k in ("title", "xlabel", "ylabel")
             if k in labels]
    return f"Plot: {context}" + (f" ({'; '.join(parts)})" if parts else "")


def stage_notebook(source: Path, target: Path) -> None:
    """A copy with folded solutions and alt text on every plot; the source notebook is not touched."""
    nb = nbformat.read(source, as_version=4)
    context = nb.cells[0].source.splitlines()[0].lstrip("# ") if nb.cells else source.stem
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.strip():
            context = plain(cell.source)
            continue
        tags = cell.metadata.get("tags", [])
        if SOLUTION in tags or cell.metadata.get("jupyter", {}).get("source_hidden"):
            cell.metadata["tags"] = [*tags, *(t for t in (SOLUTION, FOLD) if t not in tags)]
        if any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            cell.metadata.setdefault("mystnb", {}).setdefault("image", {}).setdefault("alt", alt_text(cell, context))
    nbformat.write(nb, target)


def contents(rows: list[dict]) -> str:
    """The sidebar: one toctree per part, in the manifest's order."""
    blocks = []
    for part, caption in PARTS.items():
        files = [Path(r["file"]).stem for r in rows if r["part"] == part and (ROOT / "notebooks" / r["file"]).exists()]
        if files:
            blocks.append(f"```{{toctree}}\n:caption: {caption}\n:hidden:\n\n" + "\n".join(files) + "\n```")
    return "\n\n".join(blocks)


def main(argv: list[str]) -> int:
    out = Path(argv[0]).resolve() if argv else ROOT / "build" / "site"
    staging = out.parent / f"{out.name}-src"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    rows = entries()
    for row in rows:
        if (ROOT / "notebooks" / row["file"]).exists():
            stage_notebook(ROOT / "notebooks" / row["file"], staging / row["file"])
    root = staging / rows[0]["file"]  # the index notebook is the home page and carries the contents
    nb = nbformat.read(root, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(contents(rows), id="site-contents"))
    nbformat.write(nb, root)
    code = build_main(["-b", "html", "-q", "-j", "auto", "-c", str(SITE), "-d", str(staging / ".doctrees"), str(staging), str(out)])
    if code == 0:
        (out / "index.html").write_text(f'<!DOCTYPE html><meta charset="utf-8"><title>{rows[0]["title"]}</title>'
                                        f'<meta http-equiv="refresh" content="0; url={Path(rows[0]["file"]).stem}'
                                        '.html">', encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
