"""Classroom editions of the series: hidden solutions, self-check cells, and the student edition.

    python tools/classroom.py hide [NB ...]     # solution cells: source and outputs hidden, tag "solution", notes
    python tools/classroom.py checks [NB ...]   # add or update the self-check cells from tools/exercises.toml
    python tools/classroom.py record [NB ...]   # execute in place and store the digests of the instructor's answers
    python tools/classroom.py student [DIR]     # the student edition (default build/student/)
    python tools/classroom.py verify            # exit 1 naming each notebook whose solutions are not hidden

Every command is idempotent and works on every notebook listed in series.toml (or the ones named).
"""
import copy
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = Path(os.environ.get("CLASSROOM_NOTEBOOKS", ROOT / "notebooks"))  # a copy, for trying the tools
MANIFEST = ROOT / "series.toml"
EXERCISES = Path(__file__).resolve().parent / "exercises.toml"
STUDENT = ROOT / "build" / "student"
RECORD_ENV = "EMBEDDINGS_CHECKS_RECORD"  # helpers.checks.RECORD_ENV (not imported: tools run without torch)

SOLUTION_TAG, CHECK_TAG, STARTER_TAG = "solution", "self-check", "starter"
IMPORT_SOURCE = ("# Self-checks: run each after your answer; they say right or not, never the answer\n"
                 "from helpers.checks import check")
TRY_SENTENCE = "Try each one before you open the solution (click the collapsed cell below it)."
STUDENT_SENTENCE = ("Answer each one in the cell below it (replace every `...`), then run the self-check under it: "
                    "it says right, or not right yet with a hint, and never shows the answer.")
GENERIC_STARTER = "# Your answer\n..."


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def manifest_paths() -> list[Path]:
    rows = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["notebook"]
    return [NOTEBOOKS / row["file"] for row in rows if (NOTEBOOKS / row["file"]).exists()]


def load_exercises() -> dict[str, dict]:
    return {e["id"]: e for e in tomllib.loads(EXERCISES.read_text(encoding="utf-8"))["exercise"]}


def exercises_start(cells: list[dict]) -> int | None:
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown" and source(cell).splitlines()[:1] == ["## Exercises"]:
            return i
    return None


def is_solution(cell: dict) -> bool:
    return cell["cell_type"] == "code" and (cell["metadata"].get("jupyter", {}).get("source_hidden")
                                            or source(cell).startswith("# Solution"))


def has_tag(cell: dict, tag: str) -> bool:
    return tag in cell["metadata"].get("tags", [])


def solutions(nb: dict) -> list[int]:
    """Indices of the solution cells, in exercise order (the k-th is exercise NN.k)."""
    start = exercises_start(nb["cells"])
    if start is None:
        return []
    return [i for i, c in enumerate(nb["cells"]) if i > start and is_solution(c) and not has_tag(c, CHECK_TAG)]


def exercise_id(path: Path, k: int) -> str:
    return f"{path.name[:2]}.{k}"


def hide(nb: dict) -> None:
    """Source and outputs collapsed in JupyterLab, tag "solution", speaker notes in slides."""
    for i in solutions(nb):
        meta = nb["cells"][i]["metadata"]
        meta.setdefault("jupyter", {}).update(source_hidden=True, outputs_hidden=True)
        meta.setdefault("slideshow", {})["slide_type"] = "notes"
        if SOLUTION_TAG not in meta.setdefault("tags", []):
            meta["tags"].append(SOLUTION_TAG)


def check_source(spec: dict, expected: str) -> str:
    answers = ", ".join(json.dumps(a) for a in spec["answers"])
    lines = [f"check({json.dumps(spec['id'])}, {answers},"]
    if spec.get("digits", 3) != 3:
        lines.append(f"      digits={spec['digits']},")
    if spec.get("hint"):
        lines.append(f"      hint={json.dumps(spec['hint'], ensure_ascii=False)},")
    lines.append(f"      expected={json.dumps(expected)})")
    return "\n".join(lines)


def stored_expected(cell: dict) -> str:
    found = re.search(r'expected="([0-9a-f ]*)"', source(cell))
    return found.group(1) if found else ""


def new_code_cell(text: str, slide_type: str, tags: list[str], key: str) -> dict:
    """A code cell with a stable id (derived from key), so re-running a command rewrites nothing."""
    return nbformat.from_dict({"cell_type": "code", "execution_count": None,
                               "id": hashlib.sha1(key.encode()).hexdigest()[:8],
                               "metadata": {"slideshow": {"slide_type": slide_type}, "tags": tags},
                               "outputs": [], "source": text})


