"""The [functions] section of an example file: functions of one's own, written as expressions.

    [functions]
    "swish(x)" = "x * sigmoid(x)"
    "hypot(a, b)" = "sqrt(a*a + b*b)"

The signature is the key and the body the value, both read by the expression language
(autograd/expr.py, `define_functions`), never by Python. [define] calls them like the
built-in functions; each is one operation of its own, named in the graph and derivations.
"""

from __future__ import annotations

from autograd.expr import ExpressionError, Function, define_functions

from .example_text import ExampleText
from .worked import ExampleError


def read_functions(file: ExampleText, spec: object, names: list[str]) -> dict[str, Function]:
    """The file's functions by name; ExampleError naming the file and key for a table that
    is not one of expressions, a mistake in one (see define_functions), or a function named
    like a value of the example (`names`)."""
    if not isinstance(spec, dict) or not all(isinstance(v, str) for v in spec.values()):
        raise file.error(
            "[functions] must be a table of expressions in quotes, the signature as the "
            'key: "swish(x)" = "x * sigmoid(x)"',
            "functions",
        )
    lines = {key: file.line_of("functions", key) or 1 for key in spec}
    try:
        functions = define_functions(spec, where=f"{file.path} [functions]", lines=lines)
    except ExpressionError as error:
        raise ExampleError(str(error)) from None
    for key, function in zip(spec, functions.values()):
        if function.name in names:
            raise file.error(
                f"[functions] {key}: {function.name} is also a value of the example; "
                "give the function or the value another name",
                "functions",
                key,
            )
    return functions
