"""Self-checks for the exercises: say right, or wrong with a hint, without ever showing the answer."""
import ast
import builtins
import hashlib
import json
import math
import os
import re
import sys
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from numbers import Integral, Real

from helpers.validation import check_int, check_type

# Set by `tools/classroom.py record`: check() then appends the digests of the answers it sees to this file.
RECORD_ENV = "EMBEDDINGS_CHECKS_RECORD"
NOT_ANSWERED = "not answered yet"


def canonical(value: object, digits: int = 3) -> str:
    """One text per answer: numbers rounded to `digits` decimals, tensors/arrays/tuples/lists as nested lists."""
    check_int("digits", digits, minimum=0, maximum=12)
    if hasattr(value, "detach") and hasattr(value, "tolist"):  # a torch tensor, without importing torch
        value = value.detach().cpu().tolist()
    elif hasattr(value, "tolist") and hasattr(value, "dtype"):  # a numpy array or scalar
        value = value.tolist()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Integral):
        return f"{int(value)}.{'0' * digits}" if digits else str(int(value))
    if isinstance(value, Real):
        number = float(value)
        if not math.isfinite(number):
            return str(number)
        text = f"{round(number, digits):.{digits}f}"
        return text[1:] if re.fullmatch(r"-0\.?0*", text) else text  # -0.000 is 0.000
    if isinstance(value, str):
        return json.dumps(value.strip())
    if isinstance(value, Mapping):
        items = sorted(f"{canonical(k, digits)}:{canonical(v, digits)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, Set):
        return "{" + ",".join(sorted(canonical(v, digits) for v in value)) + "}"
    if isinstance(value, (list, tuple)):  # a torch.Size is a tuple: a shape may be given as a list too
        return "[" + ",".join(canonical(v, digits) for v in value) + "]"
    return repr(value)


def digest(exercise: str, expression: str, value: object, digits: int = 3) -> str:
    """Salted SHA-256 (salt: exercise and expression), first 12 hex digits: stored in the check cell."""
    text = f"embeddings-explained|{exercise}|{expression}|{canonical(value, digits)}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _unanswered(expression: str, namespace: Mapping) -> bool:
    """True when a name the expression reads is undefined or still the `...` placeholder of the starter cell."""
    nodes = [n for n in ast.walk(ast.parse(expression, mode="eval")) if isinstance(n, ast.Name)]
    bound = {n.id for n in nodes if isinstance(n.ctx, ast.Store)}  # comprehension variables
    return any(namespace.get(n.id, ...) is ... and not hasattr(builtins, n.id) for n in nodes if n.id not in bound)


@dataclass(frozen=True)
class Verdict:
    """What a check found: status "right", "wrong" or "unanswered", and the line it prints."""
    status: str
    message: str


def judge(exercise: str, answers: Sequence[str], expected: str, hint: str = "", digits: int = 3,
          namespace: Mapping | None = None) -> Verdict:
    """Evaluate each answer expression in the namespace and compare its digest with the expected ones."""
    check_type("exercise", exercise, str, "a string such as '05.1'")
    if not answers or not all(isinstance(a, str) and a.strip() for a in answers):
        raise TypeError("answers must be one or more expressions as strings, such as 'n_params'")
    check_type("expected", expected, str, "a string of digests separated by spaces")
    namespace = {} if namespace is None else namespace
    wanted = expected.split()
    recording = os.environ.get(RECORD_ENV)
    if len(wanted) != len(answers) and not recording:
        raise ValueError(f"exercise {exercise}: {len(answers)} answers but {len(wanted)} expected digests; "
                         "run `python tools/classroom.py record` to store them")
    title = f"Exercise {exercise}"
    missing = [a for a in answers if _unanswered(a, namespace)]
    if missing:
        return Verdict("unanswered", f"{title}: {NOT_ANSWERED} (fill in {', '.join(missing)} above, then run "
                                     "this cell again)")
    got, wrong = [], []
    for answer in answers:
        try:
            value = eval(answer, dict(namespace))  # noqa: S307 - the notebook's own expression, in its own namespace
        except Exception as error:  # a half-finished answer: say what failed, do not stop the notebook
            got.append(None)
            wrong.append(f"{answer} ({type(error).__name__}: {error})")
            continue
        if value is None or value is ...:  # e.g. a .grad before any backward pass
            missing.append(answer)
        got.append(digest(exercise, answer, value, digits))
    if missing:
        return Verdict("unanswered", f"{title}: {NOT_ANSWERED} ({', '.join(missing)} is still empty: finish "
                                     "the cell above)")
    if recording:
        with open(recording, "a", encoding="utf-8") as log:
            log.write(json.dumps({"exercise": exercise, "answers": list(answers), "digests": got}) + "\n")
        wanted = got if None not in got else wanted
    wrong += [a for a, g, w in zip(answers, got, wanted) if g is not None and g != w]
    if not wrong:
        return Verdict("right", f"{title}: right ✓")
    return Verdict("wrong", f"{title}: not right yet: {'; '.join(wrong)}." + (f" Hint: {hint}" if hint else ""))


def check(exercise: str, *answers: str, expected: str, hint: str = "", digits: int = 3) -> None:
    """Print whether the answers (expressions in the notebook, as strings) are right; never print the answer."""
    print(judge(exercise, answers, expected, hint, digits, sys._getframe(1).f_globals).message)
