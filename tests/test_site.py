"""The book site in a real browser, offline: search, typeset formulas, drawn images, folded solutions, no network."""
import json
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--allow-file-access-from-files"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install -y chromium); .ci/run installs it")


def pages() -> list[str]:
    import tomllib

    rows = tomllib.loads((ROOT / "series.toml").read_text(encoding="utf-8"))["notebook"]
    return [Path(r["file"]).stem for r in rows if (ROOT / "notebooks" / r["file"]).exists()]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Built once from the stored notebooks, as `make site` does."""
    sys.path.insert(0, str(ROOT / "site"))
    try:
        import build
    finally:
        sys.path.pop(0)
    out = tmp_path_factory.mktemp("site") / "site"
    assert build.main([str(out)]) == 0, "sphinx-build failed"
    return out


@pytest.fixture(scope="module")
def offline(site):
    """Chromium through Playwright, every request that is not a local file (or localhost) aborted and recorded."""
    from playwright.sync_api import sync_playwright

    attempted = []

    def guard(route):
        url = urlparse(route.request.url)
        if url.scheme in ("file", "data", "blob") or url.hostname in ("localhost", "127.0.0.1"):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
        context.route("**/*", guard)
        yield context, attempted
        context.close()
        browser.close()


def test_search_finds_padding_idx_in_notebook_09(site, offline):
    context, _ = offline
    page = context.new_page()
    page.goto((site / "search.html").as_uri() + "?q=padding_idx")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=20_000)
    found = results.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    page.close()
    assert any(href.startswith("09_variable_length_sequences") for href in found), found


def test_formulas_in_07_are_typeset_offline(site, offline):
    context, _ = offline
    page = context.new_page()
    page.goto((site / "07_visualising_embeddings.html").as_uri())
    formulas = page.locator("span.math, div.math").count()
    page.wait_for_function("n => document.querySelectorAll('mjx-container').length >= n", arg=formulas,
                           timeout=20_000)
    page.close()
    assert formulas > 0


def test_every_page_draws_its_images_folds_solutions_and_offers_the_notebook(site, offline):
    context, _ = offline
    tabs = [context.new_page() for _ in range(3)]  # three pages load at once; each load is mostly waiting
    problems, names = [], pages()
    for start in range(0, len(names), len(tabs)):
        batch = list(zip(tabs, names[start:start + len(tabs)]))
        for page, name in batch:
            page.goto((site / f"{name}.html").as_uri(), wait_until="commit")
        for page, name in batch:
            page.wait_for_load_state("domcontentloaded")
            images = page.locator("article img")
            page.wait_for_function("() => [...document.images].every(i => i.complete)", timeout=20_000)
            drawn = images.evaluate_all("imgs => imgs.filter(i => i.complete && i.naturalWidth > 0 && i.alt).length")
            solutions = page.locator("div.cell.tag_solution")
            shown = page.locator("div.cell.tag_solution .cell_output").evaluate_all(
                "outs => outs.filter(o => o.checkVisibility()).length")
            download = page.locator("a[href$='.ipynb']").count()
            title = page.title()
            if drawn != images.count() or shown or not download or \
                    not title.startswith(name[:2] if name[:2] != "00" else ""):
                problems.append(f"{name}: {drawn}/{images.count()} images drawn with alt text, {shown} of "
                                f"{solutions.count()} solution outputs visible, download links {download}, "
                                f"title {title!r}")
    for page in tabs:
        page.close()
    assert not problems, "\n".join(problems)


def test_a_solution_opens_on_click_and_the_dark_theme_switches(site, offline):
    context, _ = offline
    page = context.new_page()
    page.goto((site / "01_understanding_embedding_layers.html").as_uri())
    solution = page.locator("div.cell.tag_solution").first
    assert not solution.locator(".cell_output").is_visible()
    solution.locator("summary").first.click()
    assert solution.locator(".cell_output").first.is_visible()
    themes = []
    for mode in ("dark", "light"):  # the colour-mode menu in the header
        page.locator("button.theme-switch-button:visible").first.click()
        page.locator(f"button.theme-change-button[data-mode={mode}]:visible").first.click()
        themes.append(page.evaluate("document.documentElement.dataset.theme"))
    page.close()
    assert themes == ["dark", "light"], themes


def test_no_request_left_the_machine(site, offline):
    """Runs last in this module: every page above was opened with the guard on."""
    context, attempted = offline
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    page.wait_for_url("**/00_index.html", timeout=10_000)
    time.sleep(0.2)
    page.close()
    assert not attempted, json.dumps(sorted(set(attempted)), indent=1)
