"""Unit tests for helpers.validation: TypeError for a wrong type, ValueError for a wrong value, KeyError for a name."""
import re
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
import torch

from helpers.validation import check_bool, check_choice, check_int, check_number, check_type


def raises(error, message):
    """pytest.raises matching the whole message literally (KeyError's str() adds quotes, so search for it)."""
    return pytest.raises(error, match=re.escape(message))


# check_int --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, kwargs", [
    (0, {}), (-10**20, {}), (10**20, {}), (3, {"minimum": 3}), (3, {"maximum": 3}),
    (5, {"minimum": 1, "maximum": 8}), (None, {"optional": True}), (4, {"optional": True, "minimum": 4}),
])
def test_check_int_accepts_integers_in_range(value, kwargs):
    assert check_int("x", value, **kwargs) is None


@pytest.mark.parametrize("value, message", [
    (2.5, "x must be an integer, got 2.5 (float)"),
    (2.0, "x must be an integer, got 2.0 (float)"),  # a whole float is still not an int
    (True, "x must be an integer, got True (bool)"),  # bool is a subclass of int, but not an integer here
    (False, "x must be an integer, got False (bool)"),
    ("3", "x must be an integer, got '3' (str)"),
    (None, "x must be an integer, got None (NoneType)"),  # None only when optional
    (np.int64(3), f"x must be an integer, got {np.int64(3)!r} (int64)"),  # cast with int() first
])
def test_check_int_rejects_other_types_with_type_error(value, message):
    with raises(TypeError, message):
        check_int("x", value)


def test_check_int_optional_says_none_is_allowed():
    with raises(TypeError, "x must be an integer or None, got 2.5 (float)"):
        check_int("x", 2.5, optional=True)
    with raises(TypeError, "x must be an integer or None, got True (bool)"):
        check_int("x", True, optional=True)


@pytest.mark.parametrize("value, kwargs, message", [
    (0, {"minimum": 1}, "x must be at least 1, got 0"),
    (-5, {"minimum": 0}, "x must be at least 0, got -5"),
    (9, {"maximum": 8}, "x must be at most 8, got 9"),
    (9, {"minimum": 1, "maximum": 8}, "x must be at most 8, got 9"),
    (0, {"minimum": 1, "maximum": 8}, "x must be at least 1, got 0"),
    (0, {"minimum": 1, "optional": True}, "x must be at least 1, got 0"),
])
def test_check_int_rejects_out_of_range_with_value_error(value, kwargs, message):
    with raises(ValueError, message):
        check_int("x", value, **kwargs)


def test_check_int_uses_the_given_name():
    with raises(ValueError, "batch_size must be at least 1, got 0"):
        check_int("batch_size", 0, minimum=1)


# check_number -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, kwargs", [
    (0, {}), (-2.5, {}), (float("inf"), {}), (3, {"minimum": 3}), (0.5, {"minimum": 0, "maximum": 1}),
    (1.0, {"maximum": 1}), (1e-300, {"positive": True}), (Fraction(1, 3), {"positive": True}),
    (np.float32(0.5), {"positive": True}), (np.float64(2.0), {"maximum": 2}), (np.int64(2), {}),
    (None, {"optional": True}), (float("inf"), {"positive": True}),
])
def test_check_number_accepts_real_numbers_in_range(value, kwargs):
    assert check_number("x", value, **kwargs) is None


@pytest.mark.parametrize("value, message", [
    (True, "x must be a number, got True (bool)"),
    (False, "x must be a number, got False (bool)"),
    ("1.0", "x must be a number, got '1.0' (str)"),
    (None, "x must be a number, got None (NoneType)"),
    (1j, "x must be a number, got 1j (complex)"),
    ([1.0], "x must be a number, got [1.0] (list)"),
])
def test_check_number_rejects_other_types_with_type_error(value, message):
    with raises(TypeError, message):
        check_number("x", value)


def test_check_number_rejects_a_tensor():
    with pytest.raises(TypeError, match=r"x must be a number, got tensor\(1\.\) \(Tensor\)"):
        check_number("x", torch.tensor(1.0))


def test_check_number_optional_says_none_is_allowed():
    with raises(TypeError, "x must be a number or None, got 'a' (str)"):
        check_number("x", "a", optional=True)


@pytest.mark.parametrize("value", [float("nan"), np.float32("nan"), np.nan])
def test_check_number_rejects_nan_with_value_error(value):
    with raises(ValueError, "x must be a number, got NaN"):
        check_number("x", value)
    with raises(ValueError, "x must be a number, got NaN"):  # NaN passes every comparison, so it is checked first
        check_number("x", value, minimum=0, maximum=1, positive=True, optional=True)


