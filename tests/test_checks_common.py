from course_utils.checks import CheckResult, call_student, checker, failed, passed, student_value, yours_or_reference


@checker("double")
def check_double(fn):
    value = call_student("double", fn, 3)
    if value != 6:
        return failed("double", f"double(3) returned {value!r}, expected 6.", "multiply by 2.")
    return passed("double", "double(3) == 6.")


def test_passed_and_failed_render_one_line():
    assert repr(passed("ex", "all good.")) == "✔ ex: all good."
    result = failed("ex", "wrong shape (2, 3).", "transpose it.")
    assert not result and repr(result) == "✘ ex: wrong shape (2, 3). Try: transpose it."
    assert "#cf222e" in result._repr_html_()


def test_checker_passes_a_correct_function():
    assert check_double(lambda x: 2 * x).ok


def test_checker_diagnoses_a_wrong_value():
    result = check_double(lambda x: x + 2)
    assert not result and "returned 5" in result.message


def test_unfinished_skeleton_is_reported_as_not_done():
    def skeleton(x):
        raise NotImplementedError("Exercise: double x.")

    result = check_double(skeleton)
    assert not result and "not done yet" in result.message and "Exercise: double x." in result.message


def test_student_exception_is_one_line_without_internals():
    def buggy(x):
        return x + "2"

    result = check_double(buggy)
    assert not result
    assert result.message.startswith("your code raised TypeError: unsupported operand")
    assert "\n" not in result.message


def test_not_a_function():
    result = check_double(6)
    assert not result and "without calling it" in result.message


def test_check_result_is_a_plain_dataclass():
    assert CheckResult(True, "a", "b") == passed("a", "b")


def test_checkers_build_in_float32_under_a_float16_notebook_policy_and_restore_it():
    """Notebook 01 builds AlexNet and VGG in float16; every checker still builds and compares in float32."""
    import keras
    from keras import layers

    @checker("policy")
    def check_policy(fn):
        call_student("policy", fn)
        return passed("policy", layers.Dense(2).dtype_policy.name)

    def skeleton():
        raise NotImplementedError

    keras.config.set_dtype_policy("float16")
    try:
        assert check_policy(lambda: None).message == "float32"
        assert keras.config.dtype_policy().name == "float16"
        assert not check_policy(skeleton).ok  # restored after a failed check as well
        assert keras.config.dtype_policy().name == "float16"
    finally:
        keras.config.set_dtype_policy("float32")


def reference_triple(x):
    return 3 * x


RUNS = []


@checker("triple", reference=reference_triple)
def check_triple(fn):
    RUNS.append(fn)
    value = call_student("triple", fn, 2)
    if value != 6:
        return failed("triple", f"triple(2) returned {value!r}, expected 6.", "multiply by 3.")
    return passed("triple", "triple(2) == 6.")


def test_yours_or_reference_hands_out_the_students_function_once_it_passes(capsys):
    def triple(x):
        return x * 3

    assert check_triple(triple).ok and RUNS[-1] is triple
    runs = len(RUNS)
    assert yours_or_reference(triple) is triple and len(RUNS) == runs  # it passed its check cell: not run again
    assert capsys.readouterr().out == ""

    def triple(x):  # a new definition is checked again, quietly
        return x + x + x

    assert yours_or_reference(triple) is triple and len(RUNS) == runs + 1 and capsys.readouterr().out == ""


def test_yours_or_reference_goes_on_with_the_reference_and_says_so_in_one_line(capsys):
    def triple(x):
        raise NotImplementedError("Exercise: return three times x.")

    assert yours_or_reference(triple) is reference_triple
    out = capsys.readouterr().out
    assert out == ("ℹ Your triple is not done yet, so the cells below use the course's reference triple; once your "
                   "check passes, run them again to use yours.\n")

    def triple(x):
        return 2 * x

    assert yours_or_reference(triple) is reference_triple
    assert "ℹ Your triple does not pass its check yet, so the cells below use" in capsys.readouterr().out


def test_a_function_that_stops_passing_is_no_longer_handed_out(capsys):
    answers = {"factor": 3}

    def triple(x):
        return answers["factor"] * x

    assert check_triple(triple).ok
    answers["factor"] = 2
    assert not check_triple(triple).ok
    assert yours_or_reference(triple) is reference_triple and "ℹ" in capsys.readouterr().out


def test_the_reference_handed_back_to_its_checker_is_named_as_such():
    result = check_triple(reference_triple)
    assert not result and "this is the course's reference triple, not yours" in result.message
    assert "run your exercise cell" in result.message


