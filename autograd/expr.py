"""The expression language: text such as "q = x + y; f = q * z" turned into a graph of Values.

It reads Python-like arithmetic with Python's own parser (`ast`), and then walks the tree
itself, allowing only numbers, names, + - * / **, unary minus and calls to the functions in
`autograd.engine.FUNCTIONS` (or to functions written in the language itself, such as
`"swish(x)" = "x * sigmoid(x)"`: see `define_functions`). Nothing is ever evaluated as
Python: an attribute, a string, a subscript, a lambda or a call to anything else is an error
that says what was found, where (line and column), and what is allowed. Definitions may come
in any order; a cycle between them is an error that names it.
"""

from __future__ import annotations

import ast
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from .define import make_operation
from .engine import FUNCTIONS, Value, enable_grad, no_grad

OPERATORS: dict[type, str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
}


class ExpressionError(ValueError):
    """Text that is not a valid expression, or one that cannot be computed at the given
    values. The message names the place (where, line, column) and what to do instead."""


def allowed(functions: Mapping[str, Function] | None = None) -> str:
    """What the language accepts, in one sentence (shown with every syntax error)."""
    names = ", ".join(sorted([*FUNCTIONS, *(functions or {})]))
    return f"allowed are numbers, names, + - * / **, unary minus, parentheses and calls to {names}"


@dataclass(frozen=True)
class Definition:
    """One `name = expression` statement: its parsed tree and where it was written."""

    name: str
    text: str  # the expression as written, e.g. "x + y"
    tree: ast.expr
    line: int  # 1-based, in the text it came from
    uses: tuple[str, ...]  # the names it reads, in order of first use


@dataclass(frozen=True)
class Function:
    """A function written in the language: `hypot(a, b)` with the body `sqrt(a*a + b*b)`.

    Calling `build` makes one node whose op is the function's own row (named `hypot`, so
    drawings and derivations show it by name): its forward rule computes the body, and its
    local derivatives come from a backward pass through the body at the node's inputs.
    """

    name: str
    parameters: tuple[str, ...]
    text: str  # the body as written
    tree: ast.expr = field(repr=False)
    build: Callable[..., Value] = field(repr=False, compare=False)


def parse(
    text: str,
    *,
    where: str = "expression",
    line_offset: int = 0,
    functions: Mapping[str, Function] | None = None,
) -> list[Definition]:
    """Parse statements `name = expression`, separated by `;` or newlines.

    A last statement without `name =` is named "out". `where` names the source in messages
    (a file name, "expression"); `line_offset` shifts reported lines (text taken from a
    file); `functions` are functions of one's own it may call (from `define_functions`).
    Raises ExpressionError for anything outside the language.
    """
    try:
        module = ast.parse(text, mode="exec")
    except (RecursionError, MemoryError):
        raise ExpressionError(f"{where}: the expression is nested too deeply to read") from None
    except SyntaxError as error:
        line = (error.lineno or 1) + line_offset
        column = error.offset or 0
        raise ExpressionError(
            f"{where}, line {line}, column {column}: cannot parse {error.text!r:.60}: "
            f"{error.msg}; {allowed(functions)}"
        ) from None
    lines = text.splitlines()
    definitions: list[Definition] = []
    for k, statement in enumerate(module.body):
        line = statement.lineno + line_offset
        if isinstance(statement, ast.Assign):
            if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
                raise _error(
                    where,
                    statement,
                    line_offset,
                    "an assignment to something other than one name",
                    "write `name = expression`",
                )
            name = statement.targets[0].id
            tree = statement.value
        elif isinstance(statement, ast.Expr) and k == len(module.body) - 1:
            name, tree = "out", statement.value
        else:
            raise _error(
                where,
                statement,
                line_offset,
                _describe(statement),
                f"each statement is `name = expression`; {allowed(functions)}",
            )
        _check_name(name, where, statement, line_offset)
        uses = _check(tree, where, line_offset, functions or {})
        expression_text = _source(lines, tree)
        definitions.append(Definition(name, expression_text, tree, line, uses))
    if not definitions:
        raise ExpressionError(f"{where}: no statements; write e.g. `q = x + y; f = q * z`")
    return definitions


