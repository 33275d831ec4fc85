"""Derivations: a worked example written out as a slide writes it.

For every parameter, the chain rule along each path from the output down to it, first in
symbols and then in numbers, e.g.
    dE_total/dw5 = dE_total/dout_o1 x dout_o1/dnet_o1 x dnet_o1/dw5
                 = 0.741365070 x 0.186815602 x 0.593269992 = 0.082167041
together with the forward and gradient tables, as plain text, Markdown or a LaTeX fragment.
A path runs through the values the example names; the unnamed nodes between two named
values (the squares and halves inside a loss) fold into one factor, read off the op table.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass

from autograd import Step, topological_order

from .chain import named_inputs
from .escape import code_fence, latex_text, markdown_cell, markdown_text, markdown_url, plain
from .tables import (
    STEPS_TITLE,
    UPDATE_HEADERS,
    format_table,
    forward_rows,
    gradient_rows,
    step_lines,
    update_rows,
    update_table,
    update_title,
)
from .worked import Source, WorkedExample, run_backward

FORMATS = ("text", "markdown", "latex")
MAX_PATHS = 64  # a derivation longer than this is not read by anyone; the rest are counted


@dataclass(frozen=True)
class Factor:
    """One link of a path: d upper / d lower, and its value."""

    upper: str
    lower: str
    value: float


@dataclass(frozen=True)
class ChainRule:
    """A parameter's gradient as a sum over paths of products of factors."""

    name: str
    paths: list[list[Factor]]
    gradient: float
    more_paths: int = 0  # paths left out beyond MAX_PATHS


def chain_rules(example: WorkedExample) -> list[ChainRule]:
    """Each parameter's chain rule along every path from the root (runs backward first).

    The parameters are the example's, or, when it has none, every given value the output
    depends on that is not a constant. A leading factor of exactly 1 (an addition such as
    E_total = E_o1 + E_o2) folds into the next one when that gives the true gradient at
    the lower value, so the path reads dE_total/dout_o1 x ... as on the slide."""
    run_backward(example)
    edges = {name: named_inputs(value, example) for name, value in example.values.items()}
    root = example.root.label
    below = {v.label for v in topological_order(example.root)}
    targets = example.parameters or [
        n for n in example.given if n in below and not example.is_constant(n)
    ]
    rules = []
    for target in targets:
        paths: list[list[Factor]] = []
        more = 0
        stack: list[tuple[str, list[Factor]]] = [(root, [])]
        while stack:
            name, path = stack.pop()
            if name == target:
                if len(paths) < MAX_PATHS:
                    paths.append(_fold(path, example))
                else:
                    more += 1
                continue
            for lower, factor in reversed(list(edges.get(name, {}).items())):
                stack.append((lower, [*path, Factor(name, lower, factor)]))
        rules.append(ChainRule(target, paths, example.values[target].grad, more))
    return rules


def _fold(path: list[Factor], example: WorkedExample) -> list[Factor]:
    while len(path) > 1 and path[0].value == 1.0:
        first, second = path[0], path[1]
        if example.values[second.lower].grad != second.value:
            break
        path = [Factor(first.upper, second.lower, second.value), *path[2:]]
    return path


# ---------------------------------------------------------------------------------------
# Writing it out
# ---------------------------------------------------------------------------------------