def test_a_prediction_left_blank_is_not_done_yet():
    @checker("side")
    def check_side(side):
        side = student_value("side", side, "side", example="a whole number of pixels")
        return passed("side", "right.") if side == 28 else failed("side", f"{side} is not it.", "use the formula.")

    result = check_side(...)
    assert not result and result.message == ("not done yet: `side` is still `...`. Try: replace the `...` after "
                                             "`side =` with your answer (a whole number of pixels), then run the "
                                             "check again.")
    assert check_side(28).ok and not check_side(27).ok


# --- the small core every checker uses ---------------------------------------------------------------------------

def test_a_failure_carries_its_problem_fix_and_the_students_exception():
    from course_utils.checks.common import Failure, StudentRaised

    @checker("halve")
    def check_halve(fn):
        try:
            call_student("halve", fn, 4)
        except StudentRaised as failure:
            assert isinstance(failure.cause, ZeroDivisionError) and failure.fix
            assert failure.first_line() == "ZeroDivisionError: division by zero"
            raise
        raise Failure("no.", "try again.")

    result = check_halve(lambda x: x / 0)
    assert not result and result.done and result.message.startswith("your code raised ZeroDivisionError")
    assert check_halve(lambda x: x / 2).message == "no. Try: try again."


def test_number_parses_a_prediction_or_says_what_is_wrong():
    import numpy as np
    import pytest

    from course_utils.checks.common import Failure, number

    assert number(np.int64(12), "n", whole="round.") == 12 and number(12.5, "n") == 12.5
    for value, words in [("12", "`n` is '12' (str), not a number. Try: write a number after `n =`."),
                         (True, "not a number"), (12.5, "`n` is 12.5, not a whole number. Try: round."),
                         (float("nan"), "`n` is nan, not a whole number.")]:
        with pytest.raises(Failure) as info:
            number(value, "n", whole="round." if isinstance(value, float) else None)
        assert words in info.value.result("n").message


def test_predicted_reads_one_table_of_known_slips():
    import pytest

    from course_utils.checks.common import Failure, known_slip, predicted

    slips = {54: "forgot the + 1.", 57: ("padding='same'.", "no padding.")}
    predicted(55, 55, slips, "wrong", "fix it.")
    with pytest.raises(Failure) as info:
        predicted(54, 55, slips, "54 is wrong", "fix it.")
    assert (info.value.problem, info.value.fix) == ("54 is wrong: forgot the + 1.", "fix it.")
    with pytest.raises(Failure) as info:
        predicted(57, 55, slips, "57 is wrong", "fix it.")
    assert (info.value.problem, info.value.fix) == ("57 is wrong: padding='same'.", "no padding.")
    with pytest.raises(Failure) as info:
        predicted(1, 55, slips, "1 is wrong", "fix it.", "count again.")
    assert info.value.problem == "1 is wrong: count again."
    assert known_slip(12.3, [(12.25, "MiB")], lambda a, b: abs(a - b) < 0.1) == "MiB"
    assert known_slip(3, [(None, "skipped")]) is None


def test_randomise_gives_every_weight_a_value_away_from_keras_start():
    import keras
    import numpy as np
    from keras import layers

    from course_utils.checks.common import randomise

    model = keras.Sequential([keras.Input(shape=(4, 4, 3)), layers.Conv2D(3, 3), layers.BatchNormalization()])
    randomise(model)
    bn = model.layers[1]
    assert np.abs(np.array(bn.beta)).min() >= 0.2 and np.abs(np.array(bn.moving_mean)).min() >= 0.2
    assert not np.allclose(bn.moving_variance, 1) and not np.allclose(bn.gamma, 1)
    before = [np.array(w) for w in model.weights]
    randomise(model, seed=1)
    assert not all(np.array_equal(a, np.array(b)) for a, b in zip(before, model.weights))


def test_a_check_leaves_kerass_layer_numbering_as_it_found_it():
    """Later cells print auto-numbered layer names (conv2d_12); they must not depend on what a check built."""
    from keras import layers

    @checker("numbering")
    def check_numbering(fn):
        call_student("numbering", fn)
        return passed("numbering", "built.")

    before = layers.Conv2D(1, 1).name
    assert check_numbering(lambda: [layers.Conv2D(1, 1) for _ in range(5)]).ok
    after = layers.Conv2D(1, 1).name
    number = int(before.rsplit("_", 1)[1]) if "_" in before.removeprefix("conv2d") else 0
    assert after == f"conv2d_{number + 1}"
