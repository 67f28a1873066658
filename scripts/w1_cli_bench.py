#!/usr/bin/env python3
"""W1 through the command line: the benchmark's write workload (10 statements creating
1,000 persons each, then 10 creating 1,000 KNOWS relationships between them, the same
rows as `skein-bench`'s W1) with the rows inlined in the script as literal lists, which
is how a program driving `skein` sends them (and how FalkorDB's Python client sends
parameters). The statements are piped to one `skein --db DB --timing` process on the
imported benchmark graph; the script reports the median `time_ms` of each kind (parse,
plan, run and the durable commit) and the wall time of the whole run.

    python3 ../shared/bench/gen.py --scale small --out /tmp/bench/small
    python3 scripts/w1_cli_bench.py --data /tmp/bench/small [--skein target/release/skein]
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import tempfile
import time

STATEMENTS = 10
ROWS = 1000


def node_rows(statement, first_id):
    rows = []
    for row in range(ROWS):
        i = statement * ROWS + row
        rows.append(
            f"{{id: {first_id + i}, name: 'W1 Person {i}', age: {18 + i % 70}, country: 'Nowhere'}}"
        )
    return "[" + ", ".join(rows) + "]"


def rel_rows(statement, first_id):
    n = STATEMENTS * ROWS
    rows = []
    for row in range(ROWS):
        i = statement * ROWS + row
        src = (i * 7919) % n
        dst = (src + 1 + (i * 104_729) % (n - 1)) % n
        weight = repr((i % 1000) / 1000.0)
        rows.append(
            f"{{src: {first_id + src}, dst: {first_id + dst}, since: {1980 + i % 47}, weight: {weight}}}"
        )
    return "[" + ", ".join(rows) + "]"


def run(skein, db, *args, stdin=None):
    return subprocess.run(
        [skein, "--db", db, *args], input=stdin, capture_output=True, text=True, check=True
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="a folder bench/gen.py wrote")
    parser.add_argument("--skein", default="target/release/skein")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        db = os.path.join(scratch, "db")
        nodes = sorted(glob.glob(os.path.join(args.data, "nodes_*.csv")))
        rels = sorted(glob.glob(os.path.join(args.data, "rels_*.csv")))
        run(args.skein, db, "-q", "import", "--nodes", *nodes, "--relationships", *rels)
        run(
            args.skein,
            db,
            "-q",
            "-c",
            "CREATE INDEX FOR (p:Person) ON (p.name); CREATE INDEX FOR (p:Person) ON (p.id)",
        )
        found = run(args.skein, db, "--format", "json", "-c", "MATCH (p:Person) RETURN max(p.id) AS m")
        first_id = json.loads(found.stdout)["rows"][0]["m"] + 1
        script = []
        for s in range(STATEMENTS):
            script.append(
                f"UNWIND {node_rows(s, first_id)} AS r "
                "CREATE (:Person {id: r.id, name: r.name, age: r.age, country: r.country});"
            )
        for s in range(STATEMENTS):
            script.append(
                f"UNWIND {rel_rows(s, first_id)} AS r "
                "MATCH (a:Person {id: r.src}), (b:Person {id: r.dst}) "
                "CREATE (a)-[:KNOWS {since: r.since, weight: r.weight}]->(b);"
            )
        text = "\n".join(script) + "\n"
        started = time.perf_counter()
        done = run(args.skein, db, "-q", "--timing", stdin=text)
        wall = time.perf_counter() - started
        times = [
            float(line.split("=", 1)[1])
            for line in done.stderr.splitlines()
            if line.startswith("time_ms=")
        ]
        if len(times) != 2 * STATEMENTS:
            raise SystemExit(f"expected {2 * STATEMENTS} timings, got:\n{done.stderr}")
        created = run(
            args.skein,
            db,
            "--format",
            "json",
            "-c",
            f"MATCH (p:Person) WHERE p.id >= {first_id} "
            "OPTIONAL MATCH (p)-[k:KNOWS]->() RETURN count(DISTINCT p) AS p, count(k) AS k",
        )
        counts = json.loads(created.stdout)["rows"][0]
        print(f"script: {len(text) / 1e6:.1f} MB, {2 * STATEMENTS} statements; wall {wall:.2f} s")
        print(f"W1-nodes per 1k rows: median {statistics.median(times[:STATEMENTS]):.1f} ms")
        print(f"W1-rels  per 1k rows: median {statistics.median(times[STATEMENTS:]):.1f} ms")
        print(f"created: {counts['p']} persons, {counts['k']} KNOWS")


if __name__ == "__main__":
    main()
