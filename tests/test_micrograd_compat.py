"""Coming from micrograd: the lecture's habits work on chainrule Values.

Written the way the micrograd lecture works (the neuron x1=2, x2=0, w1=-3, w2=1,
b=6.8813735870195432, o = tanh(n)), but with this project's own code: a recursive
build_topo over `_prev`, `_backward()` called node by node, an operation written by hand,
the max gate, `random.seed`, and a learner's folder holding its own nn.py.
"""

import math
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import Value, backward_steps, define, define_op, draw_dot, gradcheck
from autograd.engine import FUNCTIONS
from autograd.expr import evaluate, parse
from chainrule import examples
from chainrule.worked import run_backward
from nn import MLP

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def forget_defined_operations():
    """Operations defined by a test are registered for the expression language, which
    other tests read: put the registries back as they were."""
    functions, defined = dict(FUNCTIONS), dict(define._DEFINED)
    yield
    FUNCTIONS.clear()
    FUNCTIONS.update(functions)
    define._DEFINED.clear()
    define._DEFINED.update(defined)


def lecture_neuron():
    """The lecture's neuron, one operation per line, labelled as in the lecture."""
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")  # chosen so that n = 0.8813..., tanh(n) = 1/sqrt(2)
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = n.tanh()
    return o, (x1, x2, w1, w2, b)


