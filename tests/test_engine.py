"""The Value engine: the slide example, graph structure, the backward pass and its rules."""

import gc
import math
import subprocess
import sys

import pytest

from autograd import Value, backward_steps, no_grad, ops, sum_of, topological_order, weighted_sum
from autograd.backward import chain_rule


def slide_xyz():
    """f = (x + y) * z at (-2, 5, -4), labelled as on the slide."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return x, y, z, q, f


# -- the (x + y) * z slide -------------------------------------------------------------


def test_slide_xyz_forward_values():
    x, y, z, q, f = slide_xyz()
    assert q.data == 3.0  # q = x + y = -2 + 5
    # The slide prints f = q.z = 3 * -4 = 12: a sign typo. 3 * -4 is -12.
    assert f.data == -12.0


def test_slide_xyz_gradients():
    x, y, z, q, f = slide_xyz()
    f.backward()
    assert f.grad == 1.0  # df/df, the base case
    assert q.grad == -4.0  # df/dq = z
    assert z.grad == 3.0  # df/dz = q
    assert x.grad == -4.0  # df/dx = dq/dx * df/dq = 1 * -4
    assert y.grad == -4.0  # df/dy = dq/dy * df/dq = 1 * -4


# -- graph structure -------------------------------------------------------------------


def test_each_operator_is_one_node_with_its_operands_in_order():
    a, b = Value(2.0), Value(3.0)
    d = a - b
    assert str(d.op) == "-" and d.inputs == (a, b)
    assert (b / a).inputs == (b, a)
    assert str((a**b).op) == "**" and (a**b).inputs == (a, b)
    assert str((-a).op) == "neg" and (-a).inputs == (a,)


def test_leaf_has_empty_op_and_no_inputs():
    a = Value(1.5, "a")
    assert str(a.op) == "" and a.inputs == () and a.grad == 0.0 and a.label == "a"


def test_value_used_twice_appears_twice_in_inputs():
    a = Value(3.0)
    assert (a * a).inputs == (a, a)


def test_number_operand_becomes_a_leaf_value_on_either_side():
    a = Value(3.0)
    for node, number_position in (
        (a + 2, 1),
        (2 + a, 0),
        (a - 2, 1),
        (2 - a, 0),
        (a * 2, 1),
        (2 * a, 0),
        (a / 2, 1),
        (2 / a, 0),
    ):
        leaf = node.inputs[number_position]
        assert isinstance(leaf, Value) and leaf.data == 2.0 and leaf.inputs == ()
    assert (2 - a).data == -1.0  # other - self, not self - other
    assert (2 / a).data == pytest.approx(2 / 3, abs=0)


def test_number_exponent_is_a_constant_not_an_input():
    x = Value(2.0)
    cube = x**3
    assert cube.inputs == (x,) and cube.const == 3.0 and str(cube.op) == "**"
    assert cube.data == 8.0


def test_number_to_a_value_power():
    x = Value(3.0)
    y = 2**x  # 2 ** 3 = 8; dy/dx = 8 * ln 2
    assert y.data == 8.0
    y.backward()
    assert x.grad == pytest.approx(8 * math.log(2), rel=1e-15)


def test_values_hash_and_compare_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b, a}) == 2
    assert {a: "first"}[a] == "first"


def test_repr_shows_data_grad_and_label():
    assert repr(Value(2.5)) == "Value(data=2.5, grad=0.0)"
    assert repr(Value(-1, "w1")) == "Value(data=-1.0, grad=0.0, label='w1')"


def test_data_is_stored_as_python_float():
    np = pytest.importorskip("numpy")
    for raw in (3, 3.0, True, np.float32(3.0), np.int64(3), np.float64(3.0)):
        v = Value(raw)
        assert type(v.data) is float
    assert Value(np.float32(0.1)).data == float(np.float32(0.1))


def test_numpy_scalar_on_the_left_gives_a_value():
    np = pytest.importorskip("numpy")
    v = Value(2.0)
    out = np.float64(3.0) * v
    assert isinstance(out, Value) and out.data == 6.0 and out.inputs[1] is v


@pytest.mark.parametrize("bad", ["1.0", None, [1.0], 1 + 2j, Value(1.0)])
def test_non_number_data_is_a_type_error_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


def test_unsupported_operand_is_a_type_error():
    with pytest.raises(TypeError):
        Value(1.0) + "2"
    with pytest.raises(TypeError):
        [1] * Value(2.0)


# -- the backward pass -----------------------------------------------------------------


def test_reused_node_gets_gradient_from_each_use():
    a = Value(3.0)
    s = a + a  # ds/da = 1 + 1
    s.backward()
    assert a.grad == 2.0
    x = Value(3.0)
    sq = x * x  # d(x*x)/dx = x + x = 6
    sq.backward()
    assert x.grad == 6.0


def test_diamond_sums_both_paths():
    # b = 2a, c = a + 1, d = b * c = 2a(a + 1); dd/da = 4a + 2 = 14 at a = 3
    a = Value(3.0)
    b = a * 2
    c = a + 1
    d = b * c
    d.backward()
    assert d.data == 24.0
    assert b.grad == 4.0  # dd/db = c
    assert c.grad == 6.0  # dd/dc = b
    assert a.grad == 14.0


def test_second_backward_doubles_leaves_and_keeps_intermediates():
    # x = 3, y = x*x, z = y*y = x^4: dz/dx = 4x^3 = 108.
    x = Value(3.0)
    y = x * x
    z = y * y
    z.backward()
    assert x.grad == 108.0
    assert y.grad == 18.0  # dz/dy = 2y
    z.backward()
    # Leaves accumulate: 216 (micrograd gives 324, because its y.grad also accumulates
    # and is then passed down a second time).
    assert x.grad == 216.0
    assert y.grad == 18.0  # intermediates hold this pass's gradient, not a total


def test_backward_scales_by_the_given_gradient():
    x = Value(2.0)
    y = x * x  # dy/dx = 4
    y.backward(0.5)
    assert x.grad == 2.0 and y.grad == 0.5


def test_backward_of_a_leaf_adds_the_gradient_to_itself():
    x = Value(2.0)
    x.backward()
    x.backward(2.0)
    assert x.grad == 3.0


def test_backward_rejects_a_non_number_gradient():
    with pytest.raises(TypeError, match="gradient"):
        (Value(1.0) * 2).backward("1")


def test_chain_of_a_million_operations_at_default_recursion_limit(monkeypatch):
    monkeypatch.setattr(sys, "getrecursionlimit", sys.getrecursionlimit)  # restored after
    sys.setrecursionlimit(1000)  # Python's default; a recursive sort would fail at ~1000
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()
    assert y.data == 1_000_000.5
    assert x.grad == 1.0


def test_gradients_are_bitwise_reproducible_across_processes():
    script = (
        "import random\n"
        "from autograd import Value\n"
        "rng = random.Random(7)\n"
        "leaves = [Value(rng.uniform(-1, 1)) for _ in range(20)]\n"
        "pool = list(leaves)\n"
        "for _ in range(2000):\n"
        "    a, b = rng.choice(pool), rng.choice(pool)\n"
        "    pool.append(rng.choice([a + b, a * b, (a * b).tanh(), a - b]))\n"
        "out = pool[-1] + pool[-2]\n"
        "out.backward()\n"
        "print([x.grad.hex() for x in leaves])\n"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(seed), "PATH": ""},
        ).stdout
        for seed in (1, 2)
    }
    assert len(runs) == 1


def test_graph_is_freed_by_reference_counting_alone():
    # No closures and no cycles: once the last reference goes, plain reference counting
    # frees every node, so the cycle collector finds nothing to collect.
    gc.collect()
    gc.disable()
    try:
        x = Value(1.0)
        y = x
        for _ in range(1000):
            y = (y * 1.5).tanh() + x
        y.backward()
        del x, y
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_topological_order_puts_inputs_first_and_is_deterministic():
    x, y, z, q, f = slide_xyz()
    # The last operand is searched first, so backward (the reverse) takes q's branch first.
    assert topological_order(f) == [z, y, x, q, f]
    assert topological_order(f, leaves=False) == [q, f]
    assert topological_order(x, leaves=False) == []


# -- no_grad ---------------------------------------------------------------------------


def test_no_grad_records_no_graph_and_restores_recording():
    a = Value(2.0)
    with no_grad():
        b = a * 3
        c = b.tanh()
    assert b.data == 6.0 and str(b.op) == "" and b.inputs == () and c.inputs == ()
    d = a * 3
    assert d.inputs[0] is a


def test_no_grad_restores_recording_after_an_error():
    with pytest.raises(ValueError):
        with no_grad():
            Value(-1.0).log()
    assert (Value(1.0) + 1).inputs != ()


def test_no_grad_works_as_a_decorator():
    @no_grad()
    def predict(v):
        return v * 2

    assert predict(Value(1.0)).inputs == ()


# -- n-ary nodes -----------------------------------------------------------------------


def test_sum_of_is_one_node_with_every_term_as_input():
    a, b, c = Value(1.0), Value(2.0), Value(3.5)
    s = sum_of([a, b, c, 4])
    assert str(s.op) == "sum" and s.inputs[:3] == (a, b, c) and s.data == 10.5
    s.backward()
    assert (a.grad, b.grad, c.grad) == (1.0, 1.0, 1.0)


def test_sum_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="empty"):
        sum_of([])


def test_weighted_sum_is_a_neurons_pre_activation():
    # 0.15 * 0.05 + 0.20 * 0.10 + 0.35 = 0.3775 (net_h1 on the 2-2-2 slide)
    w1, w2, b = Value(0.15), Value(0.20), Value(0.35)
    i1, i2 = Value(0.05), Value(0.10)
    net = weighted_sum([w1, w2], [i1, i2], b)
    assert str(net.op) == "wsum" and net.inputs == (w1, i1, w2, i2, b)
    assert round(net.data, 9) == 0.3775
    net.backward()
    assert (w1.grad, w2.grad, b.grad) == (0.05, 0.10, 1.0)  # d/dw_i = x_i, d/db = 1
    assert (i1.grad, i2.grad) == (0.15, 0.20)  # d/dx_i = w_i


def test_weighted_sum_needs_one_weight_per_input():
    with pytest.raises(ValueError, match="2 weights and 3 inputs"):
        weighted_sum([Value(1.0), Value(2.0)], [1, 2, 3], 0.0)


# -- backward_steps --------------------------------------------------------------------


def test_backward_steps_reads_like_the_slide():
    x, y, z, q, f = slide_xyz()
    lines = [str(step) for step in backward_steps(f)]
    assert lines == [
        "df/dq = -4 (local) x df/df = 1 (upstream) -> q.grad += -4",
        "df/dz = 3 (local) x df/df = 1 (upstream) -> z.grad += 3",
        "dq/dx = 1 (local) x df/dq = -4 (upstream) -> x.grad += -4",
        "dq/dy = 1 (local) x df/dq = -4 (upstream) -> y.grad += -4",
    ]


def test_backward_steps_fields_and_incremental_effect():
    x, y, z, q, f = slide_xyz()
    steps = backward_steps(f)
    first = next(steps)
    assert (first.node, first.input, first.local, first.upstream, first.contribution) == (
        f,
        q,
        -4.0,
        1.0,
        -4.0,
    )
    assert q.grad == -4.0 and x.grad == 0.0  # only the first step has happened
    rest = list(steps)
    assert [s.index for s in rest] == [1, 2, 3]
    assert x.grad == -4.0


def test_exhausting_backward_steps_gives_exactly_the_gradients_of_backward():
    def build():
        a, b, c = Value(0.3), Value(-1.7), Value(2.2)
        d = (a * b + c).tanh() * a - (b / c).exp() + (a**2).sigmoid() * c.relu()
        return [a, b, c], d

    leaves, root = build()
    root.backward(0.7)
    expected = [v.grad for v in leaves]
    leaves, root = build()
    for _ in backward_steps(root, 0.7):
        pass
    assert [v.grad for v in leaves] == expected


def test_backward_steps_of_a_leaf_yields_nothing():
    x = Value(1.0)
    assert list(backward_steps(x)) == [] and x.grad == 1.0


def test_unlabeled_nodes_are_named_by_their_formula_as_drawn():
    a = Value(2.0, "a")
    out = a * a + 1
    lines = [str(s) for s in backward_steps(out)]
    # a * a is "a × a" and out "(a × a) + 1", as draw_dot names them; a formula name is
    # wrapped in parentheses inside d.../d... so it reads as one thing
    assert lines[0] == (
        "d((a × a) + 1)/d(a × a) = 1 (local) x d((a × a) + 1)/d((a × a) + 1) = 1 (upstream) "
        "-> (a × a).grad += 1"
    )
    assert lines[2] == (
        "d(a × a)/da = 2 (local) x d((a × a) + 1)/d(a × a) = 1 (upstream) -> a.grad += 2"
    )
    assert lines[1].endswith("-> 1.grad += 1")  # the bare number 1 is named by its value


def test_weighted_sum_fast_path_matches_the_table_bit_for_bit():
    # backward() applies wsum's derivatives pair by pair; backward_steps reads them from the
    # table row one input at a time. Reused inputs and a shared weight included.
    import random

    def build():
        rng = random.Random(3)
        xs = [Value(rng.uniform(-2, 2)) for _ in range(5)]
        ws = [Value(rng.uniform(-1, 1)) for _ in range(5)]
        b = Value(0.25)
        h = [weighted_sum(ws, xs, b).tanh(), weighted_sum([ws[0]] * 5, xs[::-1], xs[2])]
        out = weighted_sum([h[0], h[1], ws[1]], [h[1], h[1], 3.0], h[0])
        return xs + ws + [b], out

    leaves, out = build()
    out.backward(1.3)
    expected = [v.grad for v in leaves]
    leaves, out = build()
    for _ in backward_steps(out, 1.3):
        pass
    assert [v.grad for v in leaves] == expected
    assert any(g != 0.0 for g in expected)


def test_chain_rule_paused_yields_each_edge_before_its_step_is_added():
    # f = (x + y) * z on the slide: df/dq = z = -4, df/dz = q = 3, then q passes -4 on to
    # x and y with local derivative 1 each.
    x, y, z, q, f = slide_xyz()
    order = topological_order(f, leaves=False)
    f.grad = 1.0
    edges = []
    for node, input, local, upstream in chain_rule(order, pause=True):
        edges.append((node, input, local, upstream))
        input.grad += local * upstream  # paused, the caller adds each step
    assert edges == [(f, q, -4.0, 1.0), (f, z, 3.0, 1.0), (q, x, 1.0, -4.0), (q, y, 1.0, -4.0)]
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def test_backward_steps_names_the_node_whose_local_derivative_fails_after_earlier_steps():
    # f = y * x ** 0.5 + y at x = 0: the + and the * pass their gradients on (4 steps),
    # then d(x ** 0.5)/dx = 0.5 * 0 ** -0.5 is infinite.
    x, y = Value(0.0, "x"), Value(3.0, "y")
    f = y * x**0.5 + y
    f.label = "f"
    inputs = []
    message = r"^backward from f stopped at x\^0\.5 = 0\.0 \*\* 0\.5: the derivative of x"
    with pytest.raises(ValueError, match=message):
        for step in backward_steps(f):
            inputs.append(step.input)
    power = f.inputs[0].inputs[1]
    assert inputs == [f.inputs[0], y, y, power]
    assert (x.grad, y.grad, f.grad, power.grad) == (0.0, 0.0, 0.0, 0.0)  # all taken back
    with pytest.raises(ValueError, match=message):
        f.backward()  # backward() names the same node
    assert (x.grad, y.grad, f.grad, power.grad) == (0.0, 0.0, 0.0, 0.0)


def test_weighted_sum_forward_matches_the_table_row_bit_for_bit():
    # weighted_sum reads each Value's data in the same pass as its arithmetic; the wsum row
    # takes the plain numbers. Both must give the same float, to the last bit.
    import random

    rng = random.Random(7)
    for n in (1, 2, 16, 33):
        ws = [rng.uniform(-3, 3) for _ in range(n)]
        xs = [rng.uniform(-3, 3) for _ in range(n)]
        b = rng.uniform(-1, 1)
        node = weighted_sum([Value(w) for w in ws], [Value(x) for x in xs], Value(b))
        numbers = [node.inputs[k].data for k in range(2 * n + 1)]
        assert node.data == ops.WSUM.forward(*numbers)
        assert weighted_sum(ws, xs, b).data == node.data  # numbers become leaves


def test_weighted_sum_takes_numpy_numbers_as_leaves():
    np = pytest.importorskip("numpy")
    node = weighted_sum([np.float64(2.0)], [Value(3.0)], np.float64(0.5))
    assert node.data == 6.5  # 2 * 3 + 0.5
    assert all(isinstance(x, Value) for x in node.inputs)
