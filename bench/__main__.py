"""`make bench`: every benchmark of bench/bench_*.py in one run, results printed side by side.

    python -m bench                 # all benchmarks
    python -m bench --quick         # smaller sizes, a smoke run
    python -m bench dates loader    # only these
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
from pathlib import Path


def benchmark_names() -> list[str]:
    folder = Path(__file__).parent
    return sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(folder)]) if m.name.startswith("bench_"))


def main(argv: list[str] | None = None) -> int:
    names = benchmark_names()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: all of {', '.join(names)})")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args(argv)
    unknown = set(args.only) - set(names)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    results: list[str] = []
    for name in args.only or names:
        started = time.perf_counter()
        print(f"== {name} ...", file=sys.stderr, flush=True)
        lines = importlib.import_module(f"bench.bench_{name}").run(quick=args.quick)
        print(f"   ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
        for line in lines:
            print(line, flush=True)
        results.extend(lines)
    print("\nsummary:")
    for line in results:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