def build_topo(root):
    """Every node below root after its inputs, the lecture's way: recursion over _prev."""
    topo, visited = [], set()

    def visit(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                visit(child)
            topo.append(v)

    visit(root)
    return topo


# -- _prev, _op and _backward() ---------------------------------------------------------


def test_build_topo_over_prev_then_backward_node_by_node_equals_backward():
    o, leaves = lecture_neuron()
    o.grad = 1.0
    for node in reversed(build_topo(o)):
        node._backward()
    by_hand = [leaf.grad for leaf in leaves]

    o2, leaves2 = lecture_neuron()
    o2.backward()
    assert by_hand == [leaf.grad for leaf in leaves2]  # bit for bit
    # The lecture's figures: do/dn = 1 - o^2 = 0.5, so x1.grad = w1 * 0.5 = -1.5,
    # w1.grad = x1 * 0.5 = 1, x2.grad = w2 * 0.5 = 0.5, w2.grad = x2 * 0.5 = 0, b.grad = 0.5.
    assert o.data == pytest.approx(0.7071067811865476, abs=1e-15)
    assert by_hand == pytest.approx([-1.5, 0.5, 1.0, 0.0, 0.5], abs=1e-12)


def test_backward_one_node_at_a_time_as_in_the_lecture():
    o, (x1, x2, w1, w2, b) = lecture_neuron()
    n = o.inputs[0]
    o.grad = 1.0
    o._backward()  # o = tanh(n): n.grad += (1 - o^2) * 1
    assert n.grad == pytest.approx(0.5, abs=1e-15)
    n._backward()  # n = x1w1x2w2 + b: a plus node passes 0.5 to both
    x1w1x2w2 = n.inputs[0]
    assert (x1w1x2w2.grad, b.grad) == (n.grad, n.grad)
    b._backward()  # a leaf: nothing to pass on
    assert b.grad == n.grad
    x1w1x2w2._backward()
    x1w1, x2w2 = x1w1x2w2.inputs
    x1w1._backward()  # x1w1 = x1 * w1: x1.grad += w1 * 0.5, w1.grad += x1 * 0.5
    x2w2._backward()
    assert (x1.grad, w1.grad) == (-3.0 * x1w1.grad, 2.0 * x1w1.grad)
    assert (x2.grad, w2.grad) == (1.0 * x2w2.grad, 0.0)


def test_backward_by_hand_through_a_network_matches_backward():
    # Weighted sums (one node per neuron, many inputs) and inputs shared by every neuron of
    # a layer: the by-hand pass adds the same shares, perhaps in another order (the set).
    model = MLP(3, [4, 4, 1], activation="tanh", seed=7)
    xs = [Value(0.5), Value(-1.0), Value(2.0)]
    out = model(xs)
    out.grad = 1.0
    for node in reversed(build_topo(out)):
        node._backward()
    by_hand = [p.grad for p in model.parameters()] + [x.grad for x in xs]
    model.zero_grad()
    for x in xs:
        x.grad = 0.0
    model(xs).backward()
    expected = [p.grad for p in model.parameters()] + [x.grad for x in xs]
    assert by_hand == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert any(g != 0.0 for g in expected)


def test_backward_by_hand_accumulates_for_a_value_used_twice():
    # The lecture's bug and its fix: b = a + a must give a.grad = 2, not 1.
    a = Value(3.0, "a")
    b = a + a
    b.grad = 1.0
    b._backward()
    assert a.grad == 2.0


def test_prev_is_a_set_of_the_inputs_and_op_a_plain_string():
    a, c = Value(2.0, "a"), Value(5.0, "c")
    square = a * a
    assert square._prev == {a}  # a set: the second edge of a * a is in .inputs only
    assert square.inputs == (a, a)
    assert (square + c)._prev == {square, c}
    assert a._prev == set() and a._op == ""
    assert [v._op for v in (a + c, a - c, a * c, a.tanh(), a**2)] == ["+", "-", "*", "tanh", "**"]
    assert type(square._op) is str
    with pytest.raises(AttributeError):
        a._prev = {c}  # a view, not storage


def test_the_lecture_drawing_code_reads_prev_and_op():
    # The lecture's way to draw: one record per Value, one node per operation named
    # id + op, edges from each input to its user's op node.
    graphviz = pytest.importorskip("graphviz")
    o, _ = lecture_neuron()
    o.backward()
    nodes, edges = set(), set()
    for v in build_topo(o):
        nodes.add(v)
        edges.update((child, v) for child in v._prev)
    dot = graphviz.Digraph(graph_attr={"rankdir": "LR"})
    for v in nodes:
        dot.node(str(id(v)), f"{{ {v.label} | data {v.data:.4f} | grad {v.grad:.4f} }}")
        if v._op:
            dot.node(str(id(v)) + v._op, v._op)
            dot.edge(str(id(v)) + v._op, str(id(v)))
    for child, v in edges:
        dot.edge(str(id(child)), str(id(v)) + v._op)
    # 5 leaves + 5 results (x1*w1, x2*w2, their sum, n, o); each result has 2 inputs but o
    # (1): 9 input edges, plus one edge from each of the 5 op nodes to its result.
    assert len(nodes) == 10
    assert len(edges) == 9
    assert dot.source.count(" -> ") == 14
    assert "label=tanh" in dot.source
    assert "x1 | data 2.0000 | grad -1.5000" in dot.source


def test_tanh_made_of_exp_gives_the_same_gradients():
    # The lecture's second half: o = (e^2n - 1) / (e^2n + 1) instead of n.tanh().
    o, leaves = lecture_neuron()
    o.backward()
    n = o.inputs[0]
    x1, x2, w1, w2, b = leaves2 = [Value(v.data, v.label) for v in leaves]
    n2 = x1 * w1 + x2 * w2 + b
    e = (2 * n2).exp()
    o2 = (e - 1) / (e + 1)
    o2.backward()
    assert o2.data == pytest.approx(o.data, abs=1e-15)
    assert n.data == n2.data
    assert [v.grad for v in leaves2] == pytest.approx([v.grad for v in leaves], abs=1e-12)


# -- micrograd's own sanity checks, with chainrule's Values ------------------------------


def test_micrograd_sanity_check():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    # z = -10, q = 0 + 40, h = 100, y = 100 + 40 - 160 = -20; by hand (or torch, as
    # micrograd's test does) dy/dx = 6z + (6x + 2) + (3x^2 + 2zx) = -60 - 22 + 128 = 46.
    assert (y.data, x.grad) == (-20.0, 46.0)


def test_micrograd_more_ops():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    # micrograd's README prints 24.7041, 138.8338 and 645.5773 for these.
    assert f"{g.data:.4f} {a.grad:.4f} {b.grad:.4f}" == "24.7041 138.8338 645.5773"


# -- an operation of your own ------------------------------------------------------------


def tanh_by_hand(x):
    e = math.exp(2 * x)
    return (e - 1) / (e + 1)


def test_a_tanh_written_by_hand_passes_gradcheck_and_draws(tmp_path):
    my_tanh = define_op("my_tanh", tanh_by_hand, lambda x, out: 1 - out**2)
    for start in (-1.2, 0.0, 0.3, 2.5):
        assert gradcheck(my_tanh, [Value(start)], atol=1e-7, rtol=1e-6)
    n = Value(0.8813735870195432, "n")
    o = my_tanh(n)
    o.label = "o"
    assert o.op == "my_tanh" and o.inputs == (n,)
    assert o.data == pytest.approx(0.7071067811865476, abs=1e-15)  # tanh(n) = 1/sqrt(2)
    steps = [str(step) for step in backward_steps(o)]
    assert steps == ["do/dn = 0.5 (local) x do/do = 1 (upstream) -> n.grad += 0.5"]
    graph = draw_dot(o)
    assert 'v1_op [shape="ellipse"' in graph.source  # one op node, named as defined
    assert 'label="my_tanh"' in graph.source
    assert 'label="n\\ndata 0.8814\\ngrad 0.5000"' in graph.source
    svg = graph.save(tmp_path / "my_tanh.svg").read_text(encoding="utf-8")
    assert "my_tanh" in svg
    assert FUNCTIONS["my_tanh"] is my_tanh  # the expression language finds it by name


def test_an_operation_of_your_own_behaves_as_a_row_everywhere():
    # Two inputs: hypot(a, b) = sqrt(a^2 + b^2), d/da = a / out, d/db = b / out.
    hypot = define_op("hypot", math.hypot, lambda a, b, out: a / out, lambda a, b, out: b / out)
    a, b = Value(3.0, "a"), Value(-4.0, "b")
    out = hypot(a, b) * 2
    out.backward()
    assert (hypot(a, b).data, a.grad, b.grad) == (5.0, 2 * 3 / 5, 2 * -4 / 5)
    assert gradcheck(lambda a, b: hypot(a, b).tanh(), [a, b])
    assert hypot(3, 4).data == 5.0  # numbers become leaves, as in a + 1
    # Three inputs, and derivatives that take the inputs alone.
    volume = define_op(
        "volume",
        lambda x, y, z: x * y * z,
        lambda x, y, z: y * z,  # d/dx
        lambda x, y, z: x * z,  # d/dy
        lambda x, y, z: x * y,  # d/dz
    )
    xs = [Value(2.0), Value(-1.5), Value(0.5)]
    assert volume(*xs).data == -1.5
    assert gradcheck(volume, xs)


EXAMPLE_FILE = """\
title = "A tanh written by hand, and the max gate"
summary = "my_tanh, max and abs in a worked-example file"
decimals = 4

[given]
n = 0.8813735870195432
z = 2.0
w = -1.0

[define]
o = "my_tanh(n)"
m = "max(z, w)"
f = "o * m + abs(w)"
"""


def test_text_and_worked_example_files_can_use_max_abs_and_your_own_operation(tmp_path):
    define_op("my_tanh", tanh_by_hand, lambda x, out: 1 - out**2)
    (tmp_path / "mine.toml").write_text(EXAMPLE_FILE)
    example = examples.load(tmp_path / "mine.toml")
    steps = run_backward(example, steps=True)
    values = example.values
    # f = tanh(n) * max(2, -1) + |-1| = 0.7071 * 2 + 1; df/dn = m * (1 - o^2) = 2 * 0.5,
    # df/dz = o (max chose z), df/dw = 0 (not chosen) + sign(-1) = -1.
    assert example.number(values["f"].data) == "2.4142"
    assert [example.number(values[k].grad) for k in ("n", "z", "w")] == [
        "1.0000",
        "0.7071",
        "-1.0000",
    ]
    assert values["o"].op == "my_tanh" and values["m"].op == "max"
    assert "do/dn = 0.5 (local) x df/do = 2 (upstream) -> n.grad += 1" in map(str, steps)
    computed = evaluate(
        parse("a = min(x, 1, y); b = abs(my_tanh(y))"), {"x": Value(3.0), "y": Value(-0.5)}
    )
    assert computed["a"].data == -0.5 and computed["b"].data == -tanh_by_hand(-0.5)


def test_defining_an_operation_again_replaces_it_but_built_in_names_are_kept():
    first = define_op("cube", lambda x: x**3, lambda x, out: 3 * x**2)
    second = define_op("cube", lambda x: x**3, lambda x: 3 * x * x)  # the cell run again
    assert FUNCTIONS["cube"] is second is not first
    with pytest.raises(ValueError, match="'tanh' is already one of chainrule's operations"):
        define_op("tanh", tanh_by_hand, lambda x, out: 1 - out**2)
    with pytest.raises(ValueError, match="'max' is already"):
        define_op("max", max, lambda a, b: 1.0, lambda a, b: 0.0)


def test_mistakes_in_an_operation_of_your_own_are_named():
    with pytest.raises(ValueError, match="Python identifier"):
        define_op("my tanh", tanh_by_hand, lambda x: 1.0)
    with pytest.raises(TypeError, match="give one derivative per input"):
        define_op("bad", tanh_by_hand)
    with pytest.raises(TypeError, match="forward cannot be called with 2 arguments"):
        define_op("bad", tanh_by_hand, lambda x: 1.0, lambda x: 1.0)
    with pytest.raises(TypeError, match="derivative 1 must take the 1 input and then the output"):
        define_op("bad", tanh_by_hand, lambda: 1.0)
    on_values = define_op("on_values", lambda x: Value(x), lambda x: 1.0)
    with pytest.raises(TypeError, match="on_values's forward must return a number, got Value"):
        on_values(1.0)
    broken = define_op("broken", lambda x: x, lambda x: math.nan)
    with pytest.raises(ValueError, match=r"broken's derivative 1 .* at x1 = 2.0 is nan"):
        broken(2.0).backward()
    my_log = define_op("my_log", math.log, lambda x: 1 / x)
    with pytest.raises(ValueError, match=r"my_log's forward at x1 = -1.0: math domain error"):
        my_log(-1.0)
    with pytest.raises(TypeError, match="my_log takes 1 input, got 2"):
        my_log(1.0, 2.0)
    # d sqrt(x)/dx = 1 / (2 sqrt(x)) = 1 / (2 out): at x = 0 it divides by zero.
    root = define_op("root", math.sqrt, lambda x, out: 1 / (2 * out))
    with pytest.raises(ZeroDivisionError, match=r"root's derivative 1 .* at x1 = 0.0: float"):
        root(0.0).backward()


# -- max, min, abs and comparisons ------------------------------------------------------


def test_max_routes_the_whole_gradient_to_the_larger_input():
    # The max gate: out = max(z, w) passes its upstream gradient to the input it picked.
    z, w = Value(2.0, "z"), Value(-1.0, "w")
    out = z.max(w) * 3.0
    out.backward()
    assert (out.data, z.grad, w.grad) == (6.0, 3.0, 0.0)
    z.grad = w.grad = 0.0
    z.min(w).backward()
    assert (z.grad, w.grad) == (0.0, 1.0)


def test_pythons_max_and_min_pick_one_of_the_values():
    z, w = Value(2.0), Value(-1.0)
    assert max(z, w) is z and min(z, w) is w  # no new node: the gradient reaches z itself
    assert max([Value(1.0), z, w], key=lambda v: v) is z
    assert sorted([z, w, Value(0.5)])[0] is w


def test_ties_go_to_the_first_input_and_abs_has_slope_zero_at_zero():
    a, b = Value(1.0), Value(1.0)
    a.max(b).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)  # as Python's max(a, b) returns a
    a.grad = 0.0
    a.min(b).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)
    for start, slope in ((-3.0, -1.0), (0.0, 0.0), (2.0, 1.0)):
        x = Value(start)
        y = abs(x)
        y.backward()
        assert (y.data, x.grad, y.op) == (abs(start), slope, "abs")


