"""The student edition: no solution left, a starter per exercise, checks that start "not answered yet", and it runs.

Cost: the lesson cells are those of the instructor notebooks, which nbval already runs; here every student
notebook is checked statically (each starter reads only names the lesson or earlier starters define), and the two
quickest are executed top to bottom. STUDENT_RUN_ALL=1 executes every one (about as long as nbval over the series).
"""
import ast
import builtins
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import classroom  # noqa: E402

QUICK = ("01_", "14_")


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("student")
    assert classroom.main(["student", str(out)]) == 0
    return out


def names_bound(code: str) -> set[str]:
    bound = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return bound


def names_read(code: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


PATHS = classroom.manifest_paths()


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name[:2])
def test_no_solution_survives_and_every_starter_can_run(edition, path):
    instructor = nbformat.read(path, as_version=4)
    student = nbformat.read(edition / path.name, as_version=4)
    n_exercises = len(classroom.solutions(instructor))
    solution_text = {c.source for i, c in enumerate(instructor.cells) if i in classroom.solutions(instructor)}
    assert not any(c.source in solution_text for c in student.cells), "a solution's source is still there"
    assert not any(c.source.startswith("# Solution") or "solution" in c.metadata.get("tags", [])
                   for c in student.cells)
    starters = [c for c in student.cells if "starter" in c.metadata.get("tags", [])]
    assert len(starters) == n_exercises, f"{len(starters)} starters for {n_exercises} exercises"
    defined = set(dir(builtins))
    for i, cell in enumerate(student.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if "starter" in tags or "self-check" in tags:
            assert not cell.outputs and cell.execution_count is None, f"cell {i} keeps an output"
        if "starter" in tags:
            unknown = names_read(cell.source) - names_bound(cell.source) - defined
            assert not unknown, f"starter cell {i} reads {sorted(unknown)}, which nothing before it defines"
        if "self-check" in tags and cell.source.startswith("check("):
            answers = [a.value for a in ast.parse(cell.source).body[0].value.args[1:]]
            placeholders = {t.id for s in ast.walk(ast.parse(student.cells[i - 1].source)) if isinstance(s, ast.Assign)
                            and isinstance(s.value, (ast.Constant, ast.Tuple)) and "..." in ast.unparse(s.value)
                            for t in ast.walk(s.targets[0]) if isinstance(t, ast.Name)}
            reads = set().union(*(names_read(a) for a in answers))
            assert reads & placeholders or "grad" in " ".join(answers), \
                f"check cell {i} reads {sorted(reads)}, none of which its starter leaves as ..."
        defined |= names_bound(cell.source)


RUN = [p for p in PATHS if os.environ.get("STUDENT_RUN_ALL") or p.name.startswith(QUICK)]


@pytest.mark.parametrize("path", RUN, ids=lambda p: p.name[:2])
def test_the_student_edition_runs_top_to_bottom(edition, path):
    nb = nbformat.read(edition / path.name, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(edition)}}).execute()
    checks = [c for c in nb.cells if "self-check" in c.metadata.get("tags", []) and c.source.startswith("check(")]
    printed = ["".join("".join(o.get("text", "")) for o in c.outputs) for c in checks]
    assert len(printed) == len(checks) and all("not answered yet" in p for p in printed), printed
