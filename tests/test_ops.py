"""Every row of the op table against central differences, the error messages, and random
expression graphs (hypothesis) against numerical_grad."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, evaluate_op, gradcheck, numerical_grad, ops, sum_of, weighted_sum
from autograd.backward import local_derivatives

# For each row of the table: how to build it from Values, and points inside its domain.
# (A list of pairs, not a dict: rows compare equal by symbol, and both powers are "**".)
ROWS = [
    (ops.ADD, lambda a, b: a + b, [(1.0, 2.0), (-3.5, 0.25), (0.0, -7.0)]),
    (ops.SUB, lambda a, b: a - b, [(1.0, 2.0), (-3.5, 0.25), (4.0, 4.0)]),
    (ops.MUL, lambda a, b: a * b, [(1.5, 2.0), (-3.5, 0.25), (0.0, 3.0)]),
    (ops.DIV, lambda a, b: a / b, [(1.0, 2.0), (-3.5, 0.25), (2.0, -0.5)]),
    (ops.POW, lambda a, b: a**b, [(2.0, 3.0), (0.5, -1.5), (3.0, 0.5)]),
    (ops.POW_C, lambda a: a**3, [(1.5,), (-2.0,), (0.3,)]),
    (ops.NEG, lambda a: -a, [(1.5,), (-2.0,)]),
    (ops.EXP, lambda a: a.exp(), [(0.0,), (-2.0,), (3.5,)]),
    (ops.LOG, lambda a: a.log(), [(0.1,), (1.0,), (20.0,)]),
    (ops.TANH, lambda a: a.tanh(), [(0.0,), (-2.0,), (0.7,)]),
    (ops.SIGMOID, lambda a: a.sigmoid(), [(0.0,), (-3.0,), (2.5,)]),
    (ops.RELU, lambda a: a.relu(), [(-1.0,), (2.0,), (0.5,)]),
    (ops.CLAMP, lambda a: a.clamp(-1.0, 1.0), [(-2.0,), (0.5,), (3.0,)]),
    (ops.SUM, lambda a, b, c: sum_of([a, b, c]), [(1.0, -2.0, 0.5), (3.0, 3.0, 3.0)]),
    (
        ops.WSUM,
        lambda w1, x1, w2, x2, b: weighted_sum([w1, w2], [x1, x2], b),
        [(0.15, 0.05, 0.2, 0.1, 0.35), (-1.0, 2.0, 3.0, -0.5, 0.0)],
    ),
    (ops.MAX, lambda a, b: a.max(b), [(1.0, 2.0), (-3.5, 0.25), (2.0, -1.0)]),
    (ops.MIN, lambda a, b: a.min(b), [(1.0, 2.0), (-3.5, 0.25), (2.0, -1.0)]),
    (ops.ABS, lambda a: abs(a), [(-1.5,), (2.0,), (0.25,)]),
]


def row(op):
    return next((build, points) for candidate, build, points in ROWS if candidate is op)


def test_every_row_of_the_table_is_tested():
    assert sorted(map(id, ops.TABLE)) == sorted(id(op) for op, _, _ in ROWS)


@pytest.mark.parametrize("op", ops.TABLE, ids=lambda op: f"{op}-{op.template}")
def test_row_matches_central_differences(op):
    build, points = row(op)
    for point in points:
        inputs = [Value(p) for p in point]
        out = build(*inputs)
        assert out.op is op
        assert gradcheck(build, inputs, atol=1e-6, rtol=1e-5)


# Plain-Python formulas for each row, in the order of ROWS.
REFERENCE = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / b,
    lambda a, b: a**b,
    lambda a: a**3,
    lambda a: -a,
    math.exp,
    math.log,
    math.tanh,
    lambda a: 1 / (1 + math.exp(-a)),
    lambda a: max(a, 0.0),
    lambda a: min(max(a, -1.0), 1.0),
    lambda a, b, c: a + b + c,
    lambda w1, x1, w2, x2, b: w1 * x1 + w2 * x2 + b,
    max,
    min,
    abs,
]


@pytest.mark.parametrize("k", range(len(ROWS)), ids=[f"{op}-{op.template}" for op, _, _ in ROWS])
def test_row_forward_matches_python_math(k):
    _, build, points = ROWS[k]
    for point in points:
        expected = REFERENCE[k](*point)
        assert build(*[Value(p) for p in point]).data == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("k", range(len(ROWS)), ids=[str(op) for op, _, _ in ROWS])
def test_every_row_is_called_with_plain_numbers_the_same_way(k):
    # One calling convention for every row: evaluate_op on the inputs' numbers (and the
    # node's constant) gives the node's data and the local derivatives backward uses.
    op, build, points = ROWS[k]
    for point in points:
        node = build(*[Value(p) for p in point])
        out, local = evaluate_op(op, [x.data for x in node.inputs], node.const)
        assert out == node.data
        assert local == local_derivatives(node)
        assert len(local) == len(node.inputs)


def test_evaluate_op_gives_the_output_and_local_derivatives_of_plain_numbers():
    assert evaluate_op(ops.MUL, [3.0, -4.0]) == (-12.0, (-4.0, 3.0))  # d(ab)/da = b, /db = a
    assert evaluate_op(ops.POW_C, [2.0], 3.0) == (8.0, (12.0,))  # 2 ** 3; 3 * 2 ** 2
    # w1*x1 + w2*x2 + b = 0.15*0.05 + 0.2*0.1 + 0.35; d/dw_i = x_i, d/dx_i = w_i, d/db = 1
    out, local = evaluate_op(ops.WSUM, [0.15, 0.05, 0.2, 0.1, 0.35])
    assert out == pytest.approx(0.3775, abs=1e-15)
    assert local == (0.05, 0.15, 0.1, 0.2, 1.0)
    assert evaluate_op(ops.CLAMP, [3.0], (-1.0, 1.0)) == (1.0, (0.0,))  # clipped: no slope


def test_evaluate_op_takes_the_derivatives_at_a_given_output():
    # A learner's own tanh output 0.5 (whatever the input): d tanh = 1 - 0.5 ** 2 = 0.75.
    assert evaluate_op(ops.TANH, [2.0], out=0.5) == (0.5, (0.75,))
    # Ints (as a TOML file gives them) come back as floats.
    assert evaluate_op(ops.ADD, [2, 3]) == (5.0, (1.0, 1.0))


def test_evaluate_op_without_derivatives_where_the_slope_does_not_exist():
    assert evaluate_op(ops.POW_C, [0.0], 0.5, derivatives=False) == (0.0, ())
    with pytest.raises(ValueError, match=r"derivative of x \*\* 0\.5 at x = 0\.0 is infinite"):
        evaluate_op(ops.POW_C, [0.0], 0.5)
    with pytest.raises(ValueError, match=r"log\(-1\.0\)"):
        evaluate_op(ops.LOG, [-1.0])


def test_relu_derivative_at_zero_is_zero():
    # relu has no derivative at 0; like PyTorch we use 0 there.
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0


def test_clamp_passes_gradient_only_inside_its_bounds():
    for start, expected in ((-2.0, 0.0), (0.5, 1.0), (3.0, 0.0)):
        x = Value(start)
        x.clamp(-1.0, 1.0).backward()
        assert x.grad == expected


@pytest.mark.parametrize("x", [1e300, -1e300, 710.0, -710.0, 50.0, -50.0])
def test_sigmoid_and_tanh_are_exact_and_finite_for_any_finite_input(x):
    s = Value(x).sigmoid()
    t = Value(x).tanh()
    assert s.data == (1.0 if x > 0 else 0.0) or 0.0 < s.data < 1.0
    assert t.data == math.tanh(x)
    expected_sigmoid = 1 / (1 + math.exp(-x)) if x > -700 else 0.0
    assert s.data == pytest.approx(expected_sigmoid, rel=1e-15, abs=1e-300)
    for v in (Value(x), Value(x)):
        out = v.sigmoid() * v.tanh()
        out.backward()
        assert math.isfinite(v.grad)


def test_sigmoid_of_large_inputs_is_exact():
    assert Value(1e300).sigmoid().data == 1.0
    assert Value(-1e300).sigmoid().data == 0.0
    assert Value(-745.0).sigmoid().data == math.exp(-745.0)  # the smallest subnormal


# -- errors: each names the operation and the value ------------------------------------


def test_log_of_a_non_positive_number():
    with pytest.raises(ValueError, match=r"log\(-1\.0\): log is defined only for positive"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match=r"log\(0\.0\)"):
        Value(0.0).log()


def test_division_by_zero():
    with pytest.raises(ZeroDivisionError, match=r"division by zero in 1\.0 / 0\.0"):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError, match=r"2\.0 / 0\.0"):
        2 / Value(0.0)


def test_negative_base_to_a_fractional_power():
    with pytest.raises(ValueError, match=r"-8\.0 \*\* 0\.5: a negative number to a fractional"):
        Value(-8.0) ** 0.5
    assert (Value(-2.0) ** 3).data == -8.0  # a whole exponent is fine


def test_negative_base_to_a_value_power():
    with pytest.raises(ValueError, match=r"-2\.0 \*\* 2\.0: a negative base to a Value"):
        Value(-2.0) ** Value(2.0)


def test_zero_to_a_negative_power():
    with pytest.raises(ZeroDivisionError, match=r"0\.0 \*\* -1\.0"):
        Value(0.0) ** -1


def test_infinite_derivative_of_a_root_at_zero():
    x = Value(0.0)
    y = x**0.5
    assert y.data == 0.0
    with pytest.raises(ValueError, match=r"derivative of x \*\* 0\.5 at x = 0\.0 is infinite"):
        y.backward()


def test_exp_overflow():
    with pytest.raises(OverflowError, match=r"exp\(710\.0\) overflows"):
        Value(710.0).exp()
    assert Value(709.0).exp().data == math.exp(709.0)


def test_arithmetic_overflow_is_an_error_not_inf():
    with pytest.raises(OverflowError, match=r"1e\+200 \* 1e\+200 = inf"):
        Value(1e200) * 1e200
    with pytest.raises(OverflowError, match=r"\*\*"):
        Value(10.0) ** 400


def test_clamp_bounds_must_be_ordered():
    with pytest.raises(ValueError, match="low <= high"):
        Value(1.0).clamp(2.0, 1.0)


# -- numerical_grad and gradcheck ------------------------------------------------------


def test_numerical_grad_of_the_slide_example():
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    grads = numerical_grad(lambda x, y, z: (x + y) * z, [x, y, z])
    assert grads == pytest.approx([-4.0, -4.0, 3.0], abs=1e-6)
    assert (x.data, y.data, z.data) == (-2.0, 5.0, -4.0)  # inputs restored


def test_gradcheck_leaves_the_inputs_grads_as_it_found_them():
    a, b = Value(1.5), Value(-0.5)
    a.grad, b.grad = 7.0, -3.0
    assert gradcheck(lambda a, b: (a * b).tanh(), [a, b]) is True
    assert (a.grad, b.grad) == (7.0, -3.0)


def test_gradcheck_names_each_input_that_disagrees(monkeypatch):
    # Break tanh's row of the table: d tanh/dx = 1 - out^2 becomes 1 + out^2.
    monkeypatch.setattr(ops.TANH, "local", lambda a, *, out: (1.0 + out * out,))
    a, b = Value(0.5, "a"), Value(2.0, "b")
    with pytest.raises(AssertionError) as error:
        gradcheck(lambda a, b: a.tanh() + b * 2, [a, b])
    message = str(error.value)
    assert "1 of 2 inputs" in message
    assert "input 0 (a) at 0.5" in message
    assert "input 1" not in message


def test_numerical_grad_rejects_a_non_positive_eps():
    with pytest.raises(ValueError, match="eps must be positive"):
        numerical_grad(lambda a: a * 2, [Value(1.0)], eps=0.0)


# -- property tests: random expression graphs ------------------------------------------

SAFE_UNARY = ["tanh", "sigmoid", "neg", "square", "exp_small"]
BINARY = ["+", "-", "*", "/"]


@st.composite
def expression(draw):
    """A random graph over 1-4 leaves, with reuse, kept inside every op's domain."""
    n_leaves = draw(st.integers(1, 4))
    starts = draw(st.lists(st.floats(-2.0, 2.0), min_size=n_leaves, max_size=n_leaves))
    program = draw(
        st.lists(
            st.tuples(st.sampled_from(SAFE_UNARY + BINARY), st.integers(0, 99), st.integers(0, 99)),
            min_size=1,
            max_size=12,
        )
    )
    return starts, program


