#!/usr/bin/env python3
"""What history costs, and what reading the past costs (issue 16).

    python3 scripts/history_bench.py --data /tmp/bench/small [--skein target/release/skein]
        [--before OLD/skein] [--commits 10000] [--statements 20000] [--runs 5]
        [--work DIR] [--json FILE]

Standard library only. Binaries are copied first, so a rebuild during the run does not
change what is measured. Every database is a fresh folder under --work (a temporary
folder by default, removed at the end). Figures:

1. Disk per change and commit throughput: N statements piped to `skein --db NEW`, (a) each
   its own durable commit and (b) all in one transaction (`:begin` … `:commit`) (50 % `CREATE (:K {i, name})`, 30 % `MATCH (k:K {i: x}) SET k.v = y`
   through an index, 20 % `MATCH (a:K {i: x}), (b:K {i: y}) CREATE (a)-[:R {w}]->(b)`),
   with `--skein` (history kept) and, when given, `--before` (a binary from before
   history): folder size after the process exits (apparent bytes), its difference over
   the number of commits, and the wall time.
2. Reading the past on the benchmark graph: the `small` data set imported with
   `skein import`, then --commits single-statement commits (`MATCH (p:Person {id: x})
   SET p.score = i`, piped, one process); then `AS OF TRANSACTION last - k` for k = 1,
   100 and --commits (or as far back as history goes) of a point lookup by indexed name,
   a count by label and a one-hop count, each run 1 + --runs times in one process with
   `--timing`, the median of the runs after the first (time_ms inside the process), beside
   the same query on the current state.
"""
import argparse
import glob
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def folder_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.stat(os.path.join(root, f)).st_size
            except FileNotFoundError:
                pass
    return total


