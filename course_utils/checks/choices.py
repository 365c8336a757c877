"""Predictions made by choosing: the student picks one of a few listed answers, and each wrong choice is a
misconception answered in its own words (without naming the right choice).

A choice is written as its letter, ``"b"``; ``"(b)"``, ``"B"`` and ``"b)"`` are read the same way.
"""
from .common import Failure, passed, student_value


def read_choice(exercise, value, name, choices):
    """The letter the student chose; ``Failure`` naming the letters there are for anything else."""
    letters = ", ".join(f'"{key}"' for key in choices)
    value = student_value(exercise, value, name, example=f"one of {letters}")
    if not isinstance(value, str):
        raise Failure(f"`{name}` is {value!r:.40} ({type(value).__name__}), not one of the letters.",
                      f"write the letter of your choice in quotes after `{name} =`, one of {letters}.")
    key = value.strip().strip("().").strip().lower()
    if key not in choices:
        raise Failure(f"`{name}` is {value!r:.60}, which is none of the choices.",
                      f"write only the letter of your choice, one of {letters}; the reasons are listed above the "
                      f"cell.")
    return key


def check_choice(exercise, value, name, choices, right):
    """``choices``: letter -> what the course answers to it (for ``right``, why it holds)."""
    key = read_choice(exercise, value, name, choices)
    if key != right:
        raise Failure(f"({key}) is not what happens: {choices[key]}",
                      "read your choice against that, pick again, then run the cell below to see the measurement.")
    return passed(exercise, f"({key}): {choices[key]}")