def derivation(example: WorkedExample, fmt: str = "text", steps: Sequence[Step] = ()) -> str:
    """The example's forward table, gradient table and every parameter's chain rule, as
    "text", "markdown" or "latex" (a fragment: tables and displayed equations, no preamble;
    it needs no package beyond LaTeX itself). Steps from backward_steps, when given, are
    listed after the rules, one line each as the tables list them (none into a constant).
    An example with parameters ends with its update: new = old - lr * gradient."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    rules = chain_rules(example)
    writer = {"text": _text, "markdown": _markdown, "latex": _latex}[fmt]
    text = writer(example, rules)
    if example.parameters:
        text = _with_update(text, example, fmt)
    if not steps:
        return text
    lines = "\n".join(step_lines(example, steps))
    title = STEPS_TITLE
    if fmt == "text":
        return f"{text}\n\n{title}\n" + "\n".join(f"  {line}" for line in lines.split("\n"))
    if fmt == "markdown":
        return f"{text}\n## {title}\n\n{code_fence(lines, 'text')}\n"
    return (
        f"{text}\n\\medskip\\noindent\\textbf{{{latex_text(title)}}}\n"
        f"\\begin{{verbatim}}\n{lines}\n\\end{{verbatim}}\n"
    )


def _with_update(text: str, example: WorkedExample, fmt: str) -> str:
    """text followed by the example's update (one gradient-descent step), in fmt."""
    record = example.worked_pass()  # the update: new = old - lr * gradient, nothing changed
    rate, updates = record.lr, record.update_rows()
    if rate is None:
        return text
    rows = update_rows(example, updates)
    if fmt == "text":
        return f"{text}\n\n{update_table(example, updates, rate)}"
    if fmt == "markdown":
        return f"{text}\n## {update_title(rate)}\n\n{_markdown_table(UPDATE_HEADERS, rows)}\n"
    sign = "-" if rate >= 0 else "+"
    lines = [
        rf"{latex_name(u.name)}^{{+}} & = {latex_name(u.name)} {sign} {abs(rate):g} \times "
        rf"{_partial(example.root.label, u.name)} = {row[1]} {sign} {abs(rate):g} \times "
        rf"{_signed(row[2])} = {row[3]}"
        for u, row in zip(updates, rows)
    ]
    body = " \\\\\n".join(lines)
    return (
        f"{text}\n\\medskip\\noindent\\textbf{{{latex_text(update_title(rate))}}}\n"
        f"\\[\n\\begin{{array}}{{rl}}\n{body}\n\\end{{array}}\n\\]\n"
    )


def _signed(number: str) -> str:
    """A number as a factor: a negative one in parentheses."""
    return f"({number})" if number.startswith("-") else number


def _product(example: WorkedExample, path: list[Factor], times: str, first: bool) -> str:
    """A path's factors as numbers; a negative factor after the first is in parentheses."""
    texts = []
    for k, factor in enumerate(path):
        text = example.number(factor.value)
        texts.append(f"({text})" if text.startswith("-") and (k or not first) else text)
    return times.join(texts)


def _sides(
    example: WorkedExample, rule: ChainRule, times: str = " x "
) -> tuple[str, list[str], list[str], str]:
    """(left side, symbolic terms, numeric terms, result) of a rule, in plain notation."""
    lhs = example.gradient_name(rule.name)
    symbols = [times.join(f"d{f.upper}/d{f.lower}" for f in path) for path in rule.paths]
    numbers = [_product(example, p, times, k == 0) for k, p in enumerate(rule.paths)]
    return lhs, symbols, numbers, example.number(rule.gradient)


def plain_rule(example: WorkedExample, rule: ChainRule) -> list[str]:
    """A rule as lines of plain text: one line for a single path, else one line per term,
    aligned under the first equals sign."""
    lhs, symbols, numbers, result = _sides(example, rule)
    if not rule.paths:
        return [f"{lhs} = 0 (no path from {example.root.label} to {rule.name})"]
    sides = [terms for terms in (symbols, numbers) if terms not in ([lhs], [result])]
    more = f" (and {rule.more_paths} more paths)" if rule.more_paths else ""
    if len(rule.paths) == 1:
        return [" = ".join([lhs, *(terms[0] for terms in sides), result]) + more]
    pad = " " * len(lhs)
    lines = []
    for terms in sides:
        lines += [f"{pad} {'=' if k == 0 else '+'} {term}" for k, term in enumerate(terms)]
    lines.append(f"{pad} = {result}{more}")
    lines[0] = lhs + lines[0][len(pad) :]
    return lines


def _heading(example: WorkedExample) -> str:
    return plain(f"{example.name}: {example.title or example.summary}")  # one line of text


def _text(example: WorkedExample, rules: Sequence[ChainRule]) -> str:
    parts = [_heading(example)]
    if example.source is not None:
        parts.append(plain(f"Source: {example.source}"))
    parts.append(
        "Forward pass\n" + format_table(["name", "formula", " value"], forward_rows(example))
    )
    parts.append(
        f"Backward pass: gradients of {example.root.label}\n"
        + format_table(["gradient", "chain rule", " value"], gradient_rows(example))
    )
    lines = [f"  {line}" for rule in rules for line in plain_rule(example, rule)]
    parts.append("The chain rule along every path\n" + "\n".join(lines))
    return "\n\n".join(parts)


