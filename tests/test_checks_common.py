from course_utils.checks import CheckResult, call_student, checker, failed, passed


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
