"""End to end in a real browser: JupyterLab renders every notebook with its stored outputs, and RISE presents one."""
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
    """How many outputs JupyterLab should draw (it merges consecutive prints to one stream) and how many images."""
    shown, images = 0, 0
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        previous = None
        for output in cell.get("outputs", []):
            kind = (output["output_type"], output.get("name"))
            shown += not (kind[0] == "stream" and kind == previous)
            images += "image/png" in output.get("data", {})
            previous = kind
    return shown, images


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a free localhost port, with a token, fresh settings and no browser of its own."""
    home = tmp_path_factory.mktemp("lab")
    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # render every cell (no windowing), so all stored outputs are in the page at once
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    news = home / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)  # no "get notified about Jupyter news?" toast over the screenshots
    (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false",
                                                                       "checkForUpdates": False}))
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT / 'notebooks'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = open(home / "lab.log", "w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start: {(home / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.3)
    yield base, token
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


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


def shut_down_kernels(base: str, token: str) -> None:
    """Opening a notebook starts its kernel; stop them so fifteen kernels do not pile up."""
    sessions = json.load(urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=10))
    for session in sessions:
        request = urllib.request.Request(f"{base}/api/sessions/{session['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request, timeout=10)


def open_in_lab(page, name: str) -> None:
    """Open a notebook from JupyterLab's file browser, as a reader would, without reloading the page."""
    page.locator(".jp-DirListing-item", has_text=name).dblclick()
    current = "#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current"
    page.locator(current, has_text=name).wait_for(timeout=30_000)


def test_every_notebook_renders_with_its_stored_outputs(lab, browser):
    base, token = lab
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    page.goto(f"{base}/lab?token={token}&reset", wait_until="domcontentloaded")
    page.locator("#jp-main-dock-panel").wait_for(timeout=60_000)
    problems = []
    for path in NOTEBOOKS:
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
        if (outputs.count(), loaded, dialogs) != (n_outputs, n_images, 0) or not title.startswith(path.name[:2]) \
                and not path.name.startswith("00_"):
            problems.append(f"{path.name}: {outputs.count()}/{n_outputs} outputs, {loaded}/{n_images} images drawn, "
                            f"{dialogs} dialogs, title {title!r}")
        page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon").click()
        shut_down_kernels(base, token)
    page.close()
    assert not problems, "\n".join(problems)


def test_rise_presents_a_notebook_as_slides(lab, browser):
    base, token = lab
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = NOTEBOOKS[1]
    page = browser.new_page()
    page.goto(f"{base}/rise/{path.name}?token={token}", wait_until="domcontentloaded")
    page.locator(".reveal .slides section").first.wait_for(timeout=60_000)
    slides = page.locator(".reveal .slides > section").count()
    title = page.locator(".reveal .slides section.present h1").first.inner_text(timeout=20_000)
    page.screenshot(path=str(ARTEFACTS / "slide.png"))
    assert page.locator(".jp-Dialog").count() == 0
    n_slides = sum(c["metadata"].get("slideshow", {}).get("slide_type") == "slide"
                   for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
    shut_down_kernels(base, token)
    page.close()
    assert title.startswith("01") and slides == n_slides, f"{slides} slides shown, {n_slides} expected; title {title!r}"
