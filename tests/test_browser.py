"""End to end in a real browser: JupyterLab renders every notebook with its stored outputs; every slide fits 1280x720.

The slide tests present every notebook in RISE (inside the JupyterLab server) and as a static deck (`make slides`),
measure every slide in the page in one evaluate call, and fail naming the notebook, the slide and the overflow."""
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ARTEFACTS = ROOT / "build" / "browser"
DECKS = ROOT / "build" / "slides"
SLIDE = {"width": 1280, "height": 720}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install -y chromium); .ci/run installs it")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stored_outputs(path: Path) -> tuple[int, int]:
    """How many outputs JupyterLab should draw (it merges consecutive prints to one stream) and how many images;
    a solution's outputs are hidden until clicked, so they are not drawn."""
    shown, images = 0, 0
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["metadata"].get("jupyter", {}).get("outputs_hidden"):
            continue
        previous = None
        for output in cell.get("outputs", []):
            kind = (output["output_type"], output.get("name"))
            shown += not (kind[0] == "stream" and kind == previous)
            images += "image/png" in output.get("data", {})
            previous = kind
    return shown, images


def titled(path: Path, title: str) -> bool:
    """A topic notebook's first heading starts with its number (the index's is the series' name)."""
    return path.name.startswith("00_") or title.startswith(path.name[:2])


@contextlib.contextmanager
def jupyterlab(root_dir: Path, home: Path):
    """A JupyterLab server on a free localhost port serving root_dir, with a token, fresh settings under home and no
    browser of its own; yields (base URL, token). tools/student_screenshot.py starts one too."""
    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # render every cell (no windowing), so all stored outputs are in the page at once
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    # no "get notified about Jupyter news?" toast: the project's defaults (tools/lab-overrides.json, installed into
    # the venv by make) do that, as for a reader; test_no_jupyter_news_pop_up checks they are in effect
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
               "--LabApp.notebook_starts_kernel=False"]  # stored outputs need no kernel: none competes for the cores
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = open(home / "lab.log", "w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start: {(home / 'lab.log').read_text()[-2000:]}") from None
                time.sleep(0.3)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of notebooks/ (rise.css included) and the RISE sweep notebook, for the module."""
    root = tmp_path_factory.mktemp("notebooks")
    shutil.copytree(ROOT / "notebooks", root, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (root / SWEEP).write_text(json.dumps(series_in_one(NOTEBOOKS)), encoding="utf-8")
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(jupyterlab(root, tmp_path_factory.mktemp("lab")))
        except RuntimeError as error:
            pytest.fail(str(error))
        yield server


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Debian's Chromium driven by Playwright, with a fresh user-data dir."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_FLAGS, viewport={"width": 1280, "height": 900})
        yield context
        context.close()


def open_in_lab(page, name: str) -> None:
    """Open a notebook from JupyterLab's file browser, as a reader would, without reloading the page."""
    page.locator(".jp-DirListing-item", has_text=name).dblclick()
    current = "#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current"
    page.locator(current, has_text=name).wait_for(timeout=30_000)


def test_no_jupyter_news_pop_up(lab):
    """`make` installs tools/lab-overrides.json as JupyterLab defaults inside the venv, nothing in the user's home."""
    base, token = lab
    installed = Path(sys.prefix, "share", "jupyter", "lab", "settings", "overrides.d", "embeddings-series.json")
    assert installed.exists(), f"{installed} is missing: run make (it copies tools/lab-overrides.json there)"
    plugin = "@jupyterlab/apputils-extension:notification"
    settings = json.load(urllib.request.urlopen(f"{base}/lab/api/settings/{plugin}?token={token}", timeout=10))
    defaults = {key: value["default"] for key, value in settings["schema"]["properties"].items()}
    assert (defaults["fetchNews"], defaults["checkForUpdates"]) == ("false", False), defaults


# The RISE sweep below checks every notebook's outputs and images in RISE's notebook view (the same renderers);
# here a reader's path: notebooks opened from JupyterLab's file browser, the index and one of each part.
IN_LAB = [path for path in NOTEBOOKS if path.name[:2] in ("00", "01", "17")]


