#!/usr/bin/env python3
"""Soak test of skein's durability: random writes and reads against a model, with the
writing process killed (kill -9) at random moments, for an hour unless told.

Each cycle starts `skein --db DB --format jsonl` reading statements from a pipe, sends
them one at a time and waits for each answer, then kills the process at a random
moment (0.2 to 3 s in, possibly mid-statement). The statements, over 2,000 node keys:
- 25% create a node `(:K {id, v})`, 15% set a node's `v`, 10% detach-delete a node,
  15% create a relationship `(:K)-[:R]->(:K)`,
- 10% an explicit transaction of three of those (`:begin` … `:commit`),
- 25% a read (a count and a sum over all nodes, or one node's values), whose answer
  must equal the model's at that moment.

A write counts as acknowledged when its answer (for a transaction, the answer of the
statement after `:commit`) has been read. After each kill the database is checked with
`skein check` (it must exit 0) and read whole; it must equal the model of the
acknowledged writes, or that model plus the one write in flight at the kill (a crash may
keep or lose what it cut short, nothing else). The report gives the cycles, the
acknowledged writes, the reads compared, and every loss or difference (any fails the
run, exit 1).

    cargo build --release
    python3 scripts/soak.py [--seconds 3600] [--skein target/release/skein] [--seed N]
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time

KEYS = 2000


class Model:
    """The acknowledged state: node id -> v, and relationship (a, b) -> how many."""

    def __init__(self):
        self.nodes = {}
        self.rels = {}

    def copy(self):
        other = Model()
        other.nodes = dict(self.nodes)
        other.rels = dict(self.rels)
        return other

    def apply(self, op):
        kind = op[0]
        if kind == "create":
            _, key, v = op
            if key not in self.nodes:
                self.nodes[key] = v
        elif kind == "set":
            _, key, v = op
            if key in self.nodes:
                self.nodes[key] = v
        elif kind == "delete":
            _, key = op
            if key in self.nodes:
                del self.nodes[key]
                self.rels = {r: n for r, n in self.rels.items() if key not in r}
        elif kind == "relate":
            _, a, b = op
            if a in self.nodes and b in self.nodes:
                self.rels[(a, b)] = self.rels.get((a, b), 0) + 1

    def snapshot(self):
        rels = sorted(r for r, n in self.rels.items() for _ in range(n))
        return sorted(self.nodes.items()), rels


def statement(op):
    kind = op[0]
    if kind == "create":
        # MERGE keeps ids unique, so a repeated create is a no-op like the model's.
        _, key, v = op
        return f"MERGE (n:K {{id: {key}}}) ON CREATE SET n.v = {v} RETURN count(n) AS c"
    if kind == "set":
        _, key, v = op
        return f"MATCH (n:K {{id: {key}}}) SET n.v = {v} RETURN count(n) AS c"
    if kind == "delete":
        _, key = op
        return f"MATCH (n:K {{id: {key}}}) DETACH DELETE n RETURN count(*) AS c"
    _, a, b = op
    return (
        f"MATCH (a:K {{id: {a}}}), (b:K {{id: {b}}}) CREATE (a)-[:R]->(b) "
        "RETURN count(*) AS c"
    )


def random_write(rng):
    roll = rng.random() * 65
    key = rng.randrange(KEYS)
    if roll < 25:
        return ("create", key, rng.randrange(1_000_000))
    if roll < 40:
        return ("set", key, rng.randrange(1_000_000))
    if roll < 50:
        return ("delete", key)
    return ("relate", key, rng.randrange(KEYS))


class Child:
    """One skein process reading statements from a pipe, answering one JSON line each."""

    def __init__(self, skein, db):
        self.process = subprocess.Popen(
            [skein, "--db", db, "--format", "jsonl"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def send(self, text):
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def answer(self):
        line = self.process.stdout.readline()
        if not line:
            raise EOFError
        return json.loads(line)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def run_skein(skein, db, *args):
    return subprocess.run(
        [skein, "--db", db, *args], capture_output=True, text=True, timeout=120
    )


def read_whole(skein, db):
    nodes = run_skein(
        skein, db, "--format", "jsonl", "-c",
        "MATCH (n:K) RETURN collect([n.id, n.v]) AS xs",
    )
    rels = run_skein(
        skein, db, "--format", "jsonl", "-c",
        "MATCH (a:K)-[:R]->(b:K) RETURN collect([a.id, b.id]) AS xs",
    )
    for result in (nodes, rels):
        if result.returncode != 0:
            sys.exit(f"reading the database failed: {result.stderr}")
    node_rows = sorted(tuple(p) for p in json.loads(nodes.stdout)["xs"])
    rel_rows = sorted(tuple(p) for p in json.loads(rels.stdout)["xs"])
    return node_rows, rel_rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3600)
    parser.add_argument("--skein", default="target/release/skein")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = tempfile.mkdtemp(prefix="skein-soak-")
    db = os.path.join(folder, "soak.db")
    setup = run_skein(args.skein, db, "-c", "CREATE INDEX FOR (n:K) ON (n.id)")
    if setup.returncode != 0:
        sys.exit(f"setup failed: {setup.stderr}")

    model = Model()
    cycles = acknowledged = reads = kept_in_flight = lost_in_flight = 0
    problems = []
    started = time.time()
    while time.time() - started < args.seconds:
        cycles += 1
        child = Child(args.skein, db)
        kill_at = time.time() + rng.uniform(0.2, 3.0)
        timer = threading.Timer(max(0.0, kill_at - time.time()), child.kill)
        timer.start()
        in_flight = None
        try:
            while True:
                roll = rng.random()
                if roll < 0.25:
                    key = rng.randrange(KEYS)
                    if rng.random() < 0.5:
                        child.send("MATCH (n:K) RETURN count(n) AS c, sum(n.v) AS s;")
                        got = child.answer()
                        want = {"c": len(model.nodes), "s": sum(model.nodes.values())}
                    else:
                        child.send(f"MATCH (n:K {{id: {key}}}) RETURN collect(n.v) AS vs;")
                        got = child.answer()
                        want = {"vs": [model.nodes[key]] if key in model.nodes else []}
                    reads += 1
                    if got != want:
                        problems.append(f"cycle {cycles}: read {got}, model says {want}")
                elif roll < 0.35:
                    ops = [random_write(rng) for _ in range(3)]
                    in_flight = ops
                    child.send(":begin")
                    for op in ops:
                        child.send(statement(op) + ";")
                        child.answer()
                    child.send(":commit")
                    child.send("RETURN 1 AS committed;")
                    child.answer()
                    for op in ops:
                        model.apply(op)
                    acknowledged += 1
                    in_flight = None
                else:
                    op = random_write(rng)
                    in_flight = [op]
                    child.send(statement(op) + ";")
                    child.answer()
                    model.apply(op)
                    acknowledged += 1
                    in_flight = None
        except (EOFError, BrokenPipeError, json.JSONDecodeError):
            pass
        timer.cancel()
        if child.process.poll() is None:
            child.kill()
        if child.process.returncode != -signal.SIGKILL:
            problems.append(
                f"cycle {cycles}: skein exited with {child.process.returncode} before "
                f"the kill: {child.process.stderr.read()}"
            )

        check = run_skein(args.skein, db, "check")
        if check.returncode != 0:
            problems.append(f"cycle {cycles}: skein check: {check.stdout}{check.stderr}")
        on_disk = read_whole(args.skein, db)
        if on_disk == model.snapshot():
            if in_flight:
                lost_in_flight += 1
        else:
            with_it = model.copy()
            for op in in_flight or []:
                with_it.apply(op)
            if in_flight and on_disk == with_it.snapshot():
                kept_in_flight += 1
                model = with_it
            else:
                nodes, rels = model.snapshot()
                problems.append(
                    f"cycle {cycles}: the database differs from the acknowledged writes "
                    f"({len(on_disk[0])} nodes and {len(on_disk[1])} relationships on "
                    f"disk, {len(nodes)} and {len(rels)} acknowledged)"
                )
                model = Model()
                model.nodes = dict(on_disk[0])
                for rel in on_disk[1]:
                    model.rels[rel] = model.rels.get(rel, 0) + 1
        if cycles % 50 == 0:
            print(
                f"{time.time() - started:7.0f} s: {cycles} cycles, {acknowledged} "
                f"acknowledged, {reads} reads, {len(problems)} problems",
                flush=True,
            )

    nodes, rels = model.snapshot()
    print(f"seed {args.seed}, {time.time() - started:.0f} s, database {db}")
    print(f"cycles (kill -9 each): {cycles}")
    print(f"acknowledged writes (statements and transactions): {acknowledged}")
    print(f"reads compared with the model: {reads}")
    print(
        f"write in flight at the kill: kept {kept_in_flight}, lost {lost_in_flight} "
        "(either is allowed)"
    )
    print(f"final state: {len(nodes)} nodes, {len(rels)} relationships")
    print(f"losses and differences: {len(problems)}")
    for problem in problems[:20]:
        print("  " + problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