def run(program, leaves):
    pool = list(leaves)
    for op, i, j in program:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        if op == "tanh":
            pool.append(a.tanh())
        elif op == "sigmoid":
            pool.append(a.sigmoid())
        elif op == "neg":
            pool.append(-a)
        elif op == "square":
            pool.append(a**2)
        elif op == "exp_small":
            pool.append((a.tanh()).exp())
        elif op == "+":
            pool.append(a + b)
        elif op == "-":
            pool.append(a - b)
        elif op == "*":
            pool.append(a * b.tanh())
        else:
            pool.append(a / (b * b + 1.0))
    return pool[-1]


@settings(max_examples=150, deadline=None)
@given(expression())
def test_random_graphs_match_numerical_gradients(case):
    starts, program = case
    leaves = [Value(s) for s in starts]
    out = run(program, leaves)
    out.backward()
    numeric = numerical_grad(lambda *xs: run(program, xs), leaves)
    for leaf, n in zip(leaves, numeric):
        assert leaf.grad == pytest.approx(n, abs=1e-5, rel=1e-4)


@settings(max_examples=50, deadline=None)
@given(expression())
def test_random_graphs_give_bitwise_equal_gradients_when_rebuilt(case):
    starts, program = case
    results = []
    for _ in range(2):
        leaves = [Value(s) for s in starts]
        run(program, leaves).backward()
        results.append([leaf.grad for leaf in leaves])
    assert results[0] == results[1]


