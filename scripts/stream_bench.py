#!/usr/bin/env python3
"""Batch-mode streaming: pipes N statements `CREATE (:K {i: n}) RETURN n AS ack;` to
`skein --db DB --format literal` and reports when the first acknowledgement arrived and
how long all N took, as a program driving skein would see them.

    python3 scripts/stream_bench.py N [path/to/skein]   (default: target/release/skein)
"""
import subprocess
import sys
import tempfile
import threading
import time


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    binary = sys.argv[2] if len(sys.argv) > 2 else "target/release/skein"
    with tempfile.TemporaryDirectory() as scratch:
        proc = subprocess.Popen(
            [binary, "--db", f"{scratch}/db", "--format", "literal"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

        def feed():
            for n in range(count):
                proc.stdin.write(f"CREATE (:K {{i: {n}}}) RETURN {n} AS ack;\n")
            proc.stdin.close()

        start = time.perf_counter()
        threading.Thread(target=feed, daemon=True).start()
        first = None
        acks = 0
        for line in proc.stdout:
            if line.strip() == "ack":
                continue
            acks += 1
            if first is None:
                first = time.perf_counter() - start
        proc.wait()
        total = time.perf_counter() - start
        print(f"{count} statements: first result after {first:.3f} s, all {acks} in {total:.1f} s")


if __name__ == "__main__":
    main()