def test_max_min_and_abs_take_numbers_and_are_functions_of_text():
    x = Value(-2.0)
    assert x.max(0).data == 0.0  # relu by hand
    assert x.min(0.5).data == -2.0
    a, b, c = Value(1.0), Value(4.0), Value(4.0)
    out = FUNCTIONS["max"](a, b, c)  # max(max(a, b), c): ties keep the earlier value
    out.backward()
    assert (out.data, a.grad, b.grad, c.grad) == (4.0, 0.0, 1.0, 0.0)
    assert FUNCTIONS["min"](3, a).data == 1.0
    assert FUNCTIONS["abs"](Value(-0.5)).data == 0.5
    with pytest.raises(TypeError, match="max needs at least two values"):
        FUNCTIONS["max"](a)
    with pytest.raises(TypeError, match="str"):
        x.max("0")


def test_comparisons_read_data_and_equality_stays_identity():
    a, b = Value(1.0), Value(2.0)
    assert (a < b, a <= b, a > b, a >= b) == (True, True, False, False)
    assert (a < 1.5, 0.5 < a, a >= 1, 2 > a) == (True, True, True, True)
    assert type(a < b) is bool
    twin = Value(1.0)
    assert a <= twin and a >= twin and a != twin  # equal data, different nodes
    assert len({a, twin}) == 2 and {a: "a"}[a] == "a"
    with pytest.raises(TypeError):
        a < "1"  # noqa: B015


