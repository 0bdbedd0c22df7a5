"""Argument checks shared by every helper: wrong type is TypeError, wrong value ValueError, unknown key KeyError."""
from collections.abc import Collection
from numbers import Real


def _describe(value: object) -> str:
    return f"{value!r} ({type(value).__name__})"


def check_int(name: str, value: object, minimum: int | None = None, maximum: int | None = None,
              optional: bool = False) -> None:
    """An int (never a bool) in [minimum, maximum]; None too when optional."""
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        wanted = "an integer or None" if optional else "an integer"
        raise TypeError(f"{name} must be {wanted}, got {_describe(value)}")
    _check_range(name, value, minimum, maximum)


def check_number(name: str, value: object, minimum: float | None = None, maximum: float | None = None,
                 positive: bool = False, optional: bool = False) -> None:
    """A real number (int or float, never a bool) in [minimum, maximum], and > 0 when positive."""
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, Real):
        wanted = "a number or None" if optional else "a number"
        raise TypeError(f"{name} must be {wanted}, got {_describe(value)}")
    if value != value:  # NaN
        raise ValueError(f"{name} must be a number, got NaN")
    if positive and not value > 0:
        raise ValueError(f"{name} must be greater than 0, got {value!r}")
    _check_range(name, value, minimum, maximum)


def check_bool(name: str, value: object) -> None:
    """True or False, not a truthy stand-in such as 1 or "yes"."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")


def check_type(name: str, value: object, types: type | tuple[type, ...], wanted: str) -> None:
    """An instance of types; wanted says what that is in words ("a tensor", "a DataLoader")."""
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
        raise TypeError(f"{name} must be {wanted}, got {type(value).__name__}")


def check_choice(name: str, value: object, choices: Collection) -> None:
    """One of a fixed set of names (a mode, a data set): KeyError naming the choices otherwise."""
    if value not in choices:
        raise KeyError(f"unknown {name} {value!r}; choose one of {sorted(choices)}")


def _check_range(name: str, value: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value!r}")


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)