def run(binary, args, stdin_text=None):
    started = time.perf_counter()
    proc = subprocess.run([binary] + args, input=stdin_text, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{binary} {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return proc, elapsed


def change_script(n, seed=7):
    rng = random.Random(seed)
    lines = ["CREATE INDEX FOR (k:K) ON (k.i);"]
    made = 0
    for s in range(n):
        r = rng.random()
        if made < 2 or r < 0.5:
            lines.append(f"CREATE (:K {{i: {made}, name: 'k{made}'}});")
            made += 1
        elif r < 0.8:
            lines.append(f"MATCH (k:K {{i: {rng.randrange(made)}}}) SET k.v = {rng.randrange(10**6)};")
        else:
            a, b = rng.randrange(made), rng.randrange(made)
            lines.append(f"MATCH (a:K {{i: {a}}}), (b:K {{i: {b}}}) CREATE (a)-[:R {{w: {rng.randrange(100)}}}]->(b);")
    return "\n".join(lines) + "\n"


def bench_disk(work, binaries, n, one_transaction):
    script = change_script(n)
    if one_transaction:
        script = ":begin\n" + script + ":commit\n"
    out = {}
    for name, binary in binaries.items():
        db = os.path.join(work, f"changes-{name}-{int(one_transaction)}")
        _, elapsed = run(binary, ["--db", db, "-q"], script)
        size = folder_size(db)
        out[name] = {"bytes": size, "seconds": elapsed, "statements": n + 1}
        print(f"  {name}: {size / 1e6:.1f} MB after {n + 1} statements in {elapsed:.1f} s "
              f"({(n + 1) / elapsed:.0f} statements/s)", flush=True)
    if "before" in out and "after" in out:
        extra = out["after"]["bytes"] - out["before"]["bytes"]
        out["history_bytes_per_statement"] = extra / (n + 1)
        print(f"  history: {extra / 1e6:.1f} MB more, {extra / (n + 1):.0f} bytes per statement", flush=True)
    return out


def timings(stderr):
    return [float(m) for m in re.findall(r"time_ms=([0-9.]+)", stderr)]


def bench_past(work, binary, data, commits, runs):
    db = os.path.join(work, "past")
    nodes = sorted(glob.glob(os.path.join(data, "nodes_*.csv")))
    rels = sorted(glob.glob(os.path.join(data, "rels_*.csv")))
    if not nodes:
        sys.exit(f"no nodes_*.csv in {data}")
    _, t_import = run(binary, ["--db", db, "-q", "import", "--nodes"] + nodes + ["--relationships"] + rels)
    run(binary, ["--db", db, "-q", "-c", "CREATE INDEX FOR (p:Person) ON (p.name)"])
    run(binary, ["--db", db, "-q", "-c", "CREATE INDEX FOR (p:Person) ON (p.id)"])
    proc, _ = run(binary, ["--db", db, "--format", "csv", "-c",
                           "MATCH (p:Person) RETURN min(p.id) AS lo, max(p.id) AS hi, min(p.name) AS name"])
    lo, hi, name = proc.stdout.strip().splitlines()[-1].split(",", 2)
    name = name.strip('"')
    rng = random.Random(11)
    script = "".join(f"MATCH (p:Person {{id: {rng.randint(int(lo), int(hi))}}}) SET p.score = {i};\n"
                     for i in range(commits))
    _, t_commits = run(binary, ["--db", db, "-q"], script)
    proc, _ = run(binary, ["--db", db, "--format", "csv", "-c",
                           "CALL db.history() YIELD tx RETURN max(tx) AS last"])
    last = int(proc.stdout.strip().splitlines()[-1])
    size = folder_size(db)
    print(f"  imported in {t_import:.1f} s; {commits} commits in {t_commits:.1f} s "
          f"({commits / t_commits:.0f}/s); last transaction {last}; {size / 1e6:.0f} MB", flush=True)
    queries = [
        ("point lookup", f"MATCH (p:Person {{name: '{name}'}}) RETURN p.score AS s"),
        ("count by label", "MATCH (p:Person) RETURN count(p) AS c"),
        ("one-hop count", f"MATCH (p:Person {{name: '{name}'}})-[:KNOWS]->(f) RETURN count(f) AS c"),
    ]
    backs = [0, 1, 100, commits]
    results = []
    for label, q in queries:
        row = {"query": label}
        for back in backs:
            prefix = "" if back == 0 else f"AS OF TRANSACTION {last - back} "
            text = "".join(prefix + q + ";\n" for _ in range(runs + 1))
            proc, _ = run(binary, ["--db", db, "--timing", "--format", "csv"], text)
            ts = timings(proc.stderr)
            row["now" if back == 0 else f"{back} back"] = {
                "first_ms": ts[0], "median_ms": statistics.median(ts[1:]) if len(ts) > 1 else ts[0]}
        results.append(row)
        print("  " + label + ": " + ", ".join(
            f"{k} {v['median_ms']:.2f} ms (first {v['first_ms']:.2f})"
            for k, v in row.items() if k != "query"), flush=True)
    return {"import_s": t_import, "commits_s": t_commits, "last_tx": last, "bytes": size,
            "reads": results}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skein", default="target/release/skein")
    ap.add_argument("--before")
    ap.add_argument("--data")
    ap.add_argument("--commits", type=int, default=10000)
    ap.add_argument("--statements", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work")
    ap.add_argument("--json")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="skein-history-")
    os.makedirs(work, exist_ok=True)
    binaries = {}
    for name, path in (("after", args.skein), ("before", args.before)):
        if path:
            copy = os.path.join(work, f"skein-{name}")
            shutil.copy2(path, copy)
            binaries[name] = copy
    report = {}
    try:
        print(f"1a. {args.statements} statements, each its own commit", flush=True)
        report["disk"] = bench_disk(work, binaries, args.statements, False)
        print(f"1b. the same {args.statements} statements in one transaction", flush=True)
        report["disk_one_transaction"] = bench_disk(work, binaries, args.statements, True)
        if args.data:
            print(f"2. reading the past on {args.data}", flush=True)
            report["past"] = bench_past(work, binaries["after"], args.data, args.commits, args.runs)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
