"""The README's screenshot of the student edition: notebook 01's exercises in JupyterLab, starters and self-checks.

    .venv/bin/python tools/student_screenshot.py   # writes docs/student.png (needs Chromium, as the browser tests)
"""
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import test_browser as tb  # noqa: E402  (the browser tests' Chromium, flags and free_port)


def student_notebook(work: Path) -> Path:
    """The student edition in `work`, with notebook 01 executed: its checks say "not answered yet"."""
    out = work / "student"
    subprocess.run([sys.executable, "tools/classroom.py", "student", str(out)], cwd=ROOT, check=True)
    notebook = next(out.glob("01_*.ipynb"))
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                    notebook.name], cwd=out, check=True)
    return notebook


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="student-shot-"))
    notebook = student_notebook(work)
    settings = work / "lab" / "settings"
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    port, token = tb.free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(work / "lab" / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(work / "lab" / "runtime")}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebook.parent}",
               "--LabApp.notebook_starts_kernel=False"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=tb.CHROMIUM, args=tb.CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{base}/lab/tree/{notebook.name}?token={token}&reset")
            panel = page.locator(".jp-NotebookPanel:visible")
            panel.locator(".jp-Cell").first.wait_for(timeout=60_000)
            check = panel.locator(".jp-Cell", has_text="not answered yet").first
            check.wait_for(timeout=30_000)
            page.evaluate("el => el.scrollIntoView({block: 'center'})", check.element_handle())
            page.wait_for_timeout(1_000)
            page.screenshot(path=str(ROOT / "docs" / "student.png"))
            browser.close()
    finally:
        server.terminate()
        shutil.rmtree(work, ignore_errors=True)
    print("wrote docs/student.png")


if __name__ == "__main__":
    main()