def test_comparisons_with_numpy_numbers_are_bools_on_either_side():
    np = pytest.importorskip("numpy")
    a = Value(1.0)
    assert (a < np.float64(2.0), np.float64(2.0) > a, np.int64(1) >= a) == (True, True, True)
    assert type(np.float64(2.0) > a) is bool  # NumPy hands the comparison to Value


# -- random.seed, and a folder with its own nn.py ---------------------------------------


def test_random_seed_repeats_an_mlp_and_its_training():
    def train():
        random.seed(1337)
        model = MLP(2, [16, 16, 1])
        xs, ys = [[2.0, 3.0], [-1.0, 0.5], [0.5, -2.0]], [1.0, -1.0, 1.0]
        for _ in range(3):
            loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= 0.05 * p.grad
        return loss.data, model.state_dict()

    assert train() == train()


def test_the_lectures_tanh_network():
    # micrograd's lecture network: tanh everywhere, output included.
    random.seed(0)
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")
    out = model([2.0, 3.0, -1.0])
    assert out.op == "tanh" and -1.0 < out.data < 1.0
    assert model.n_parameters() == 41  # (3+1)*4 + (4+1)*4 + (4+1)*1, as in the lecture


LEARNER_NN = """\
# a learner's own nn.py, micrograd style
import random


class Neuron:
    def __init__(self, nin):
        self.w = [random.uniform(-1, 1) for _ in range(nin)]


MINE = True
"""

