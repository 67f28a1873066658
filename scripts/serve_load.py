#!/usr/bin/env python3
"""Load test of `skein serve` through the official neo4j Python driver: N concurrent
sessions (32 unless told) for a while (60 s unless told) of mixed reads and writes on
one database, then a check that every acknowledged write is there and nothing else.

Each session loops, choosing at random (with the default `--writes 0.3`; another share
of writes scales the reads and the writes each in these proportions):
- 40% a point read by an indexed key (`MATCH (i:Item {id: $id}) RETURN i.v`),
- 20% a one-hop read (`MATCH (:Item {id: $id})-[:NEXT]->(j) RETURN j.id`),
- 10% an aggregate over the items (`MATCH (i:Item) WHERE i.v < $v RETURN count(i)`),
- 20% an auto-commit write (`CREATE (:Written {session: $s, seq: $n})`),
- 10% an explicit transaction writing two nodes and reading its own writes back.

It reports operations per second and the p50/p99 latency of each kind, the errors (any
error fails the run) and the check. The database is a fresh folder with 10,000 items in a
chain, made through the server before the clock starts.

    cargo build --release
    python3 scripts/serve_load.py [--sessions 32] [--seconds 60] [--writes 0.3] [--skein target/release/skein]
"""
import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from neo4j import GraphDatabase

ITEMS = 10_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, server, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit(f"skein serve exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit("skein serve did not start listening")


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def worker(driver, session_no, writes, stop, stats, acknowledged, errors):
    rng = random.Random(session_no)
    seq = 0
    with driver.session() as session:
        while not stop.is_set():
            roll = rng.random()
            # Reads take the share `1 - writes` in the proportions 4:2:1; writes the rest
            # in the proportions 2:1.
            if roll < 1 - writes:
                roll = roll / (1 - writes) * 0.7
            else:
                roll = 0.7 + (roll - (1 - writes)) / writes * 0.3
            start = time.perf_counter()
            try:
                if roll < 0.4:
                    kind = "point read"
                    session.run(
                        "MATCH (i:Item {id: $id}) RETURN i.v", id=rng.randrange(ITEMS)
                    ).single()
                elif roll < 0.6:
                    kind = "one-hop read"
                    session.run(
                        "MATCH (:Item {id: $id})-[:NEXT]->(j) RETURN j.id",
                        id=rng.randrange(ITEMS - 1),
                    ).single()
                elif roll < 0.7:
                    kind = "aggregate read"
                    session.run(
                        "MATCH (i:Item) WHERE i.v < $v RETURN count(i)",
                        v=rng.randrange(1000),
                    ).single()
                elif roll < 0.9:
                    kind = "auto-commit write"
                    seq += 1
                    session.run(
                        "CREATE (:Written {session: $s, seq: $n})", s=session_no, n=seq
                    ).consume()
                    acknowledged.append((session_no, seq))
                else:
                    kind = "transaction"
                    first, second = seq + 1, seq + 2
                    seq += 2
                    with session.begin_transaction() as tx:
                        tx.run(
                            "CREATE (:Written {session: $s, seq: $a}), (:Written {session: $s, seq: $b})",
                            s=session_no,
                            a=first,
                            b=second,
                        ).consume()
                        seen = tx.run(
                            "MATCH (w:Written {session: $s}) WHERE w.seq IN [$a, $b] RETURN count(w)",
                            s=session_no,
                            a=first,
                            b=second,
                        ).single()[0]
                        if seen != 2:
                            raise AssertionError(f"a transaction saw {seen} of its 2 writes")
                        tx.commit()
                    acknowledged.extend([(session_no, first), (session_no, second)])
            except Exception as e:  # every error fails the run; keep going to count them
                errors.append(f"session {session_no}: {type(e).__name__}: {e}")
                continue
            stats.setdefault(kind, []).append(time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--writes", type=float, default=0.3,
                        help="the share of operations that write (default 0.3)")
    parser.add_argument("--skein", default="target/release/skein")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="skein-load-")
    port = free_port()
    server = subprocess.Popen(
        [
            args.skein,
            "--db",
            os.path.join(folder, "db"),
            "serve",
            "--bolt",
            f"127.0.0.1:{port}",
            "--max-connections",
            str(args.sessions + 8),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for(port, server)
        uri = f"bolt://127.0.0.1:{port}"
        with GraphDatabase.driver(uri, auth=("neo4j", "x"), max_connection_pool_size=args.sessions + 4) as driver:
            driver.execute_query("CREATE INDEX item_id FOR (i:Item) ON (i.id)")
            driver.execute_query(
                "UNWIND range(0, $n - 1) AS k CREATE (:Item {id: k, v: k % 1000})", n=ITEMS
            )
            driver.execute_query(
                "MATCH (a:Item), (b:Item) WHERE b.id = a.id + 1 CREATE (a)-[:NEXT]->(b)"
            )
            stop = threading.Event()
            per_session = [dict() for _ in range(args.sessions)]
            acknowledged = []
            errors = []
            threads = [
                threading.Thread(
                    target=worker,
                    args=(driver, n, args.writes, stop, per_session[n], acknowledged, errors),
                )
                for n in range(args.sessions)
            ]
            began = time.perf_counter()
            for t in threads:
                t.start()
            time.sleep(args.seconds)
            stop.set()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - began

            records, _, _ = driver.execute_query("MATCH (w:Written) RETURN w.session, w.seq")
            present = {(r[0], r[1]) for r in records}
            expected = set(acknowledged)
            lost = expected - present
            extra = present - expected
    finally:
        server.terminate()
        server.wait(timeout=30)

    kinds = {}
    for stats in per_session:
        for kind, times in stats.items():
            kinds.setdefault(kind, []).extend(times)
    total = sum(len(t) for t in kinds.values())
    print(f"{args.sessions} sessions, {elapsed:.1f} s: {total} operations, {total / elapsed:.0f} per second")
    print(f"{'kind':<20} {'count':>8} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for kind in sorted(kinds):
        times = kinds[kind]
        print(
            f"{kind:<20} {len(times):>8} {len(times) / elapsed:>8.0f} "
            f"{percentile(times, 50) * 1000:>8.2f} {percentile(times, 99) * 1000:>8.2f}"
        )
    all_times = [t for times in kinds.values() for t in times]
    print(f"{'all':<20} {total:>8} {total / elapsed:>8.0f} "
          f"{statistics.median(all_times) * 1000:>8.2f} {percentile(all_times, 99) * 1000:>8.2f}")
    print(f"errors: {len(errors)}")
    for e in errors[:10]:
        print("  " + e)
    print(f"acknowledged writes: {len(expected)}; present afterwards: {len(present)}; "
          f"lost: {len(lost)}; present but not acknowledged: {len(extra)}")
    if errors or lost or extra:
        sys.exit(1)


if __name__ == "__main__":
    main()