def evaluate(
    definitions: list[Definition],
    given: Mapping[str, Value],
    *,
    where: str = "expression",
    functions: Mapping[str, Function] | None = None,
) -> dict[str, Value]:
    """Compute every definition from the given Values, in dependency order.

    Returns the computed Values by name, in the order they were computed, each labelled with
    its name. Raises ExpressionError naming the definition for an unknown name, a name
    defined twice, a cycle, or a math error at these values (division by zero, log of a
    negative number, an overflow). `functions` are the ones `parse` was given.
    """
    by_name: dict[str, Definition] = {}
    for definition in definitions:
        if definition.name in given:
            raise ExpressionError(
                f"{where}, line {definition.line}: {definition.name} is given a number and "
                "also defined by an expression; keep one of the two"
            )
        if definition.name in by_name:
            first = by_name[definition.name].line
            raise ExpressionError(
                f"{where}, line {definition.line}: {definition.name} is defined twice "
                f"(first on line {first}); give the second one another name"
            )
        by_name[definition.name] = definition
    for definition in definitions:
        for name in definition.uses:
            if name not in given and name not in by_name:
                # (not the name being defined: a value cannot be computed from itself)
                others = [n for n in by_name if n != definition.name]
                known = ", ".join([*given, *others]) or "none"
                raise ExpressionError(
                    f"{where}, line {definition.line}: {definition.name} = {definition.text} "
                    f"uses the unknown name {name!r}; known names: {known}"
                )
    env: dict[str, Value] = dict(given)
    computed: dict[str, Value] = {}
    for definition in _dependency_order(definitions, by_name, where):
        try:
            value = _value(_compute(definition.tree, env, functions or {}))
        except RecursionError:
            raise ExpressionError(
                f"{where}, line {definition.line}: {definition.name} is nested too deeply; "
                "split it into several definitions"
            ) from None
        except (ArithmeticError, ValueError, TypeError) as error:
            raise ExpressionError(
                f"{where}, line {definition.line}: {definition.name} = {definition.text} "
                f"cannot be computed at these values: {error}"
            ) from None
        if any(value is v for v in env.values()):
            raise ExpressionError(
                f"{where}, line {definition.line}: {definition.name} = {definition.text} "
                "only renames a value; use that name instead, or compute something"
            )
        value.label = definition.name
        env[definition.name] = value
        computed[definition.name] = value
    return computed


# -- functions of one's own -----------------------------------------------------------