@pytest.mark.parametrize("value, message", [
    (0, "x must be greater than 0, got 0"),
    (0.0, "x must be greater than 0, got 0.0"),
    (-0.0, "x must be greater than 0, got -0.0"),
    (-1.5, "x must be greater than 0, got -1.5"),
    (float("-inf"), "x must be greater than 0, got -inf"),
])
def test_check_number_positive_rejects_zero_and_below(value, message):
    with raises(ValueError, message):
        check_number("x", value, positive=True)
    check_number("x", value)  # without positive=True the same value is fine


@pytest.mark.parametrize("value, kwargs, message", [
    (-0.1, {"minimum": 0}, "x must be at least 0, got -0.1"),
    (1.5, {"maximum": 0.99}, "x must be at most 0.99, got 1.5"),
    (0.4, {"minimum": 0.5, "maximum": 0.999}, "x must be at least 0.5, got 0.4"),
    (2, {"positive": True, "maximum": 1}, "x must be at most 1, got 2"),
    (float("inf"), {"maximum": 10}, "x must be at most 10, got inf"),
])
def test_check_number_rejects_out_of_range_with_value_error(value, kwargs, message):
    with raises(ValueError, message):
        check_number("x", value, **kwargs)


# check_bool -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [True, False])
def test_check_bool_accepts_true_and_false(value):
    assert check_bool("flag", value) is None


@pytest.mark.parametrize("value, message", [
    (1, "flag must be True or False, got 1 (int)"),
    (0, "flag must be True or False, got 0 (int)"),
    ("yes", "flag must be True or False, got 'yes' (str)"),
    (None, "flag must be True or False, got None (NoneType)"),
    (1.0, "flag must be True or False, got 1.0 (float)"),
])
def test_check_bool_rejects_truthy_stand_ins(value, message):
    with raises(TypeError, message):
        check_bool("flag", value)


def test_check_bool_rejects_a_numpy_bool():
    with pytest.raises(TypeError, match=r"flag must be True or False, got .*\(bool_?\)"):
        check_bool("flag", np.bool_(True))


# check_type -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, types", [
    ("a", str), (torch.zeros(1), torch.Tensor), (Counter(), dict), (3, (int, float)), (2.5, (int, float)),
    (True, bool), (True, (bool, int)), (len, type(len)),
])
def test_check_type_accepts_instances(value, types):
    assert check_type("value", value, types, "what is wanted") is None


@pytest.mark.parametrize("value, types, message", [
    (["a"], str, "value must be what is wanted, got list"),
    ({"a": 1}, Counter, "value must be what is wanted, got dict"),
    (None, torch.Tensor, "value must be what is wanted, got NoneType"),
    ("3", (int, float), "value must be what is wanted, got str"),
    (True, int, "value must be what is wanted, got bool"),  # bool is not accepted as an int ...
    (False, (int, float), "value must be what is wanted, got bool"),  # ... nor as a number
])
def test_check_type_rejects_other_types_naming_the_wanted_one(value, types, message):
    with raises(TypeError, message):
        check_type("value", value, types, "what is wanted")


def test_check_type_names_the_subclass_it_got():
    class Special(dict):
        pass

    with raises(TypeError, "counts must be a collections.Counter, got Special"):
        check_type("counts", Special(), Counter, "a collections.Counter")


# check_choice -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, choices", [
    ("adam", {"sgd": 0, "adam": 2}), ("b", ("a", "b")), ("x", {"x"}), (2, [1, 2, 3]),
])
def test_check_choice_accepts_a_member(value, choices):
    assert check_choice("thing", value, choices) is None


@pytest.mark.parametrize("value, choices, message", [
    ("adamw", {"sgd": 0, "sgd-momentum": 1, "adam": 2}, "unknown optimizer 'adamw'; choose one of "
                                                        "['adam', 'sgd', 'sgd-momentum']"),
    ("Adam", ("sgd", "adam"), "unknown optimizer 'Adam'; choose one of ['adam', 'sgd']"),
    (None, {"b", "a"}, "unknown optimizer None; choose one of ['a', 'b']"),
    (4, [3, 1, 2], "unknown optimizer 4; choose one of [1, 2, 3]"),
])
def test_check_choice_rejects_an_unknown_name_with_key_error_listing_the_sorted_choices(value, choices, message):
    with raises(KeyError, message):
        check_choice("optimizer", value, choices)