def test_overflow_message_summarises_a_long_sum():
    with pytest.raises(OverflowError, match=r"^sum of 6 values \(largest in size 1e\+308\) = inf"):
        sum_of([Value(1e308)] * 3 + [Value(9e307)] * 3)
    with pytest.raises(OverflowError, match=r"^sum\(1e\+308, 1e\+308\) = inf"):
        sum_of([Value(1e308)] * 2)


def test_a_non_finite_number_in_an_expression_is_named():
    with pytest.raises(OverflowError, match=r"cannot use inf: it is not a finite number"):
        Value(1.0) + float("inf")
    with pytest.raises(OverflowError, match=r"cannot use nan"):
        float("nan") * Value(1.0)


def test_weighted_sum_takes_numbers_and_numpy_scalars_as_inputs():
    np = pytest.importorskip("numpy")
    w1, w2 = Value(0.5), Value(-2.0)
    out = weighted_sum([w1, w2], [3, np.float64(0.25)], 1.0)  # 0.5*3 - 2*0.25 + 1 = 2
    assert out.data == 2.0
    assert all(isinstance(x, Value) for x in out.inputs)
    out.backward()
    assert (w1.grad, w2.grad) == (3.0, 0.25)
    with pytest.raises(TypeError, match="str"):
        weighted_sum([w1], ["3"], 0.0)