def define_functions(
    table: Mapping[str, str],
    *,
    where: str = "functions",
    lines: Mapping[str, int] | None = None,
) -> dict[str, Function]:
    """Functions written in the language, from signatures and bodies:
    `{"swish(x)": "x * sigmoid(x)", "hypot(a, b)": "sqrt(a*a + b*b)"}`.

    A body reads only its parameters, and may call the built-in functions and the other
    functions of the table (in any order, but never itself, directly or through others).
    Each function becomes one operation of its own (see `Function`). `where` names the
    table in messages (a file's "[functions]"); `lines` gives each key's line. Raises
    ExpressionError naming the key for a bad signature, a name that clashes with a
    built-in function, a name that is not a parameter, a wrong argument count or recursion.
    """

    def place(key: str) -> str:
        line = (lines or {}).get(key)
        return f"{where} {key}" + (f", line {line}" if line else "")

    signatures: dict[str, tuple[str, tuple[str, ...]]] = {}
    for key in table:
        name, parameters = _signature(key, place(key))
        if name in FUNCTIONS:
            raise ExpressionError(
                f"{place(key)}: {name} is already a function of the language; give yours "
                f"another name, such as my_{name}"
            )
        for other, (other_name, _) in signatures.items():
            if other_name == name:
                raise ExpressionError(
                    f"{place(key)}: {name} is defined twice (also as {other}); keep one"
                )
        signatures[key] = (name, parameters)
    # First the bodies, checked against every signature (a body may call a later one).
    declared = {
        name: Function(name, parameters, "", ast.Constant(0.0), _not_built)
        for name, parameters in signatures.values()
    }
    bodies: dict[str, Function] = {}
    calls: dict[str, list[str]] = {}
    keys: dict[str, str] = {}
    for key, body in table.items():
        name, parameters = signatures[key]
        line = (lines or {}).get(key, 1)
        definition = _one_expression(body, f"{where} {key}", line - 1, declared)
        unknown = [n for n in definition.uses if n not in parameters]
        if unknown:
            raise ExpressionError(
                f"{place(key)}: {name}({', '.join(parameters)}) = {body} uses the name "
                f"{unknown[0]!r}, which is not one of its parameters; a function reads only "
                "its parameters (give the number as an argument)"
            )
        bodies[name] = Function(name, parameters, definition.text, definition.tree, _not_built)
        calls[name] = [
            node.func.id
            for node in ast.walk(definition.tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in declared
        ]
        keys[name] = key
    # Then each function after the ones it calls; a cycle is recursion, which has no end.
    try:
        order = _each_after_its_inputs(calls)
    except _Cycle as cycle:
        what = (
            f"{cycle.path[0]} calls itself"
            if len(cycle.path) == 2
            else f"the functions call each other in a circle: {cycle}"
        )
        raise ExpressionError(
            f"{place(keys[cycle.path[0]])}: {what}; recursion has no end here, write the "
            "body with other functions"
        ) from None
    built: dict[str, Function] = {}
    for name in order:
        function = bodies[name]
        built[name] = replace(function, build=_operation(function, built))
    return {name: built[name] for name in bodies}


def _signature(key: str, place: str) -> tuple[str, tuple[str, ...]]:
    """("hypot", ("a", "b")) from the key "hypot(a, b)"."""
    fix = (
        'write a name and its parameters, such as "swish(x)" or "hypot(a, b)", and the body '
        'as the value: "hypot(a, b)" = "sqrt(a*a + b*b)"'
    )
    try:
        tree = ast.parse(key.strip(), mode="eval").body
    except (SyntaxError, RecursionError, MemoryError):
        raise ExpressionError(f"{place}: the key is not a signature; {fix}") from None
    if (
        not isinstance(tree, ast.Call)
        or not isinstance(tree.func, ast.Name)
        or tree.keywords
        or not all(isinstance(a, ast.Name) for a in tree.args)
    ):
        raise ExpressionError(f"{place}: the key is not a signature; {fix}")
    name = tree.func.id
    parameters = tuple(a.id for a in tree.args)  # type: ignore[attr-defined]
    for text in (name, *parameters):
        if text.startswith("__"):
            raise ExpressionError(f"{place}: names may not start with two underscores")
    if not parameters:
        raise ExpressionError(f"{place}: {name}() has no parameters; a function needs one")
    repeated = [p for k, p in enumerate(parameters) if p in parameters[:k]]
    if repeated:
        raise ExpressionError(f"{place}: the parameter {repeated[0]} is named twice")
    return name, parameters


def _one_expression(
    body: str, where: str, line_offset: int, functions: Mapping[str, Function]
) -> Definition:
    """A function's body, parsed and checked as the one expression it must be."""
    definitions = parse(body, where=where, line_offset=line_offset, functions=functions)
    if len(definitions) != 1 or definitions[0].name != "out":
        raise ExpressionError(
            f"{where}, line {line_offset + 1}: the body must be one expression, such as "
            '"x * sigmoid(x)", with no `name =` and no `;`'
        )
    return definitions[0]


def _not_built(*operands: Value | float) -> Value:
    raise AssertionError("a function is called before it is built")  # define_functions' order


def _operation(function: Function, built: Mapping[str, Function]) -> Callable[..., Value]:
    """The node builder of function's own row. Forward computes the body on the inputs'
    numbers; the local derivatives are a backward pass through the body at those numbers
    (one pass gives all of them; the last point's are kept for the next input's call)."""
    names = function.parameters
    n = len(names)

    def body(xs: tuple[float, ...]) -> tuple[list[Value], Value]:
        leaves = [Value(x, name) for name, x in zip(names, xs)]
        return leaves, _value(_compute(function.tree, dict(zip(names, leaves)), built))

    def forward(*xs: float) -> float:
        with no_grad():  # only the number is needed here
            return body(xs)[1].data

    last: dict[tuple[float, ...], tuple[float, ...]] = {}

    def gradients(xs: tuple[float, ...]) -> tuple[float, ...]:
        if xs not in last:
            with enable_grad():
                leaves, out = body(xs)
                out.backward()
            last.clear()
            last[xs] = tuple(leaf.grad for leaf in leaves)
        return last[xs]

    def derivative(k: int) -> Callable[..., float]:
        def local(*inputs_and_out: float) -> float:  # (x1, ..., xn, out)
            return gradients(inputs_and_out[:n])[k]

        return local

    return make_operation(function.name, forward, *[derivative(k) for k in range(n)])


# -- checking the tree: only the language's own nodes ------------------------------------


def _check(
    tree: ast.expr, where: str, line_offset: int, functions: Mapping[str, Function]
) -> tuple[str, ...]:
    """The names tree reads; ExpressionError at the first node outside the language (or at
    a call of one of `functions` with the wrong number of arguments)."""
    uses: list[str] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            stack += [node.right, node.left]
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            stack.append(node.operand)
        elif isinstance(node, ast.Constant) and _is_number(node.value):
            pass
        elif isinstance(node, ast.Name):
            _check_name(node.id, where, node, line_offset)
            if node.id in FUNCTIONS or node.id in functions:
                raise _error(
                    where,
                    node,
                    line_offset,
                    f"the function {node.id} without a call",
                    f"call it: {node.id}(x)",
                )
            if node.id not in uses:
                uses.append(node.id)
        elif isinstance(node, ast.Call):
            function = node.func
            known = isinstance(function, ast.Name) and (
                function.id in FUNCTIONS or function.id in functions
            )
            if not known:
                raise _error(
                    where, node, line_offset, f"a call to {_callee(function)}", allowed(functions)
                )
            assert isinstance(function, ast.Name)
            if node.keywords:
                raise _error(
                    where,
                    node.keywords[0],
                    line_offset,
                    f"a keyword argument to {function.id}",
                    "pass arguments in order",
                )
            own = functions.get(function.id)
            if own is not None and len(node.args) != len(own.parameters):
                raise _error(
                    where,
                    node,
                    line_offset,
                    f"{function.id} called with {len(node.args)} argument"
                    f"{'' if len(node.args) == 1 else 's'}",
                    f"{own.name}({', '.join(own.parameters)}) takes {len(own.parameters)}",
                )
            stack += reversed(node.args)
        else:
            raise _error(where, node, line_offset, _describe(node), allowed(functions))
    return tuple(uses)


def _check_name(name: str, where: str, node: ast.AST, line_offset: int) -> None:
    if name.startswith("__"):
        raise _error(
            where,
            node,
            line_offset,
            f"the name {name!r}",
            "names may not start with two underscores",
        )


def _is_number(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _describe(node: ast.AST) -> str:
    """What a node outside the language is, in words."""
    if isinstance(node, ast.Constant):
        kind = (
            "a string" if isinstance(node.value, (str, bytes)) else f"the constant {node.value!r}"
        )
        return kind
    if isinstance(node, ast.Attribute):
        return f"an attribute (.{node.attr})"
    if isinstance(node, ast.Subscript):
        return "a subscript ([...])"
    if isinstance(node, ast.BinOp):
        return f"the operator {type(node.op).__name__}"
    if isinstance(node, ast.UnaryOp):
        return f"the unary operator {type(node.op).__name__}"
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "an import"
    names = {
        ast.Lambda: "a lambda",
        ast.Compare: "a comparison",
        ast.BoolOp: "and/or",
        ast.IfExp: "an if-expression",
        ast.Tuple: "a tuple",
        ast.List: "a list",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.JoinedStr: "an f-string",
        ast.NamedExpr: "an assignment expression (:=)",
        ast.Starred: "a starred argument",
    }
    return names.get(type(node), f"a {type(node).__name__} statement or expression")


def _callee(function: ast.expr) -> str:
    if isinstance(function, ast.Name):
        return f"{function.id!r}, which is not a known function"
    return _describe(function)


def _error(where: str, node: ast.AST, line_offset: int, found: str, fix: str) -> ExpressionError:
    line = getattr(node, "lineno", 1) + line_offset
    column = getattr(node, "col_offset", 0) + 1
    return ExpressionError(f"{where}, line {line}, column {column}: found {found}; {fix}")


def _source(lines: list[str], tree: ast.expr) -> str:
    """The expression's text as written (one line), else as ast writes it."""
    if tree.lineno == tree.end_lineno and tree.end_col_offset is not None:
        return lines[tree.lineno - 1][tree.col_offset : tree.end_col_offset]
    return ast.unparse(tree)


# -- computing ----------------------------------------------------------------------------


def _dependency_order(
    definitions: list[Definition], by_name: dict[str, Definition], where: str
) -> list[Definition]:
    """The definitions, each after the ones it uses (stable: written order where free)."""
    uses = {d.name: [n for n in d.uses if n in by_name] for d in definitions}
    try:
        return [by_name[name] for name in _each_after_its_inputs(uses)]
    except _Cycle as cycle:
        raise ExpressionError(
            f"{where}, line {by_name[cycle.path[-1]].line}: the definitions form a cycle: "
            f"{' -> '.join(cycle.path)} (each uses the next); "
            "break it by giving one of them a number"
        ) from None


class _Cycle(Exception):
    """Names that depend on each other in a circle: path runs from one back to itself."""

    def __init__(self, path: list[str]) -> None:
        super().__init__(" -> ".join(path))
        self.path = path


def _each_after_its_inputs(inputs: Mapping[str, list[str]]) -> list[str]:
    """Every name of `inputs` (name -> the names it needs), each after the ones it needs,
    in the given order where that leaves a choice. Iterative depth-first search; a name met
    again while still open closes a cycle (_Cycle)."""
    order: list[str] = []
    state: dict[str, str] = {}  # "open" while its inputs are being placed, then "done"
    for start in inputs:
        if state.get(start) == "done":
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        state[start] = "open"
        while stack:
            name, k = stack.pop()
            if k < len(inputs[name]):
                stack.append((name, k + 1))
                child = inputs[name][k]
                if state.get(child) == "open":
                    path = [n for n, _ in stack]
                    raise _Cycle(path[path.index(child) :] + [child])
                if state.get(child) != "done":
                    state[child] = "open"
                    stack.append((child, 0))
            else:
                state[name] = "done"
                order.append(name)
    return order


def _compute(
    tree: ast.expr, env: Mapping[str, Value], functions: Mapping[str, Function]
) -> Value | float:
    """The value of a checked tree. Numbers stay numbers until they meet a Value, so the
    graph holds one node per operation on Values (a number in one becomes a leaf)."""
    if isinstance(tree, ast.Constant):
        return float(tree.value)  # type: ignore[arg-type]  # _check admits real numbers only
    if isinstance(tree, ast.Name):
        return env[tree.id]
    if isinstance(tree, ast.UnaryOp):
        operand = _compute(tree.operand, env, functions)
        return -operand if isinstance(tree.op, ast.USub) else operand
    if isinstance(tree, ast.BinOp):
        a, b = _compute(tree.left, env, functions), _compute(tree.right, env, functions)
        symbol = OPERATORS[type(tree.op)]
        if not isinstance(a, Value) and not isinstance(b, Value):
            a = Value(a)  # two numbers: let the engine compute (and check) it
        if symbol == "+":
            return a + b
        if symbol == "-":
            return a - b
        if symbol == "*":
            return a * b
        if symbol == "/":
            return a / b
        return a**b
    if isinstance(tree, ast.Call):
        assert isinstance(tree.func, ast.Name)  # checked by _check
        arguments = [_compute(a, env, functions) for a in tree.args]
        first = arguments[0] if arguments else None
        if first is not None and not isinstance(first, Value):
            arguments[0] = Value(first)
        own = functions.get(tree.func.id)
        function = FUNCTIONS[tree.func.id] if own is None else own.build
        try:
            return function(*arguments)
        except TypeError as error:
            raise TypeError(
                f"{tree.func.id}(...) with {len(arguments)} arguments: {error}"
            ) from None
    raise AssertionError(f"unchecked node {type(tree).__name__}")  # _check rejects it


def _value(x: Value | float) -> Value:
    return x if isinstance(x, Value) else Value(x)
