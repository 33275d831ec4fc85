"""Functions of one's own: an example file's [functions], written in the expression
language, each one operation that the table, the graph, the page, the derivation and a
variant show by its name; and every mistake in one as a one-line error naming the key."""

import math
from pathlib import Path

import pytest

from autograd import Value, draw_dot, gradcheck, step_through
from autograd.expr import ExpressionError, define_functions, evaluate, parse
from chainrule import examples
from chainrule.cli import main
from chainrule.derive import derivation

SWISH = """title = "A swish unit on a hypotenuse"

[functions]
"swish(x)" = "x * sigmoid(x)"
"hypot(a, b)" = "sqrt(a*a + b*b)"

[given]
x = 3
y = 4

[define]
h = "hypot(x, y)"
f = "swish(h) + 1"
"""


def write(folder: Path, text: str, name: str = "own.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_function_is_one_node_named_by_the_function():
    functions = define_functions({"hypot(a, b)": "sqrt(a*a + b*b)"})
    x, y = Value(3.0, "x"), Value(4.0, "y")
    f = evaluate(parse("f = hypot(x, y)", functions=functions), {"x": x, "y": y},
                 functions=functions)["f"]  # fmt: skip
    assert (str(f.op), f.inputs, f.data) == ("hypot", (x, y), 5.0)
    f.backward()
    assert (x.grad, y.grad) == pytest.approx((0.6, 0.8), rel=1e-15)  # x / 5 and y / 5


def test_a_function_may_call_another_defined_after_it_and_passes_gradcheck():
    functions = define_functions(
        {"norm3(a, b, c)": "hypot(hypot(a, b), c)", "hypot(a, b)": "sqrt(a*a + b*b)"}
    )
    norm3 = functions["norm3"].build
    assert norm3(Value(3.0), Value(4.0), Value(12.0)).data == 13.0  # 3-4-5, then 5-12-13
    assert gradcheck(norm3, [Value(1.0), Value(-3.0), Value(2.0)])


def test_a_file_function_runs_end_to_end(tmp_path, capsys):
    path = write(tmp_path, SWISH)
    assert main(["example", str(path), "--steps"]) == 0
    out = capsys.readouterr().out
    assert "h     hypot(x, y)   5.0000" in out
    # swish(5) + 1 = 5 * sigmoid(5) + 1 = 5.96654...; d swish/dh = 1.02655 at h = 5
    assert "f     swish(h) + 1  5.9665" in out
    assert "dswish(h)/dh = 1.0265 (local)" in out  # the step names the function
    rows = {line.split()[0]: line.split()[-1] for line in out.splitlines() if line.strip()}
    assert rows["df/dx"] == "0.6159"  # 1.02655 x 3/5


def test_a_file_function_is_drawn_paged_and_derived_by_its_name(tmp_path):
    example = examples.load(write(tmp_path, SWISH))
    examples.run_backward(example)
    source = draw_dot(example.root).source
    assert 'label="hypot"' in source and 'label="swish"' in source
    page = step_through(example.root).save(tmp_path / "page.html").read_text()
    assert "swish(h)" in page
    latex = derivation(example, "latex")
    assert r"\mathrm{swish}(h) + 1" in latex
    assert r"\mathrm{hypot}(x, y)" in latex


def test_a_variant_of_a_file_with_functions_has_its_own_numbers(tmp_path, capsys):
    path = write(tmp_path, SWISH)
    assert main(["variant", str(path), "--seed", "3", "--out", str(tmp_path / "v")]) == 0
    key = (tmp_path / "v" / "key.md").read_text()
    # seed 3 gives x = -9, y = -6: h = sqrt(81 + 36) = 10.816654
    assert "| h | `hypot(x, y)` | 10.816654 |" in key


@pytest.mark.parametrize(
    ("table", "define", "message"),
    [
        (
            '"swish(x)" = "x * sigmod(x)"',
            'f = "swish(x)"',
            r"\[functions\] swish\(x\), line 4, column 5: found a call to 'sigmod', which "
            "is not a known function",
        ),
        (
            '"f(x)" = "g(x) + 1"\n"g(x)" = "f(x) * 2"',
            'y = "f(x)"',
            r"\[functions\] f\(x\), line 4: the functions call each other in a circle: "
            "f -> g -> f",
        ),
        ('"f(x)" = "f(x) + 1"', 'y = "f(x)"', r"\[functions\] f\(x\), line 4: f calls itself"),
        (
            '"hypot(a, b)" = "sqrt(a*a + b*b)"',
            'f = "hypot(x)"',
            r"\[define\] f, line 10, column 5: found hypot called with 1 argument; "
            r"hypot\(a, b\) takes 2",
        ),
        (
            '"sin(x)" = "x - x**3 / 6"',
            'f = "sin(x)"',
            r"\[functions\] sin\(x\), line 4: sin is already a function of the language",
        ),
        (
            '"f(a)" = "a * z"',
            'y = "f(x)"',
            r"\[functions\] f\(a\), line 4: f\(a\) = a \* z uses the name 'z', which is not "
            "one of its parameters",
        ),
        (
            '"x(a)" = "a * 2"',
            'y = "x(x)"',
            r"line 4: \[functions\] x\(a\): x is also a value of the example",
        ),
        ('"f" = "x * 2"', 'y = "f(x)"', r"\[functions\] f, line 4: the key is not a signature"),
    ],
)
def test_a_mistake_in_functions_is_one_line_naming_the_file_and_key(
    tmp_path, capsys, table, define, message
):
    text = f'title = "t"\n\n[functions]\n{table}\n\n[given]\nx = 2\n\n[define]\n{define}\n'
    path = write(tmp_path, text)
    assert main(["example", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert str(path) in error
    assert __import__("re").search(message, error), error


def test_sqrt_of_a_negative_inside_a_function_names_the_function():
    functions = define_functions({"root(a)": "sqrt(a)"})
    with pytest.raises(ValueError, match=r"root's forward at x1 = -4\.0: sqrt\(-4\.0\)"):
        functions["root"].build(Value(-4.0))


def test_defining_functions_registers_nothing_for_other_text():
    define_functions({"swish(x)": "x * sigmoid(x)"})
    with pytest.raises(ExpressionError, match="'swish', which is not a known function"):
        parse("f = swish(x)")
    assert math.isclose(
        define_functions({"swish(x)": "x * sigmoid(x)"})["swish"].build(Value(0.0)).data, 0.0
    )