def test_notebooks_open_from_the_file_browser_with_their_stored_outputs(lab, browser):
    base, token = lab
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    page.goto(f"{base}/lab?token={token}&reset", wait_until="domcontentloaded")
    page.locator("#jp-main-dock-panel").wait_for(timeout=60_000)
    problems = []
    for path in IN_LAB:
        n_outputs, n_images = stored_outputs(path)
        open_in_lab(page, path.name)
        panel = page.locator(".jp-NotebookPanel:visible")
        panel.locator(".jp-Cell").first.wait_for(timeout=30_000)
        outputs = panel.locator(".jp-OutputArea-child")
        images = panel.locator(".jp-OutputArea-output img")
        deadline = time.monotonic() + 20
        while (outputs.count() < n_outputs or images.count() < n_images) and time.monotonic() < deadline:
            time.sleep(0.1)
        title = panel.locator(".jp-MarkdownOutput h1").first.inner_text(timeout=10_000)
        loaded = images.evaluate_all("imgs => imgs.filter(i => i.complete && i.naturalWidth > 0).length")
        dialogs = page.locator(".jp-Dialog").count()
        if path.name.startswith("01_"):
            page.screenshot(path=str(ARTEFACTS / "notebook.png"))
        if (outputs.count(), loaded, dialogs) != (n_outputs, n_images, 0) or not titled(path, title):
            problems.append(f"{path.name}: {outputs.count()}/{n_outputs} outputs, {loaded}/{n_images} images drawn, "
                            f"{dialogs} dialogs, title {title!r}")
        page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon").click()
    page.close()
    assert not problems, "\n".join(problems)


# Every slide of a reveal.js deck `R`, laid out at once (reveal.js hides distant slides with display:none; they are
# shown for the measurement and restored), with how far its content runs past the bottom and the right edge (px,
# in slide coordinates; > 0 is an overflow). A block that clips its own content (a code line cut off at the right
# of a scrolling `pre`) counts as a right overflow.
MEASURE = """
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
  const measure = () => {
  const {width, height} = R.getConfig();
  const leaves = [];
  R.getHorizontalSlides().forEach((stack, h) => {
    const children = [...stack.querySelectorAll(":scope > section")];
    (children.length ? children : [stack]).forEach((section, v) => leaves.push({section, stack, h, v}));
  });
  const saved = new Map();
  for (const {section, stack} of leaves) {
    for (const el of [section, stack]) {
      if (!saved.has(el)) saved.set(el, el.getAttribute("style"));
      el.style.display = "block";
    }
  }
  const results = leaves.map(({section, h, v}) => {
    let right = section.scrollWidth - width;
    for (const el of section.querySelectorAll("pre, .jp-OutputArea-output, .cm-scroller, table, img")) {
      right = Math.max(right, el.scrollWidth - el.clientWidth, el.getBoundingClientRect().right
                       - section.getBoundingClientRect().right);
    }
    const heading = section.querySelector("h1, h2, h3");
    return {h, v, title: heading ? heading.textContent.replace("\u00b6", "").trim().slice(0, 60) : "",
            height: section.scrollHeight, bottom: section.scrollHeight - height, right: Math.round(right),
            images: section.querySelectorAll("img").length,
            outputs: section.querySelectorAll(".jp-OutputArea-child").length,
            drawn: [...section.querySelectorAll(".jp-OutputArea-output img")]
              .filter(i => i.complete && i.naturalWidth > 0).length};
  });
  for (const [el, style] of saved) style === null ? el.removeAttribute("style") : el.setAttribute("style", style);
  return {width, height, slides: results};
  };
  // JupyterLab may still be settling a cell's layout: measure until two measurements a few frames apart agree
  const frames = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  let last = measure();
  for (let i = 0; i < 50; i++) {
    await frames();
    await new Promise(resolve => setTimeout(resolve, 50));
    const now = measure();
    if (JSON.stringify(now) === JSON.stringify(last)) break;
    last = now;
  }
  return last;
}
"""
STATIC_MEASURE = """async () => {
  const R = window.Reveal;
  if (!R.isReady()) await new Promise(resolve => R.on("ready", resolve));
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
""" + MEASURE
# While the sweep loads, each of its ~800 code editors reads the page's selection as it starts, and every read lays
# out the whole growing notebook again (13 s of Chromium's main thread in a profile). Kept out of layout
# (display: none) until RISE is ready, the sweep measured every slide the same, in 19 s instead of 27-36 s. 01,
# opened on its own in a page without this style, must still measure as in the sweep.
LOADING_STYLE = "sweep-loading"
KEEP_OUT_OF_LAYOUT = """document.addEventListener("DOMContentLoaded", () => {
  const style = document.createElement("style");
  style.id = LOADING_STYLE;
  style.textContent = ".jp-Notebook { display: none !important; }";
  document.head.appendChild(style);
});""".replace("LOADING_STYLE", json.dumps(LOADING_STYLE))
# RISE bundles reveal.js without a global; its module (the same API object RISE initialised) is found in
# JupyterLab's webpack module cache, waiting until RISE has built the slides.
RISE_MEASURE = """async () => {
  const find = () => {
    let require = null;
    (window.webpackChunk_JUPYTERLAB_CORE_OUTPUT || []).push([[Symbol("probe")], {}, r => { require = r; }]);
    for (const module of Object.values(require ? require.c : {})) {
      const api = module.exports && (module.exports.default || module.exports);
      if (api && typeof api.getHorizontalSlides === "function" && api.isReady && api.isReady()) return api;
    }
    return null;
  };
  let R = null;
  for (let i = 0; i < 1200 && !(R = find()); i++) await new Promise(resolve => setTimeout(resolve, 100));
  if (!R) return null;
  window.__reveal = R;
  const loading = document.getElementById(LOADING_STYLE);
  if (loading) {  // the sweep's notebook was kept out of layout while it loaded: lay it out now, as a reader sees it
    loading.remove();
    window.dispatchEvent(new Event("resize"));
    R.layout();
  }
  await new Promise(resolve => setTimeout(resolve, 300));  // RISE syncs reveal.js once more after start-up
  await document.fonts.ready;
""".replace("LOADING_STYLE", json.dumps(LOADING_STYLE)) + MEASURE