HOSTILE_NN = 'raise ImportError("the learner\'s nn.py was imported by chainrule")\n'


def run_python(code_or_args, cwd, env=None):
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_from_chainrule_import_mlp_works_beside_a_learners_nn_py(tmp_path):
    (tmp_path / "nn.py").write_text(LEARNER_NN)
    code = (
        "import nn; assert nn.MINE\n"
        "from chainrule import MLP, Value, draw_dot\n"
        "out = MLP(2, [3, 1], seed=0)([1.0, 2.0])\n"
        "import nn; assert nn.MINE  # still the learner's\n"
        "print(type(out).__name__, round(out.data, 6))\n"
    )
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    expected = round(MLP(2, [3, 1], seed=0)([1.0, 2.0]).data, 6)  # the same net, here
    assert result.stdout.split() == ["Value", str(expected)]


def test_chainrule_has_every_public_name_of_autograd_and_nn():
    import autograd
    import chainrule
    import nn

    assert set(autograd.__all__) | set(nn.__all__) <= set(chainrule.__all__)
    assert chainrule.MLP is nn.MLP and chainrule.define_op is autograd.define_op
    assert chainrule.draw_dot is autograd.draw_dot  # loaded on first use, as in autograd
    assert chainrule.nn is nn and chainrule.autograd is autograd


def test_no_part_of_chainrule_imports_a_learners_nn_py(tmp_path):
    (tmp_path / "nn.py").write_text(HOSTILE_NN)
    code = (
        "import importlib, pkgutil, chainrule\n"
        "names = [m.name for m in pkgutil.iter_modules(chainrule.__path__)]\n"
        "for name in names:\n"
        "    if name != '__main__':\n"
        "        importlib.import_module('chainrule.' + name)\n"
        "print(len(names))\n"
    )
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 4  # _packages, cli, examples, __main__ at least
    cli = run_python(["-m", "chainrule", "examples"], tmp_path)
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.split()[0] == "xyz"


