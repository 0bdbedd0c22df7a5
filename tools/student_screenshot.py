"""The README's screenshot of the student edition: notebook 01's exercises in JupyterLab, starters and self-checks.

    .venv/bin/python tools/student_screenshot.py   # writes docs/student.png (needs Chromium, as the browser tests)
"""
import os
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
import test_browser as tb  # noqa: E402  (the browser tests' JupyterLab server, Chromium and its flags)

from tools import classroom  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="student-shot-") as tmp:
        work = Path(tmp)
        classroom.main(["student", str(work / "student")])
        notebook = next((work / "student").glob("01_*.ipynb"))
        classroom.execute(notebook, dict(os.environ))  # its self-checks then say "not answered yet"
        with tb.jupyterlab(notebook.parent, work / "lab") as (base, token), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=tb.CHROMIUM, args=tb.CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{base}/lab/tree/{notebook.name}?token={token}&reset")
            check = page.locator(".jp-NotebookPanel:visible .jp-Cell", has_text="not answered yet").first
            check.wait_for(timeout=60_000)
            page.evaluate("el => el.scrollIntoView({block: 'center'})", check.element_handle())
            page.wait_for_timeout(1_000)
            page.screenshot(path=str(ROOT / "docs" / "student.png"))
            browser.close()
    print("wrote docs/student.png")


if __name__ == "__main__":
    main()