def _markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    cell = markdown_cell  # the file's text, never HTML, and one line per row
    align = ["---:" if h.startswith(" ") else "---" for h in headers]
    lines = ["| " + " | ".join(h.strip() for h in headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _markdown(example: WorkedExample, rules: Sequence[ChainRule]) -> str:
    parts = [f"# {markdown_text(_heading(example))}"]
    if example.source is not None:
        parts.append(_markdown_source(example.source))
    parts.append(
        "## Forward pass\n\n"
        + _markdown_table(["name", "formula", " value"], forward_rows(example))
    )
    parts.append(
        f"## Backward pass: gradients of {example.root.label}\n\n"
        + _markdown_table(["gradient", "chain rule", " value"], gradient_rows(example))
    )
    blocks = [code_fence("\n".join(plain_rule(example, rule)), "text") for rule in rules]
    parts.append("## The chain rule along every path\n\n" + "\n\n".join(blocks))
    return "\n\n".join(parts) + "\n"


def _markdown_source(source: Source) -> str:
    """The Source line: author and title as text, the title a link when the url is a web
    address (http, https)."""
    title, url = markdown_text(source.title), markdown_url(source.url or "")
    cited = f"[{title}]({url})" if url else title
    return f"Source: {markdown_text(source.author)}, {cited}."


# -- LaTeX -------------------------------------------------------------------------------


def latex_name(name: str) -> str:
    """A value's name in math mode: w5 -> w_{5}, E_total -> E_{\\mathrm{total}},
    out_o1 -> \\mathrm{out}_{\\mathrm{o1}}."""
    base, _, sub = name.partition("_")
    if not sub:
        match = re.fullmatch(r"([A-Za-z]+)(\d+)", base)
        if match:
            base, sub = match.groups()
    head = base if len(base) == 1 else rf"\mathrm{{{latex_text(base)}}}"
    if not sub:
        return head
    tail = sub if sub.isdigit() or len(sub) == 1 else rf"\mathrm{{{latex_text(sub)}}}"
    return f"{head}_{{{tail}}}"


# How the expression language's functions are written in math mode (\sin, not sin).
LATEX_FUNCTIONS = {
    "sin": r"\sin",
    "cos": r"\cos",
    "exp": r"\exp",
    "log": r"\log",
    "tanh": r"\tanh",
    "sigmoid": r"\sigma",
    "max": r"\max",
    "min": r"\min",
}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


def latex_formula(text: str) -> str | None:
    r"""A formula of the expression language in math mode: "exp(sin(x)) / y" becomes
    \frac{\exp(\sin(x))}{y}, "sqrt(a*a + b*b)" \sqrt{a \cdot a + b \cdot b}; a function of
    one's own is upright, \mathrm{swish}(h). None for a lone word ("given") and for text
    outside the language (a network's "1/2 (t - y)^2"), which is then shown as typed."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
        if isinstance(tree, ast.Name):  # a word, such as "given": text, not a formula
            return None
        return _latex_tree(tree)[0]
    except (SyntaxError, ValueError, RecursionError):
        return None


def _latex_tree(node: ast.expr) -> tuple[str, int]:
    """(LaTeX, precedence) of a node: 5 for an atom, 3 for unary minus."""
    if isinstance(node, ast.Name):
        return latex_name(node.id), 5
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        if isinstance(node.value, bool):
            raise ValueError("not a number")
        return f"{node.value:g}", 5
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner, level = _latex_tree(node.operand)
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        return sign + (inner if level >= 3 else rf"\left({inner}\right)"), 3
    if isinstance(node, ast.BinOp) and type(node.op) in _PRECEDENCE:
        level = _PRECEDENCE[type(node.op)]
        (left, left_level), (right, right_level) = _latex_tree(node.left), _latex_tree(node.right)
        if isinstance(node.op, ast.Div):
            return rf"\frac{{{left}}}{{{right}}}", 5
        if isinstance(node.op, ast.Pow):
            base = left if left_level == 5 else rf"\left({left}\right)"
            return f"{base}^{{{right}}}", level
        if left_level < level:
            left = rf"\left({left}\right)"
        # a - (b + c) and a * (b * c)'s right side keep their parentheses
        if right_level < level or (right_level == level and isinstance(node.op, ast.Sub)):
            right = rf"\left({right}\right)"
        symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: r"\cdot"}[type(node.op)]
        return f"{left} {symbol} {right}", level
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        arguments = [_latex_tree(a)[0] for a in node.args]
        name = node.func.id
        if name == "sqrt" and len(arguments) == 1:
            return rf"\sqrt{{{arguments[0]}}}", 5
        if name == "abs" and len(arguments) == 1:
            return rf"\left|{arguments[0]}\right|", 5
        head = LATEX_FUNCTIONS.get(name, rf"\mathrm{{{latex_text(name)}}}")
        return f"{head}({', '.join(arguments)})", 5
    raise ValueError("outside the expression language")


def _partial(upper: str, lower: str) -> str:
    return rf"\frac{{\partial {latex_name(upper)}}}{{\partial {latex_name(lower)}}}"


def _latex_table(headers: Sequence[str], rows: Sequence[Sequence[str]], math_first: bool) -> str:
    spec = "".join("r" if h.startswith(" ") else "l" for h in headers)
    lines = [rf"\begin{{tabular}}{{{spec}}}", r"\hline"]
    lines.append(" & ".join(latex_text(h.strip()) for h in headers) + r" \\ \hline")
    for row in rows:
        first = row[0]
        if math_first:
            upper, _, lower = first.partition("/")
            first_cell = rf"$\partial {latex_name(upper[1:])} / \partial {latex_name(lower[1:])}$"
        else:
            first_cell = f"${latex_name(first)}$"
        formula = None if math_first else latex_formula(row[1])
        shown = rf"\texttt{{{latex_text(row[1])}}}" if formula is None else f"${formula}$"
        cells = [first_cell, shown, f"${row[2]}$"]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\hline", r"\end{tabular}"]
    return "\n".join(lines)


def _latex_rule(example: WorkedExample, rule: ChainRule) -> str:
    lhs = _partial(example.root.label, rule.name)
    result = example.number(rule.gradient)
    if not rule.paths:
        return rf"\[ {lhs} = 0 \]"
    rows = []
    symbols = [r" \times ".join(_partial(f.upper, f.lower) for f in p) for p in rule.paths]
    numbers = [_product(example, p, r" \times ", k == 0) for k, p in enumerate(rule.paths)]
    for terms in (symbols, numbers):
        if terms == [lhs] or terms == [result]:
            continue
        rows += [("= " if k == 0 else r"\quad + ") + term for k, term in enumerate(terms)]
    rows.append(f"= {result}")
    body = r" \\" + "\n"
    lines = [f"{lhs} & {rows[0]}"] + [f" & {row}" for row in rows[1:]]
    note = ""
    if rule.more_paths:
        note = rf" \quad \mbox{{(and {rule.more_paths} more paths)}}"
    return "\\[\n\\begin{array}{rl}\n" + body.join(lines) + note + "\n\\end{array}\n\\]"


def _latex(example: WorkedExample, rules: Sequence[ChainRule]) -> str:
    parts = [rf"\noindent\textbf{{{latex_text(_heading(example))}}}"]
    if example.source is not None:
        source = example.source
        parts.append(
            rf"\noindent Source: {latex_text(source.author)}, "
            rf"\emph{{{latex_text(source.title)}}}"
            + (rf", \texttt{{{latex_text(source.url)}}}." if source.url else ".")
        )
    parts.append(
        r"\noindent\textbf{Forward pass}\\[1ex]"
        + "\n"
        + _latex_table(["name", "formula", " value"], forward_rows(example), False)
    )
    parts.append(
        rf"\noindent\textbf{{Backward pass: gradients of "
        rf"${latex_name(example.root.label)}$}}\\[1ex]"
        + "\n"
        + _latex_table(["gradient", "chain rule", " value"], gradient_rows(example), True)
    )
    parts.append(r"\medskip\noindent\textbf{The chain rule along every path}")
    parts += [_latex_rule(example, rule) for rule in rules]
    return "\n\n".join(parts) + "\n"
