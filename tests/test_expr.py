"""The expression language (autograd/expr.py): Python-like arithmetic read with `ast`, never
run as Python; anything else is an error naming what, where and what is allowed."""

import pytest

from autograd import Value
from autograd.engine import FUNCTIONS
from autograd.expr import ExpressionError, evaluate, parse


def leaves(**numbers: float) -> dict[str, Value]:
    return {name: Value(x, name) for name, x in numbers.items()}


def test_xyz_statements_build_the_graph_with_labels():
    given = leaves(x=-2, y=5, z=-4)
    computed = evaluate(parse("q = x + y; f = q * z"), given)
    q, f = computed["q"], computed["f"]
    assert (q.data, f.data) == (3.0, -12.0)  # cs231n: q = -2 + 5, f = 3 * -4
    assert (q.label, f.label) == ("q", "f")
    assert f.op == "*" and f.inputs == (q, given["z"])
    f.backward()
    assert [given[n].grad for n in "xyz"] == [-4.0, -4.0, 3.0]  # cs231n's gradients


def test_newlines_separate_statements_and_order_does_not_matter():
    given = leaves(a=2, b=1)
    # colah: c = a + b = 3, d = b + 1 = 2, e = c * d = 6, written out of order
    computed = evaluate(parse("e = c * d\nc = a + b\nd = b + 1"), given)
    assert list(computed) == ["c", "d", "e"]  # computed in dependency order
    assert computed["e"].data == 6.0


def test_a_bare_last_expression_is_named_out():
    computed = evaluate(parse("x * y + 1"), leaves(x=3, y=4))
    assert computed["out"].data == 13.0  # 3 * 4 + 1


def test_operators_unary_minus_powers_and_functions():
    text = (
        "a = -x ** 2; b = 2 ** y; c = x / y - 1; d = sigmoid(0) + exp(log(y)); e = clamp(x, 0, 1)"
    )
    computed = evaluate(parse(text), leaves(x=3, y=2))
    assert computed["a"].data == -9.0  # -(3 ** 2): ** binds tighter than unary minus
    assert computed["b"].data == 4.0
    assert computed["c"].data == 0.5  # 3 / 2 - 1
    assert computed["d"].data == pytest.approx(2.5)  # 0.5 + 2
    assert computed["e"].data == 1.0  # 3 clamped to [0, 1]
    assert computed["c"].op == "-" and computed["c"].inputs[0].op == "/"


def test_each_operator_is_one_node():
    computed = evaluate(parse("f = x - y"), leaves(x=1, y=2))
    assert computed["f"].op == "-"  # one `-` node, not x + (-y)


def test_functions_are_looked_up_in_the_engines_table(monkeypatch):
    # A function registered in FUNCTIONS (as other operations are) is usable at once.
    monkeypatch.setitem(FUNCTIONS, "double", lambda v: v * 2)
    computed = evaluate(parse("f = double(x)"), leaves(x=21))
    assert computed["f"].data == 42.0
    with pytest.raises(ExpressionError, match="calls to abs, clamp, double, exp"):
        parse("f = x.y")  # the message lists the table as it is now


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "__import__('os').system('touch pwned')",
            "line 1, column 1: found a call to an attribute (.system)",
        ),
        ("().__class__", "found an attribute (.__class__)"),
        ("f = x.real", "line 1, column 5: found an attribute (.real)"),
        ("f = 'text'", "found a string"),
        ("f = x[0]", "found a subscript"),
        ("f = lambda: 1", "found a lambda"),
        ("import os", "found an import"),
        ("f = open('x')", "found a call to 'open', which is not a known function"),
        ("f = __builtins__", "found the name '__builtins__'"),
        ("f = x if y else 1", "found an if-expression"),
        ("f = x < y", "found a comparison"),
        ("f = [x]", "found a list"),
        ("f = x // y", "found the operator FloorDiv"),
        ("f = True", "found the constant True"),
        ("f = exp", "found the function exp without a call"),
        ("f = exp(x=1)", "found a keyword argument to exp"),
        ("f = x\ng = (x := 2)", "line 2, column 6: found an assignment expression"),
        ("f = x +", "line 1, column 8: cannot parse"),
        ("f.a = x", "found an assignment to something other than one name"),
    ],
)
def test_anything_outside_the_language_is_an_error_saying_what_and_where(text, found, tmp_path):
    with pytest.raises(ExpressionError) as error:
        evaluate(parse(text), leaves(x=1, y=2))
    assert found in str(error.value)
    assert not (tmp_path / "pwned").exists()


