"""The expression language: text such as "q = x + y; f = q * z" turned into a graph of Values.

It reads Python-like arithmetic with Python's own parser (`ast`), and then walks the tree
itself, allowing only numbers, names, + - * / **, unary minus and calls to the functions in
`autograd.engine.FUNCTIONS`. Nothing is ever evaluated as Python: an attribute, a string,
a subscript, a lambda or a call to anything else is an error that says what was found, where
(line and column), and what is allowed. Definitions may come in any order; a cycle between
them is an error that names it.
"""

from __future__ import annotations

import ast
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

from .engine import FUNCTIONS, Value

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


def allowed() -> str:
    """What the language accepts, in one sentence (shown with every syntax error)."""
    names = ", ".join(sorted(FUNCTIONS))
    return f"allowed are numbers, names, + - * / **, unary minus, parentheses and calls to {names}"


@dataclass(frozen=True)
class Definition:
    """One `name = expression` statement: its parsed tree and where it was written."""

    name: str
    text: str  # the expression as written, e.g. "x + y"
    tree: ast.expr
    line: int  # 1-based, in the text it came from
    uses: tuple[str, ...]  # the names it reads, in order of first use


def parse(text: str, *, where: str = "expression", line_offset: int = 0) -> list[Definition]:
    """Parse statements `name = expression`, separated by `;` or newlines.

    A last statement without `name =` is named "out". `where` names the source in messages
    (a file name, "expression"); `line_offset` shifts reported lines (text taken from a
    file). Raises ExpressionError for anything outside the language.
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
            f"{error.msg}; {allowed()}"
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
                f"each statement is `name = expression`; {allowed()}",
            )
        _check_name(name, where, statement, line_offset)
        uses = _check(tree, where, line_offset)
        expression_text = _source(lines, tree)
        definitions.append(Definition(name, expression_text, tree, line, uses))
    if not definitions:
        raise ExpressionError(f"{where}: no statements; write e.g. `q = x + y; f = q * z`")
    return definitions


def evaluate(
    definitions: list[Definition], given: Mapping[str, Value], *, where: str = "expression"
) -> dict[str, Value]:
    """Compute every definition from the given Values, in dependency order.

    Returns the computed Values by name, in the order they were computed, each labelled with
    its name. Raises ExpressionError naming the definition for an unknown name, a name
    defined twice, a cycle, or a math error at these values (division by zero, log of a
    negative number, an overflow).
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
            value = _value(_compute(definition.tree, env))
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


# -- checking the tree: only the language's own nodes ------------------------------------


def _check(tree: ast.expr, where: str, line_offset: int) -> tuple[str, ...]:
    """The names tree reads; ExpressionError at the first node outside the language."""
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
            if node.id in FUNCTIONS:
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
            if not isinstance(function, ast.Name) or function.id not in FUNCTIONS:
                raise _error(where, node, line_offset, f"a call to {_callee(function)}", allowed())
            if node.keywords:
                raise _error(
                    where,
                    node.keywords[0],
                    line_offset,
                    f"a keyword argument to {function.id}",
                    "pass arguments in order",
                )
            stack += reversed(node.args)
        else:
            raise _error(where, node, line_offset, _describe(node), allowed())
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
    """The definitions, each after the ones it uses (stable: written order where free).
    Iterative depth-first search; a name met again while still open closes a cycle."""
    order: list[Definition] = []
    state: dict[str, str] = {}  # "open" while its inputs are being placed, then "done"
    for start in definitions:
        if state.get(start.name) == "done":
            continue
        stack: list[tuple[Definition, int]] = [(start, 0)]
        state[start.name] = "open"
        while stack:
            definition, k = stack.pop()
            inputs = [n for n in definition.uses if n in by_name]
            if k < len(inputs):
                stack.append((definition, k + 1))
                child = by_name[inputs[k]]
                if state.get(child.name) == "open":
                    path = [d.name for d, _ in stack]
                    cycle = path[path.index(child.name) :] + [child.name]
                    raise ExpressionError(
                        f"{where}, line {child.line}: the definitions form a cycle: "
                        f"{' -> '.join(cycle)} (each uses the next); "
                        "break it by giving one of them a number"
                    )
                if state.get(child.name) != "done":
                    state[child.name] = "open"
                    stack.append((child, 0))
            else:
                state[definition.name] = "done"
                order.append(definition)
    return order


def _compute(tree: ast.expr, env: Mapping[str, Value]) -> Value | float:
    """The value of a checked tree. Numbers stay numbers until they meet a Value, so the
    graph holds one node per operation on Values (a number in one becomes a leaf)."""
    if isinstance(tree, ast.Constant):
        return float(tree.value)  # type: ignore[arg-type]  # _check admits real numbers only
    if isinstance(tree, ast.Name):
        return env[tree.id]
    if isinstance(tree, ast.UnaryOp):
        operand = _compute(tree.operand, env)
        return -operand if isinstance(tree.op, ast.USub) else operand
    if isinstance(tree, ast.BinOp):
        a, b = _compute(tree.left, env), _compute(tree.right, env)
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
        arguments = [_compute(a, env) for a in tree.args]
        first = arguments[0] if arguments else None
        if first is not None and not isinstance(first, Value):
            arguments[0] = Value(first)
        function = FUNCTIONS[tree.func.id]
        try:
            return function(*arguments)
        except TypeError as error:
            raise TypeError(
                f"{tree.func.id}(...) with {len(arguments)} arguments: {error}"
            ) from None
    raise AssertionError(f"unchecked node {type(tree).__name__}")  # _check rejects it


def _value(x: Value | float) -> Value:
    return x if isinstance(x, Value) else Value(x)