def overflows(notebook: str, measured: dict) -> list[str]:
    """One line per slide whose content runs past the bottom or the right edge of the slide."""
    return [f"{notebook} slide {s['h'] + 1}.{s['v'] + 1} ({s['title']!r}): "
            + ", ".join(f"{px} px past the {edge} edge" for edge, px in (("bottom", s["bottom"]), ("right", s["right"]))
                        if px > 0)
            for s in measured["slides"] if s["bottom"] > 0 or s["right"] > 0]


def screenshot_tallest(kind: str, page, measured: dict[str, dict], show, go: str) -> None:
    """Screenshots of the three tallest slides, taken after the sweep: build/browser/<kind>-tallest-N-<notebook>-
    <slide>.png. show(name) puts that notebook's deck in the page; go names the deck's reveal.js object."""
    for old in ARTEFACTS.glob(f"{kind}-tallest-*.png"):
        old.unlink()
    slides = [(name, s) for name, m in measured.items() for s in m["slides"]]
    for rank, (name, s) in enumerate(sorted(slides, key=lambda item: -item[1]["height"])[:3], 1):
        show(name)
        h, v = s.get("at", (s["h"], s["v"]))  # where the slide sits in the deck on screen
        page.evaluate(f"() => {go}.slide({h}, {v}, 99)")
        page.wait_for_timeout(250)
        page.screenshot(path=str(ARTEFACTS / f"{kind}-tallest-{rank}-{name[:2]}-{s['h'] + 1}.{s['v'] + 1}.png"))


def slide_count(path: Path) -> int:
    return sum(c["metadata"].get("slideshow", {}).get("slide_type") in ("slide", "subslide")
               for c in json.loads(path.read_text(encoding="utf-8"))["cells"])


def report(kind: str, measured: dict[str, dict]) -> str:
    slides = [s for m in measured.values() for s in m["slides"]]
    tallest = max(slides, key=lambda s: s["height"])
    return (f"{kind}: {len(slides)} slides in {len(measured)} notebooks, tallest {tallest['height']} px "
            f"of {SLIDE['height']}")


SWEEP = "rise_sweep.ipynb"


def series_in_one(notebooks: list[Path]) -> dict:
    """Every notebook's cells, in order, as one notebook with the RISE settings they all share. RISE then starts
    once for the series: a start costs about 2 s of Chromium time whatever the notebook's size, more than its
    slides do. Each notebook's first cell starts a slide, so no slide mixes two notebooks."""
    loaded = [json.loads(path.read_text(encoding="utf-8")) for path in notebooks]
    settings = {json.dumps(nb["metadata"].get("rise"), sort_keys=True) for nb in loaded}
    assert len(settings) == 1, f"the notebooks' metadata.rise differ ({len(settings)} kinds): run tools/slides.py apply"
    for path, nb in zip(notebooks, loaded):
        assert nb["cells"][0]["metadata"].get("slideshow", {}).get("slide_type") == "slide", \
            f"{path.name}: its first cell does not start a slide"
    return {**loaded[0], "cells": [cell for nb in loaded for cell in nb["cells"]]}


def by_notebook(result: dict, notebooks: list[Path]) -> dict[str, dict]:
    """The sweep's slides cut back into notebooks (each has slide_count slides), numbered within the notebook;
    "at" keeps a slide's place in the sweep's deck."""
    measured, start = {}, 0
    for path in notebooks:
        own = result["slides"][start:start + slide_count(path)]
        start += len(own)
        first = own[0]["h"] if own else 0
        measured[path.name] = {**result, "slides": [{**s, "h": s["h"] - first, "at": (s["h"], s["v"])} for s in own]}
    return measured


def shapes(slides: list[dict]) -> list[tuple]:
    return [(s["h"], s["v"], s["height"], s["bottom"], s["right"], s["outputs"], s["drawn"]) for s in slides]


