"""Make the notebooks presentable as slides (RISE metadata, nbval markers as tags) and build offline static decks.

    python tools/slides.py apply [NOTEBOOK ...]   # idempotent; every notebook of series.toml by default
    python tools/slides.py check [NOTEBOOK ...]   # exit 1, naming them, if `apply` would change a notebook
    python tools/slides.py build OUTDIR [NOTEBOOK ...]   # static decks, reveal.js and MathJax copied beside them
"""
import argparse
import base64
import importlib.util
import shutil
import struct
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

# jupyterlab-rise 0.43.1 reads these keys from notebook metadata `rise` (its schema, plugin.json, and the code
# passing controls/progress/history/width/height/margin/minScale/transition/slideNumber/center to reveal.js).
# A fixed 1280x720 slide is scaled to the screen as a whole, so text grows with the projector's resolution;
# `scroll` adds a scroll bar to a slide taller than the screen (a safety net: the browser test demands none).
# RISE has no font-size option: the sizes live in notebooks/rise.css, which RISE loads next to the notebook.
RISE = {
    "scroll": True,
    "width": 1280,
    "height": 720,
    "margin": 0.02,
    "minScale": 0.2,
    "center": False,
    "slideNumber": "c/t",
    "transition": "none",
    "theme": "simple",
    "start_slideshow_at": "beginning",
    "enable_chalkboard": False,
}

# nbval 0.11 reads these cell tags as well as the comments (nbval/plugin.py: metadata_tags); tags stay off slides.
# `raises-exception` is also what nbclient honours when `make execute` re-runs a notebook.
MARKER_TAGS = {
    "NBVAL_IGNORE_OUTPUT": "nbval-ignore-output",
    "NBVAL_RAISES_EXCEPTION": "raises-exception",
    "NBVAL_SKIP": "nbval-skip",
    "NBVAL_CHECK_OUTPUT": "nbval-check-output",
}

NEW_SLIDE = {"slide", "subslide"}
OFF_SLIDE = {"notes", "skip"}

# Estimated heights (px) at the type sizes of notebooks/rise.css and templates/offline_slides, calibrated against
# the browser test's measurements; a slide's cells must add up to at most SLIDE_BUDGET of the 720 px.
SLIDE_BUDGET = 640
TEXT_LINE, TEXT_CHARS, HEADING, CODE_LINE, CODE_CHARS, CELL_GAP = 28, 110, 56, 22, 118, 24


def series_notebooks() -> list[Path]:
    """The notebooks listed in series.toml that exist, in reading order."""
    manifest = tomllib.loads((ROOT / "series.toml").read_text(encoding="utf-8"))
    paths = [NOTEBOOKS / entry["file"] for entry in manifest["notebook"]]
    return [path for path in paths if path.exists()]


def slide_type(cell: dict) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def markers_to_tags(cell: dict) -> bool:
    """Move `# NBVAL_...` comment lines of a code cell into cell tags; True if the cell changed."""
    if cell["cell_type"] != "code":
        return False
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    kept, tags = [], []
    for line in source.splitlines(keepends=True):
        marker = line.strip().lstrip("#").strip()
        if line.strip().startswith("#") and marker in MARKER_TAGS:
            tags.append(MARKER_TAGS[marker])
        else:
            kept.append(line)
    if not tags:
        return False
    cell["source"] = "".join(kept)
    existing = cell["metadata"].setdefault("tags", [])
    existing.extend(tag for tag in tags if tag not in existing)
    return True


def setup_off_title_slide(cells: list[dict]) -> bool:
    """If the setup cell (the first code cell) sits on the title slide, start a subslide after the title cell."""
    first_code = next((i for i, cell in enumerate(cells) if cell["cell_type"] == "code"), None)
    if first_code is None or any(slide_type(cell) in NEW_SLIDE for cell in cells[1:first_code + 1]):
        return False
    cells[1]["metadata"].setdefault("slideshow", {})["slide_type"] = "subslide"
    return True


