"""Stands in for `scrapy crawl SPIDER` in the scheduler tests.

    python fake_crawl.py SPIDER --log FILE [--sleep S] [--wait-for FILE] [--exit N] [--ignore-sigterm]

Appends `start SPIDER PID T` when it starts and `end SPIDER PID T` when it ends to FILE
(T: CLOCK_MONOTONIC, comparable across processes), `sigterm SPIDER PID T` on SIGTERM. It
sleeps S seconds, then runs until --wait-for FILE exists (or SIGTERM).
"""
import argparse
import os
import signal
import sys
import time


def record(log: str, event: str, spider: str) -> None:
    with open(log, "a") as f:
        f.write(f"{event} {spider} {os.getpid()} {time.monotonic_ns()}\n")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("spider")
    parser.add_argument("--log", required=True)
    parser.add_argument("--sleep", type=float, default=0.0)
    parser.add_argument("--wait-for")
    parser.add_argument("--exit", type=int, default=0)
    parser.add_argument("--ignore-sigterm", action="store_true")
    args = parser.parse_args()
    terminated = False

    def on_sigterm(*_):
        nonlocal terminated
        record(args.log, "sigterm", args.spider)
        terminated = not args.ignore_sigterm

    signal.signal(signal.SIGTERM, on_sigterm)
    record(args.log, "start", args.spider)
    time.sleep(args.sleep)
    deadline = time.monotonic() + 120  # never outlive a broken test
    while args.wait_for and not os.path.exists(args.wait_for) and not terminated and time.monotonic() < deadline:
        time.sleep(0.02)
    record(args.log, "end", args.spider)
    return args.exit


if __name__ == "__main__":
    sys.exit(main())
