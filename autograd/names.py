"""The name a node is printed with, the same in every place that prints one.

A labelled Value is called by its label. A Value nobody labelled is called by the formula
that made it when that is short ("(target_o1 − out_o1)²"), else by its operation and a
count in reading order ("mul1"); a bare number by its value. Pictures, captions,
`str(step)`, the step-through's text and table all take their names from `node_names`, so
a learner sees one name for one node wherever it appears.
"""

from __future__ import annotations

from .ops import TABLE

TYPE_CHECKING = False  # typing.TYPE_CHECKING, read by type checkers: `import autograd` skips typing
if TYPE_CHECKING:
    from .engine import Value

# How each operation is written: in a drawing's small op node, and inside a formula name.
OP_SYMBOLS = {
    "+": "+",
    "-": "−",
    "*": "×",
    "/": "÷",
    "**": "**",
    "neg": "−x",
    "exp": "exp",
    "log": "log",
    "tanh": "tanh",
    "sigmoid": "σ",
    "relu": "ReLU",
    "sin": "sin",
    "cos": "cos",
    "sqrt": "√",
    "sum": "Σ",
    "wsum": "Σ w·x + b",
}
# A formula name longer than this no longer reads in a box: the node is "mul1" instead.
LONGEST_FORMULA = 24
OP_WORDS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "wsum": "net"}
FUNCTION_NAMES = {
    "sigmoid": "σ",
    "relu": "relu",
    "exp": "exp",
    "log": "log",
    "tanh": "tanh",
    "sin": "sin",
    "cos": "cos",
    "sqrt": "√",
}
SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")  # (a − b)² in a name


def node_names(root: Value, parameters: dict[Value, str] | None = None) -> dict[Value, str]:
    """A printable name for every node below root: its label; a model parameter's name
    from `parameters` (such as "w.0"); a bare number's value; else the formula that made
    it when it is short ("target − out"), or its operation and a count in reading order
    ("mul1"). The partial sums of one running sum (a + b, a + b + c, ...) are named alike:
    all by their formulas, or, when one is too long for that, all by a count ("add1",
    "add2", ...), never a mix. The same graph always gets the same names."""
    order = reading_order(root)
    names, counted = _names(order, parameters, set())
    chains = _running_sums(order, names, parameters)
    forced = {node for chain in chains if chain & counted for node in chain}
    if forced - counted:  # a running sum named partly by formulas: count all of it
        names, _ = _names(order, parameters, forced)
    return names


def _names(
    order: list[Value], parameters: dict[Value, str] | None, forced: set[Value]
) -> tuple[dict[Value, str], set[Value]]:
    """Each node's name (see node_names), and the nodes named by a count; the nodes in
    `forced` are named by a count whatever their formula."""
    names: dict[Value, str] = {}
    formula: set[Value] = set()  # names that are formulas: wrapped in ( ) inside others
    counted: set[Value] = set()
    counts: dict[str, int] = {}
    for node in order:
        if node.label:
            names[node] = clean(node.label)
        elif parameters is not None and node in parameters:
            names[node] = clean(parameters[node])
        elif not node.inputs:
            names[node] = f"{node.data:g}"
        else:
            text = None if node in forced else _formula(node, names, formula)
            if text is not None and len(text) <= LONGEST_FORMULA:
                names[node] = text
                formula.add(node)
            else:
                word = OP_WORDS.get(str(node.op), str(node.op))
                counts[word] = counts.get(word, 0) + 1
                names[node] = f"{word}{counts[word]}"
                counted.add(node)
    return names, counted


def _running_sums(
    order: list[Value], names: dict[Value, str], parameters: dict[Value, str] | None
) -> list[set[Value]]:
    """The unnamed partial sums of each running sum: a + b, then (a + b) + c, ..."""
    chain_of: dict[Value, set[Value]] = {}
    for node in order:
        if not _unnamed_sum(node, parameters):
            continue
        left = node.inputs[0]
        chain = chain_of[left] if left in chain_of else set()
        chain.add(node)
        chain_of[node] = chain
    unique = {id(chain): chain for chain in chain_of.values()}
    return [chain for chain in unique.values() if len(chain) > 1]


def _unnamed_sum(node: Value, parameters: dict[Value, str] | None) -> bool:
    return (
        str(node.op) == "+"
        and len(node.inputs) == 2
        and not node.label
        and (parameters is None or node not in parameters)
    )


def reading_order(root: Value) -> list[Value]:
    """Every node below root, inputs before the node, the first operand's branch first:
    the order a person reads the expression in (w1 before w2, o1 before o2)."""
    seen: set[Value] = set()
    order: list[Value] = []
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((x, False) for x in reversed(node.inputs) if x not in seen)
    return order


def _formula(node: Value, names: dict[Value, str], formula: set[Value]) -> str | None:
    def part(x: Value) -> str:  # a formula with spaces in it goes in parentheses
        return f"({names[x]})" if x in formula and " " in names[x] else names[x]

    op, inputs = str(node.op), node.inputs
    if op == "**" and node.const is not None:  # a number exponent
        exponent = f"{node.const:g}"
        if exponent.lstrip("-").isdigit():  # a whole number: written as a superscript
            return part(inputs[0]) + exponent.translate(SUPERSCRIPTS)
        return f"{part(inputs[0])}^{exponent}"
    if op == "+" and len(inputs) == 2 and inputs[0] in formula and str(inputs[0].op) == "+":
        return f"{names[inputs[0]]} + {part(inputs[1])}"  # a running sum: a + b + c
    if op in ("+", "-", "*", "/", "**") and len(inputs) == 2:
        symbol = "^" if op == "**" else f" {OP_SYMBOLS[op]} "
        return f"{part(inputs[0])}{symbol}{part(inputs[1])}"
    if op == "neg":
        return f"−{part(inputs[0])}"
    if op in FUNCTION_NAMES:
        return f"{FUNCTION_NAMES[op]}({names[inputs[0]]})"
    if node.op not in TABLE and op.isidentifier():  # an operation of one's own: swish(h)
        return f"{op}({', '.join(names[x] for x in inputs)})"
    if op == "sum" and len(inputs) <= 3:
        return " + ".join(part(x) for x in inputs)
    return None


def clean(text: str) -> str:
    """text with what DOT and UTF-8 cannot carry made visible: a control character (NUL
    included) becomes its Unicode picture (␀), a lone surrogate the replacement
    character; a newline or tab is a space."""
    out = []
    for char in text:
        code = ord(char)
        if char in "\n\r\t":
            out.append(" ")
        elif code < 0x20:
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("\u2421")
        elif 0x80 <= code < 0xA0 or 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


def grouped(name: str) -> str:
    """name as a part of a longer expression: a formula name in parentheses, so
    d(target − out)/dout and (a × a).grad read as one thing. A name that is one term
    already ("(a − b)²", "σ(net h1)") is left as it is."""
    depth = 0
    for char in name:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == " " and depth == 0:
            return f"({name})"
    return name