def add_checks(path: Path, nb: dict, specs: dict[str, dict]) -> None:
    """After each solution with answers in the spec, a check cell (digests kept while the answers are unchanged)."""
    cells = nb["cells"]
    for k, i in reversed(list(enumerate(solutions(nb), start=1))):
        spec = specs.get(exercise_id(path, k))
        solution = cells[i]
        if spec and spec.get("solution_append") and spec["solution_append"].strip() not in source(solution):
            solution["source"] = source(solution).rstrip("\n") + "\n" + spec["solution_append"].strip()
        following = cells[i + 1] if i + 1 < len(cells) else None
        existing = following if following and has_tag(following, CHECK_TAG) else None
        if not spec or not spec.get("answers"):
            if existing:
                del cells[i + 1]
            continue
        if existing is None:
            existing = new_code_cell("", "notes", [CHECK_TAG], f"check {spec['id']}")
            cells.insert(i + 1, existing)
        old = stored_expected(existing)
        keep = old and check_source(spec, old) == source(existing)
        existing["source"] = check_source(spec, old if keep else "")
    start = exercises_start(cells)
    has_checks = any(has_tag(c, CHECK_TAG) and source(c).startswith("check(") for c in cells)
    importer = start is not None and start + 1 < len(cells) and source(cells[start + 1]) == IMPORT_SOURCE
    if has_checks and not importer:
        cells.insert(start + 1, new_code_cell(IMPORT_SOURCE, "skip", [CHECK_TAG], f"checks {path.name}"))
    if not has_checks and importer:
        del cells[start + 1]


def student_edition(nb: dict, path: Path, specs: dict[str, dict]) -> dict:
    """Each solution becomes its starter cell; no solution output; check cells cleared, ready to run."""
    nb = copy.deepcopy(nb)
    cells = nb["cells"]
    for k, i in enumerate(solutions(nb), start=1):
        spec = specs.get(exercise_id(path, k), {})
        starter = new_code_cell(spec.get("starter", GENERIC_STARTER).strip("\n"), "notes", [STARTER_TAG], "")
        starter["id"] = cells[i]["id"]
        cells[i] = starter
    start = exercises_start(cells)
    for cell in cells[start or len(cells):]:
        if has_tag(cell, CHECK_TAG):
            cell["outputs"], cell["execution_count"] = [], None
        if cell["cell_type"] == "markdown" and source(cell).startswith("## Exercises"):
            text = source(cell)
            cell["source"] = text.replace(TRY_SENTENCE, STUDENT_SENTENCE) if TRY_SENTENCE in text \
                else text.rstrip() + "\n" + STUDENT_SENTENCE
    return nb


def read(path: Path) -> dict:
    return nbformat.read(path, as_version=4)


def write(path: Path, nb: dict) -> bool:
    """Write in nbformat's own layout, as Jupyter does; False when nothing changed."""
    text = nbformat.writes(nb) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def execute(path: Path, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                    "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.record_timing=False", path.name],
                   cwd=path.parent, env=env, check=True)


def record(paths: list[Path]) -> None:
    """Execute each notebook with the checks in record mode, then store the digests the solutions produced."""
    for path in paths:
        nb = read(path)
        if not any(has_tag(c, CHECK_TAG) and source(c).startswith("check(") for c in nb["cells"]):
            continue
        with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as log:
            log_path = Path(log.name)
        try:
            execute(path, {**os.environ, RECORD_ENV: str(log_path)})
            seen = {r["exercise"]: r for r in map(json.loads, log_path.read_text(encoding="utf-8").splitlines())}
        finally:
            log_path.unlink(missing_ok=True)
        nb = read(path)
        for cell in nb["cells"]:
            found = re.match(r'check\("([0-9]+\.[0-9]+)"', source(cell))
            if found and has_tag(cell, CHECK_TAG):
                result = seen.get(found.group(1))
                if result is None or None in result["digests"]:
                    raise SystemExit(f"{path.name}: exercise {found.group(1)} gave no answer to record: {result}")
                cell["source"] = re.sub(r'expected="[0-9a-f ]*"', f'expected="{" ".join(result["digests"])}"',
                                        source(cell))
        write(path, nb)
        print(f"{path.name}: digests recorded")


def problems(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        nb = read(path)
        for i in solutions(nb):
            cell = nb["cells"][i]
            meta = cell["metadata"]
            if not (meta.get("jupyter", {}).get("source_hidden") and meta["jupyter"].get("outputs_hidden")
                    and SOLUTION_TAG in meta.get("tags", []) and meta.get("slideshow", {}).get("slide_type") == "notes"):
                found.append(f"{path.name}: solution cell {i} is not hidden (source, outputs), tagged and notes")
        for i, cell in enumerate(nb["cells"]):
            if has_tag(cell, CHECK_TAG) and source(cell).startswith("check(") and not stored_expected(cell):
                found.append(f"{path.name}: check cell {i} has no recorded digests (tools/classroom.py record)")
    return found


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"hide", "checks", "record", "student", "verify"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "student":
        out = Path(rest[0]) if rest else STUDENT
        out.mkdir(parents=True, exist_ok=True)
        specs = load_exercises()
        for path in manifest_paths():
            write(out / path.name, student_edition(read(path), path, specs))
        print(f"student edition: {len(manifest_paths())} notebooks in {out}")
        return 0
    paths = [Path(p).resolve() for p in rest] or manifest_paths()
    if command == "verify":
        found = problems(paths)
        print("\n".join(found) or f"{len(paths)} notebooks: every solution hidden and every check recorded")
        return 1 if found else 0
    if command == "record":
        record(paths)
        return 0
    specs = load_exercises()
    for path in paths:
        nb = read(path)
        hide(nb) if command == "hide" else add_checks(path, nb, specs)
        if write(path, nb):
            print(f"{path.name}: updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
