"""One benchmark measurement in a fresh process: `python worker.py ENGINE WORKLOAD [--quick]`.

run.py starts one of these per engine, per workload, per round, and reads the JSON object
this prints as its last line of output. ENGINE is chainrule, micrograd, torch or numpy
(the hand-written NumPy step of (b'), the floor under a NumPy engine).
The `import` workload is measured first thing, before this file imports anything beyond
`sys` and `time`, so the figure is what `import autograd` costs in a new interpreter.
"""

import sys
import time

IMPORTED_NAME = {
    "chainrule": "autograd",
    "micrograd": "micrograd",
    "torch": "torch",
    "numpy": "numpy",  # (b')'s hand-written floor, numpy_runs.py
}


def measure_import(engine: str) -> dict:
    """(e) seconds to import the engine's package, and which heavy modules came with it."""
    before = set(sys.modules)
    start = time.perf_counter()
    __import__(IMPORTED_NAME[engine])
    seconds = time.perf_counter() - start
    loaded = set(sys.modules) - before
    return {
        "import_s": seconds,
        "modules_loaded": len(loaded),
        "numpy_loaded": "numpy" in sys.modules,
        "graphviz_loaded": "graphviz" in sys.modules,
    }


def main(argv: list) -> int:
    if len(argv) < 2 or argv[0] not in IMPORTED_NAME:
        sys.stderr.write(f"usage: worker.py {{{','.join(IMPORTED_NAME)}}} WORKLOAD [--quick]\n")
        return 2
    engine, workload, quick = argv[0], argv[1], "--quick" in argv[2:]
    if workload == "import":
        result = measure_import(engine)
    else:
        import importlib

        from common import sizes

        module = importlib.import_module(f"{engine}_runs")
        if workload not in module.WORKLOADS:
            names = ", ".join(module.WORKLOADS)
            sys.stderr.write(f"{engine} has no workload {workload!r}; it has: {names}\n")
            return 2
        result = module.WORKLOADS[workload](sizes(quick))
    import json

    print(json.dumps({"engine": engine, "workload": workload, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
