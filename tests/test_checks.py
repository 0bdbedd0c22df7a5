"""Self-checks: right and wrong answers, placeholders, and answers that never show; each stored check passes."""
import ast
import json
import re
from pathlib import Path

import pytest
import torch

from helpers import checks
from helpers.checks import NOT_ANSWERED, RECORD_ENV, canonical, check, digest, judge

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def expected_for(exercise: str, **answers: object) -> str:
    return " ".join(digest(exercise, name, value) for name, value in answers.items())


def test_right_wrong_and_unanswered():
    expected = expected_for("99.1", n=15_000_602, share=0.99996)
    assert judge("99.1", ["n", "share"], expected, namespace={"n": 15_000_602, "share": 0.99996}).status == "right"
    wrong = judge("99.1", ["n", "share"], expected, hint="count the bias", namespace={"n": 15_000_600, "share": 0.9})
    assert wrong.status == "wrong" and "Hint: count the bias" in wrong.message and "n; share" in wrong.message
    assert judge("99.1", ["n", "share"], expected, namespace={"n": ..., "share": 0.5}).status == "unanswered"
    assert judge("99.1", ["n", "share"], expected, namespace={}).status == "unanswered"


def test_the_answer_is_never_printed(capsys):
    answer = torch.tensor([[1.25, 2.5], [3.75, 4.0]])
    expected = expected_for("99.2", x=answer)
    for value in (answer, answer + 1, ...):
        message = judge("99.2", ["x"], expected, namespace={"x": value}).message
        assert not re.search(r"1\.25|2\.5|3\.75|4\.0", message), message
        assert expected not in message


def test_check_reads_the_callers_namespace(capsys):
    global answer_for_check
    answer_for_check = (2, 3, 5, 4)
    check("99.3", "answer_for_check", expected=expected_for("99.3", answer_for_check=[2, 3, 5, 4]))
    answer_for_check = ...
    check("99.3", "answer_for_check", expected=expected_for("99.3", answer_for_check=[2, 3, 5, 4]))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("right ✓") and NOT_ANSWERED in lines[1]


def test_a_broken_answer_reports_instead_of_raising():
    verdict = judge("99.4", ["x.shape"], expected_for("99.4", **{"x.shape": (2, 3)}), namespace={"x": 3})
    assert verdict.status == "wrong" and "AttributeError" in verdict.message


def test_comprehension_variables_are_not_placeholders():
    expected = expected_for("99.5", **{"[r[w] for w in 'ab']": [1, 2]})
    assert judge("99.5", ["[r[w] for w in 'ab']"], expected, namespace={"r": {"a": 1, "b": 2}}).status == "right"


def test_none_counts_as_unanswered():
    class Layer:
        grad = None
    assert judge("99.6", ["layer.grad"], "0" * 12, namespace={"layer": Layer()}).status == "unanswered"


def test_canonical_rounds_and_unifies_containers():
    assert canonical(0.12349) == canonical(0.1235) == "0.123"
    assert canonical(-0.0001) == "0.000"
    assert canonical(torch.Size([2, 3])) == canonical([2, 3]) == canonical(torch.tensor([2, 3]))
    assert canonical(torch.tensor(2.0)) == canonical(2) == canonical(2.0)
    assert canonical({"b": [1], "a": [2]}) == canonical({"a": [2], "b": [1]})
    assert canonical({"x", "y"}) == canonical({"y", "x"})
    assert canonical(True) != canonical(1)
    assert canonical(" tech ") == canonical("tech") != canonical("Tech")
    assert canonical(float("nan")) == "nan"
    assert digest("01.1", "x", 1) != digest("01.2", "x", 1), "the exercise salts the digest"


def test_bad_arguments():
    with pytest.raises(TypeError):
        judge(1, ["x"], "")
    with pytest.raises(TypeError):
        judge("99.7", [], "")
    with pytest.raises(ValueError, match="record"):
        judge("99.7", ["x", "y"], "abc", namespace={"x": 1, "y": 2})
    with pytest.raises(TypeError):
        canonical(1.0, digits=True)


def test_record_mode_logs_digests(tmp_path, monkeypatch):
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv(RECORD_ENV, str(log))
    assert judge("99.8", ["x"], "", namespace={"x": 7}).status == "right"
    assert json.loads(log.read_text())["digests"] == [digest("99.8", "x", 7)]


def stored_checks():
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            text = "".join(cell["source"])
            if "self-check" in cell["metadata"].get("tags", []) and text.startswith("check("):
                yield pytest.param(path.name, text, cell, id=f"{path.name[:2]}-{text[7:11]}")


@pytest.mark.parametrize(("name", "text", "cell"), list(stored_checks()))
def test_every_stored_check_passed_with_the_solution_and_has_digests(name, text, cell):
    """nbval re-executes these cells after the solution and compares this stored output."""
    printed = "".join("".join(o.get("text", "")) for o in cell.get("outputs", []))
    assert re.search(r'expected="[0-9a-f]{12}( [0-9a-f]{12})*"', text), f"{name}: check without digests"
    assert printed.strip().endswith("right ✓"), f"{name}: the instructor's solution does not pass: {printed!r}"


@pytest.mark.parametrize(("name", "text", "cell"), list(stored_checks()))
def test_every_stored_check_fails_on_a_wrong_answer(name, text, cell, monkeypatch):
    """A flipped True/False, or a plausible wrong number, shape or word, never matches a stored digest."""
    call = ast.parse(text).body[0].value
    exercise, answers = call.args[0].value, [a.value for a in call.args[1:]]
    keywords = {k.arg: k.value.value for k in call.keywords}
    digits = keywords.get("digits", 3)
    everything = {n.id: object() for a in answers for n in ast.walk(ast.parse(a)) if isinstance(n, ast.Name)}
    for answer, stored in zip(answers, keywords["expected"].split()):
        flags = [v for v in (True, False) if digest(exercise, answer, v, digits) == stored]
        candidates = [not flags[0]] if flags else [0, 1, -1, 0.5, 2, 10, "", "tech", [], [0], (2, 3), None]
        for wrong in candidates:
            if wrong is None:
                continue
            monkeypatch.setattr(checks, "eval", lambda expression, namespace, value=wrong: value, raising=False)
            verdict = checks.judge(exercise, answers, keywords["expected"], keywords.get("hint", ""), digits,
                                   everything)
            assert verdict.status == "wrong", f"{name} {exercise}: {answer} = {wrong!r} passes the check"