def test_no_chainrule_module_imports_nn_by_name_even_inside_a_function():
    # The import test above sees only module-level imports; a `from nn import X` inside a
    # function would reach a learner's nn.py when it runs. (Imports for the type checker
    # only, under `if TYPE_CHECKING:`, never run.)
    import ast

    offenders = []
    for path in sorted((ROOT / "chainrule").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        checked_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in checked_only:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            if any(name == "nn" or name.startswith("nn.") for name in names):
                offenders.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert not offenders, (
        "modules in chainrule/ must take nn's names through chainrule, which finds its own "
        "nn beside a learner's nn.py: `from ._packages import nn` (then nn.MLP, "
        "nn.layers...), not " + "; ".join(offenders)
    )


# -- the PyPI autograd clash -----------------------------------------------------------

HIPS_INIT = (
    '"""Stands in for HIPS autograd\'s __init__.py."""\n\n\ndef grad(fun):\n    return fun\n'
)
HIPS_METADATA = "Metadata-Version: 2.1\nName: autograd\nVersion: 1.9.1\n"


def install_hips_autograd(site: Path) -> None:
    """What `pip install autograd` puts into site: its package and its metadata."""
    (site / "autograd").mkdir(exist_ok=True)
    (site / "autograd" / "__init__.py").write_text(HIPS_INIT)
    (site / "autograd-1.9.1.dist-info").mkdir()
    (site / "autograd-1.9.1.dist-info" / "METADATA").write_text(HIPS_METADATA)


def install_chainrule(site: Path) -> None:
    """chainrule's three packages as a (non-editable) pip install lays them out."""
    for name in ("autograd", "nn", "chainrule"):
        shutil.copytree(ROOT / name, site / name, ignore=shutil.ignore_patterns("__pycache__"))


def import_chainrule(site: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    return run_python("from chainrule import Value", cwd, env)


def test_a_pypi_autograd_earlier_on_the_path_gets_the_repair_message(tmp_path):
    site, cwd = tmp_path / "site", tmp_path / "work"
    site.mkdir()
    cwd.mkdir()
    install_hips_autograd(site)
    result = import_chainrule(site, cwd)
    assert result.returncode != 0
    message = result.stderr
    assert "cannot import name 'Value'" not in message
    assert "ImportError: chainrule cannot use the autograd package it finds" in message
    assert "The PyPI project 'autograd' 1.9.1 (HIPS autograd) is installed" in message
    assert "-m pip uninstall autograd" in message
    assert "-m pip install --force-reinstall --no-deps chainrule" in message


def test_an_autograd_installed_over_chainrules_gets_the_repair_message(tmp_path):
    # pip install autograd after chainrule: its __init__.py replaces chainrule's, in place.
    site, cwd = tmp_path / "site", tmp_path / "work"
    site.mkdir()
    cwd.mkdir()
    install_chainrule(site)
    assert import_chainrule(site, cwd).returncode == 0  # works before
    install_hips_autograd(site)
    result = import_chainrule(site, cwd)
    assert result.returncode != 0
    assert f"{site / 'autograd' / '__init__.py'} is not chainrule's" in result.stderr
    assert "pip uninstall autograd" in result.stderr
    # pip uninstall autograd then deletes the shared __init__.py: reinstall, says chainrule.
    (site / "autograd" / "__init__.py").unlink()
    shutil.rmtree(site / "autograd-1.9.1.dist-info")
    result = import_chainrule(site, cwd)
    assert result.returncode != 0
    assert "autograd/__init__.py is missing" in result.stderr
    assert "-m pip install --force-reinstall --no-deps chainrule" in result.stderr


def test_a_learners_own_autograd_py_is_named_with_the_fix(tmp_path):
    (tmp_path / "autograd.py").write_text("class Value:  # a learner's own engine\n    pass\n")
    result = run_python("import chainrule", tmp_path)
    assert result.returncode != 0
    assert f"`import autograd` finds {tmp_path / 'autograd.py'}" in result.stderr
    assert "rename it, e.g. to my_autograd.py" in result.stderr