def wrapped_lines(text: str, width: int) -> int:
    return sum(max(1, -(-len(line) // width)) for line in text.splitlines())


def png_height(data: str) -> int:
    """Drawn height of a base64 PNG output: its pixel height, scaled down to the slide width and to 450 px (CSS)."""
    raw = base64.b64decode(data[:64])
    width, height = struct.unpack(">II", raw[16:24])
    return round(min(height * min(1.0, 1200 / width), 450))


def cell_height(cell: dict) -> int:
    """Rough height of a cell on a slide, in px (0 for speaker notes and skipped cells)."""
    if slide_type(cell) in OFF_SLIDE:
        return 0
    source = cell["source"]
    if cell["cell_type"] == "markdown":
        headings = sum(line.startswith("#") for line in source.splitlines())
        text = "\n".join(line for line in source.splitlines() if line.strip() and not line.startswith("#"))
        return CELL_GAP + HEADING * headings + TEXT_LINE * (wrapped_lines(text, TEXT_CHARS) if text else 0)
    height = CELL_GAP + CODE_LINE * wrapped_lines(source, CODE_CHARS)
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data:
            height += 10 + png_height(data["image/png"])
        elif "text/html" in data:
            height += 10 + TEXT_LINE * "".join(data["text/html"]).count("<tr")
        else:
            text = output.get("text") or "".join(data.get("text/plain", "")) or output.get("evalue", "")
            height += 6 + CODE_LINE * wrapped_lines("".join(text), CODE_CHARS)
    return height


def split_long_slides(cells: list[dict]) -> int:
    """Start a subslide wherever a slide's cells would run past SLIDE_BUDGET; keep a text cell with the code after it.

    Teaching order is kept; cells only change from "-"/"fragment" to "subslide". Returns how many splits were made."""
    splits, used = 0, 0
    for i, cell in enumerate(cells):
        height = cell_height(cell)
        if i == 0 or slide_type(cell) in NEW_SLIDE:
            used = height
            continue
        if used + height <= SLIDE_BUDGET or height == 0 or used == 0:
            used += height
            continue
        start = i
        before = cells[i - 1]
        if (cell["cell_type"] == "code" and before["cell_type"] == "markdown" and slide_type(before) not in NEW_SLIDE
                and slide_type(before) not in OFF_SLIDE and cell_height(before) + height <= SLIDE_BUDGET):
            start = i - 1
        cells[start]["metadata"].setdefault("slideshow", {})["slide_type"] = "subslide"
        used = sum(cell_height(c) for c in cells[start:i + 1])
        splits += 1
    return splits


def apply(path: Path, write: bool = True) -> list[str]:
    """Bring one notebook to the slide standard (in place if `write`); return what changed (empty: nothing)."""
    nb = nbformat.read(path, as_version=4)
    changes = []
    rise = nb.metadata.get("rise", {})
    if any(rise.get(key) != value for key, value in RISE.items()):
        nb.metadata["rise"] = {**rise, **RISE}
        changes.append("RISE settings")
    moved = sum(markers_to_tags(cell) for cell in nb.cells)
    if moved:
        changes.append(f"{moved} nbval comment(s) moved to tags")
    if setup_off_title_slide(nb.cells):
        changes.append("setup cell moved off the title slide")
    splits = split_long_slides(nb.cells)
    if splits:
        changes.append(f"{splits} long slide(s) split into subslides")
    if changes and write:
        nbformat.write(nb, path)
    return changes


def package_folder(module: str, *parts: str) -> Path:
    """A folder shipped inside an installed package, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"{module} is not installed: pip install --no-deps -r requirements-data.txt")
    return Path(spec.origin).parent.joinpath(*parts)


def copy_assets(out: Path) -> None:
    """reveal.js (from sphinx-revealjs) and MathJax 3 (from sphinx-mathjax-offline) beside the decks."""
    reveal = package_folder("sphinx_revealjs", "_static", "revealjs")
    mathjax = package_folder("sphinx-mathjax-offline", "static", "mathjax")
    shutil.rmtree(out / "reveal.js", ignore_errors=True)
    shutil.copytree(reveal, out / "reveal.js", ignore=shutil.ignore_patterns("*.map", "*.scss", "css"))
    shutil.rmtree(out / "mathjax", ignore_errors=True)
    (out / "mathjax").mkdir()
    # SVG output: Chromium refuses web fonts to file:// pages, and SVG needs none
    shutil.copy2(mathjax / "tex-svg-full.js", out / "mathjax")


def build(out: Path, notebooks: list[Path]) -> None:
    """Static decks NN_name.slides.html in `out`, with the offline template and everything they load."""
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    command = [sys.executable, "-m", "nbconvert", "--to", "slides", "--output-dir", str(out),
               f"--TemplateExporter.extra_template_basedirs={ROOT / 'templates'}", "--template", "offline_slides",
               "--SlidesExporter.reveal_url_prefix=reveal.js", "--SlidesExporter.reveal_theme=white",
               "--SlidesExporter.reveal_scroll=True", "--SlidesExporter.reveal_width=1280",
               "--SlidesExporter.reveal_height=720", "--SlidesExporter.reveal_number=c/t",
               "--SlidesExporter.reveal_transition=none",
               "--HTMLExporter.mathjax_url=mathjax/tex-svg-full.js", *map(str, notebooks)]
    subprocess.run(command, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["apply", "check", "build"])
    parser.add_argument("paths", nargs="*", type=Path, help="for build: OUTDIR first, then notebooks")
    args = parser.parse_args(argv)
    if args.command == "build":
        if not args.paths:
            parser.error("build needs an output folder")
        build(args.paths[0], args.paths[1:] or series_notebooks())
        return 0
    stale = []
    for path in args.paths or series_notebooks():
        changes = apply(path, write=args.command == "apply")
        for change in changes:
            print(f"{path.name}: {change}")
        if changes:
            stale.append(path.name)
    if stale and args.command == "check":
        print("not slide-ready (run `python tools/slides.py apply`):", ", ".join(stale))
        return 1
    return 0

if __name__ == "__main__":
    sys.exit(main())