def test_syntax_errors_say_what_is_allowed():
    with pytest.raises(ExpressionError, match="allowed are numbers, names, "):
        parse("f = )")


def test_unknown_name_lists_the_known_ones_but_not_the_one_being_defined():
    # f is what the line defines, so it cannot be what w9 meant (issue 23)
    with pytest.raises(ExpressionError, match="uses the unknown name 'w9'; known names: x, y$"):
        evaluate(parse("f = w9 * x"), leaves(x=1, y=2))
    with pytest.raises(ExpressionError, match="'w9'; known names: x, q$"):
        evaluate(parse("q = x + 1; f = w9 * q"), leaves(x=1))


def test_a_cycle_between_definitions_is_named():
    with pytest.raises(ExpressionError, match="cycle: a -> b -> a"):
        evaluate(parse("a = b + 1\nb = a * 2"), leaves(x=1))


def test_a_name_defined_twice_or_also_given_is_an_error():
    with pytest.raises(ExpressionError, match="f is defined twice"):
        evaluate(parse("f = x; f = x * 2"), leaves(x=1))
    with pytest.raises(ExpressionError, match="x is given a number and also defined"):
        evaluate(parse("x = 2 * 3"), leaves(x=1))


def test_a_definition_that_only_renames_is_an_error():
    with pytest.raises(ExpressionError, match="only renames a value"):
        evaluate(parse("f = x"), leaves(x=1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("f = x / (y - 2)", "division by zero in 1.0 / 0.0"),
        ("f = log(x - 1)", "log(0.0): log is defined only for positive numbers"),
        ("f = exp(x * 1000)", "exp(1000.0) overflows"),
        ("f = clamp(x, 2, 1)", "clamp needs low <= high"),
        ("f = tanh(x, y)", "tanh(...) with 2 arguments"),
    ],
)
def test_math_errors_at_the_given_values_name_the_definition(text, message):
    with pytest.raises(ExpressionError) as error:
        evaluate(parse(text), leaves(x=1, y=2))
    assert "line 1: f = " in str(error.value) and message in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("f = " + "(" * 5000 + "x" + ")" * 5000, "too many nested parentheses"),
        ("f = x" + " + x" * 50000, "nested too deeply"),
    ],
)
def test_too_deep_nesting_is_a_clear_error_not_a_crash(text, message):
    with pytest.raises(ExpressionError, match=message):
        evaluate(parse(text), leaves(x=1))


def test_an_empty_text_is_an_error():
    with pytest.raises(ExpressionError, match="no statements"):
        parse("  ")


# -- the language builds the graph Python's own operators build ----------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

LEAF = st.sampled_from(["x", "y", "2", "0.5", "-3"])


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    unary = st.tuples(st.sampled_from(["-", "tanh", "sigmoid"]), children).map(
        lambda t: f"-({t[1]})" if t[0] == "-" else f"{t[0]}({t[1]})"
    )
    return binary | unary


@settings(max_examples=60, deadline=None)
@given(st.recursive(LEAF, _combine, max_leaves=12))
def test_text_gives_the_values_and_gradients_of_the_same_python_expression(text):
    expected_x, expected_y = Value(0.7, "x"), Value(-1.3, "y")

    # The reference: the same text run by Python on Values (generated text, not user input).
    # (A function of a plain number takes it as a leaf, as the language does.)
    def lift(f):
        return lambda v: f(v if isinstance(v, Value) else Value(v))

    namespace = {"x": expected_x, "y": expected_y, "tanh": lift(Value.tanh)}
    namespace["sigmoid"] = lift(Value.sigmoid)
    expected = eval(f"({text}) + x * 0 + y * 0", {"__builtins__": {}}, namespace)
    given = leaves(x=0.7, y=-1.3)
    computed = evaluate(parse(f"f = ({text}) + x * 0 + y * 0"), given)["f"]
    assert computed.data == expected.data
    expected.backward()
    computed.backward()
    assert given["x"].grad == expected_x.grad and given["y"].grad == expected_y.grad