def test_every_rise_slide_fits_1280x720(lab, browser):
    """Every slide of every notebook presented by RISE in JupyterLab: within 1280x720, RISE settings in effect, every
    stored output and image drawn (solutions' outputs stay hidden), the notebook's title on its first slide. The
    notebooks are presented as one (series_in_one); one of them, opened on its own, must measure the same."""
    base, token = lab
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    page.set_viewport_size(SLIDE)
    page.add_init_script(KEEP_OUT_OF_LAYOUT)
    page.goto(f"{base}/rise/{SWEEP}?token={token}", wait_until="commit")
    result = page.evaluate(RISE_MEASURE)
    assert result is not None, "RISE did not start on the sweep notebook"
    assert (result["width"], result["height"]) == (SLIDE["width"], SLIDE["height"]), \
        f"RISE slide is {result['width']}x{result['height']}, not 1280x720 (metadata.rise: run tools/slides.py apply)"
    expected = sum(map(slide_count, NOTEBOOKS))
    assert len(result["slides"]) == expected, f"RISE shows {len(result['slides'])} slides, the notebooks have {expected}"
    measured, problems = by_notebook(result, NOTEBOOKS), []
    for path in NOTEBOOKS:
        slides, (n_outputs, n_images) = measured[path.name]["slides"], stored_outputs(path)
        problems += overflows(path.name, measured[path.name])
        outputs, drawn = sum(s["outputs"] for s in slides), sum(s["drawn"] for s in slides)
        if (outputs, drawn) != (n_outputs, n_images) or not titled(path, slides[0]["title"]):
            problems.append(f"{path.name}: {outputs}/{n_outputs} outputs, {drawn}/{n_images} images drawn, "
                            f"title {slides[0]['title']!r}")
    if page.locator(".jp-Dialog").count():
        problems.append("a dialog opened over the slides")
    screenshot_tallest("rise", page, measured, lambda name: None, "window.__reveal")  # the sweep shows them all
    print(report("RISE", measured))

    alone = next(path for path in NOTEBOOKS if path.name.startswith("01_"))
    page.close()
    page = browser.new_page()  # without the sweep's loading style: as a reader opens it
    page.set_viewport_size(SLIDE)
    page.goto(f"{base}/rise/{alone.name}?token={token}", wait_until="commit")
    own = page.evaluate(RISE_MEASURE)
    page.screenshot(path=str(ARTEFACTS / "slide.png"))
    page.close()
    if own is None or shapes(own["slides"]) != shapes(measured[alone.name]["slides"]):
        problems.append(f"{alone.name} measures differently on its own than in the sweep: "
                        f"{shapes(own['slides']) if own else 'RISE did not start'} vs "
                        f"{shapes(measured[alone.name]['slides'])}")
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def decks():
    """build/slides as `make slides` writes it, rebuilt when a notebook, the template or tools/slides.py is newer."""
    sources = [*NOTEBOOKS, *(ROOT / "templates" / "offline_slides").iterdir(), ROOT / "tools" / "slides.py"]
    built = [DECKS / f"{path.stem}.slides.html" for path in NOTEBOOKS]
    if not all(deck.exists() for deck in built) or \
            max(p.stat().st_mtime for p in sources) > min(deck.stat().st_mtime for deck in built):
        subprocess.run([sys.executable, str(ROOT / "tools" / "slides.py"), "build", str(DECKS), *map(str, NOTEBOOKS)],
                       check=True, capture_output=True)
    return built


def test_every_static_slide_fits_1280x720_offline(decks, browser):
    """Every static deck: every slide within 1280x720, formulas typeset, and no request leaves the machine."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    page.set_viewport_size(SLIDE)
    remote = []
    page.on("request", lambda request: None if request.url.startswith(("file:", "data:", "about:", "blob:"))
            else remote.append(request.url))
    measured, problems = {}, []
    for deck in decks:
        name = deck.name.replace(".slides.html", ".ipynb")
        page.goto(deck.as_uri(), wait_until="load")
        result = page.evaluate(STATIC_MEASURE)
        measured[name] = result
        problems += overflows(name, result)
        if (result["width"], result["height"]) != (SLIDE["width"], SLIDE["height"]):
            problems.append(f"{name}: static slide is {result['width']}x{result['height']}, not 1280x720")
        raw_math = page.evaluate("() => [...document.querySelectorAll('.jp-MarkdownOutput')]"
                                 ".filter(el => /\\$[^$\\s][^$]*\\$/.test(el.textContent)).length")
        if raw_math:
            problems.append(f"{name}: {raw_math} text cells show formulas as raw LaTeX (MathJax did not typeset)")


    def show(name: str) -> None:
        page.goto((DECKS / name.replace(".ipynb", ".slides.html")).as_uri(), wait_until="load")
        page.wait_for_function("() => window.Reveal && Reveal.isReady()")

    screenshot_tallest("static", page, measured, show, "Reveal")
    print(report("static decks", measured))
    page.close()
    assert not remote, f"static decks load from the network: {sorted(set(remote))[:5]}"
    assert not problems, "\n".join(problems)
