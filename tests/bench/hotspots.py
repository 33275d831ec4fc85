"""Where chainrule spends its time in a benchmark workload: cProfile, top functions.

    python tests/bench/hotspots.py training            # or step, graph, chain, memory
    python tests/bench/hotspots.py graph --quick --top 15 --sort cumulative

Runs the same code as worker.py chainrule WORKLOAD, under cProfile (which slows Python
calls down, so read the shares, not the seconds).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys

import chainrule_runs
from common import sizes


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=sorted(chainrule_runs.WORKLOADS))
    parser.add_argument("--quick", action="store_true", help="the smaller --quick sizes")
    parser.add_argument("--top", type=int, default=20, help="functions to list (default 20)")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (default tottime)")
    args = parser.parse_args(argv)
    workload = chainrule_runs.WORKLOADS[args.workload]
    profiler = cProfile.Profile()
    result = profiler.runcall(workload, sizes(args.quick))
    print(result)
    pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
