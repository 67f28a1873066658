#!/usr/bin/env python3
"""Runs the benchmark workload (bench/README.md in shared, mirrored in BENCHMARKS.md) on
skein and on the peers that install from PyPI -- Kuzu, FalkorDB (falkordblite) and
SQLite (Python's sqlite3, recursive CTEs) -- on one data set, each system in its own
process, checks that every system returns the same values, and prints one table:
load time, each case's median in ms, and skein's ratio to the best peer.

    python3 bench/peers.py --data DATA_DIR [--skein target/release/skein-bench]
                           [--systems skein,kuzu,falkordb,sqlite] [--runs 5]

A system that is not installed is reported as missing and left out. Run one system
alone with --only NAME (what the driver does for each system).
"""
import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

CASES = ["Q1", "Q2-hub", "Q2-med", "Q3-hub", "Q3-med", "Q4", "Q5-hub", "Q5-med",
         "Q6", "Q7", "Q8"]
W1_STATEMENTS, W1_ROWS = 10, 1000

# The workload in openCypher, as bench/README.md gives it. `param` is the manifest
# parameter bound to $name.
CYPHER = {
    "Q1": ("MATCH (p:Person {name: $name}) RETURN p.age", "median"),
    "Q2-hub": ("MATCH (p:Person {name: $name})-[:KNOWS]->(f) RETURN count(f)", "hub"),
    "Q2-med": ("MATCH (p:Person {name: $name})-[:KNOWS]->(f) RETURN count(f)", "median"),
    "Q3-hub": ("MATCH (p:Person {name: $name})-[:KNOWS]->()-[:KNOWS]->(f) RETURN count(DISTINCT f)", "hub"),
    "Q3-med": ("MATCH (p:Person {name: $name})-[:KNOWS]->()-[:KNOWS]->(f) RETURN count(DISTINCT f)", "median"),
    "Q4": ("MATCH (p:Person) WHERE p.age > 30 RETURN p.country AS c, count(*) AS n, avg(p.age) AS a "
           "ORDER BY n DESC, c LIMIT 10", None),
    "Q5-hub": ("MATCH (p:Person {name: $name})-[:KNOWS*1..3]->(f) RETURN count(DISTINCT f)", "hub"),
    "Q5-med": ("MATCH (p:Person {name: $name})-[:KNOWS*1..3]->(f) RETURN count(DISTINCT f)", "median"),
    "Q7": ("MATCH (p:Person)-[:KNOWS]->() RETURN p.name, count(*) AS d ORDER BY d DESC, p.name LIMIT 10", None),
    "Q8": ("MATCH (c:Company)-[:SIGNED]->(d:Deal)<-[:SIGNED]-(o:Organization) RETURN count(*)", None),
}
W1_NODES = "UNWIND $rows AS r CREATE (:Person {id: r.id, name: r.name, age: r.age, country: r.country})"
W1_RELS = ("UNWIND $rows AS r MATCH (a:Person {id: r.src}), (b:Person {id: r.dst}) "
           "CREATE (a)-[:KNOWS {since: r.since, weight: r.weight}]->(b)")


def w1_rows(statement, first_id, relationships):
    """The same rows as src/bin/skein-bench.rs writes."""
    rows = []
    n = W1_STATEMENTS * W1_ROWS
    for row in range(W1_ROWS):
        i = statement * W1_ROWS + row
        if relationships:
            src = (i * 7919) % n
            dst = (src + 1 + (i * 104_729) % (n - 1)) % n
            rows.append({"src": first_id + src, "dst": first_id + dst,
                         "since": 1980 + i % 47, "weight": (i % 1000) / 1000.0})
        else:
            rows.append({"id": first_id + i, "name": f"W1 Person {i}", "age": 18 + i % 70,
                         "country": "Nowhere"})
    return rows


def norm(value):
    """A value in the comparable shape skein-bench prints (floats to 6 decimals)."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, (list, tuple)):
        return [norm(v) for v in value]
    return value


def answer(rows):
    rows = [list(r) for r in rows]
    if len(rows) == 1 and len(rows[0]) == 1:
        return norm(rows[0][0])
    return norm(rows)


def median_run(fn, runs, warmup):
    for _ in range(warmup):
        fn()
    samples, value = [], None
    for _ in range(runs):
        t = time.perf_counter()
        value = fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), value


def params_for(manifest, key):
    return {"name": manifest["params"][key]["name"]}


def folder_size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for root, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total


# ----------------------------------------------------------------------------- SQLite
def run_sqlite(data, manifest, work, runs, warmup):
    import sqlite3
    path = os.path.join(work, "sqlite.db")
    con = sqlite3.connect(path, isolation_level=None)
    sql_type = {"INT64": "INTEGER", "DOUBLE": "REAL", "STRING": "TEXT", "DATE": "TEXT", "BOOL": "INTEGER"}
    t0 = time.perf_counter()
    con.execute("BEGIN")
    for label, spec in manifest["nodes"].items():
        cols = spec["columns"]
        defs = ", ".join(f"{c} {sql_type[t]}" + (" PRIMARY KEY" if c == "id" else "") for c, t in cols)
        con.execute(f"CREATE TABLE {label} ({defs})")
        conv = [converter(t) for _, t in cols]
        with open(os.path.join(data, spec["file"]), encoding="utf-8") as f:
            reader = csv.reader(f)
            next(reader)
            con.executemany(f"INSERT INTO {label} VALUES ({', '.join('?' * len(cols))})",
                            ([c(v) for c, v in zip(conv, row)] for row in reader))
    for rtype, spec in manifest["rels"].items():
        cols = spec["columns"]
        defs = ", ".join(f"{c} {sql_type[t]}" for c, t in cols)
        con.execute(f"CREATE TABLE {rtype} ({defs})")
        conv = [converter(t) for _, t in cols]
        with open(os.path.join(data, spec["file"]), encoding="utf-8") as f:
            reader = csv.reader(f)
            next(reader)
            con.executemany(f"INSERT INTO {rtype} VALUES ({', '.join('?' * len(cols))})",
                            ([c(v) for c, v in zip(conv, row)] for row in reader))
        con.execute(f"CREATE INDEX {rtype}_src ON {rtype}(src, dst)")
        con.execute(f"CREATE INDEX {rtype}_dst ON {rtype}(dst, src)")
    con.execute("CREATE UNIQUE INDEX person_name ON Person(name)")
    con.execute("COMMIT")
    load_s = time.perf_counter() - t0

    def q(sql, *args):
        return lambda: answer(con.execute(sql, args).fetchall())

    hub, med = manifest["params"]["hub"]["name"], manifest["params"]["median"]["name"]
    two_hop = ("SELECT count(DISTINCT k2.dst) FROM Person p JOIN KNOWS k1 ON k1.src = p.id "
               "JOIN KNOWS k2 ON k2.src = k1.dst WHERE p.name = ?")
    var_len = ("WITH RECURSIVE r(n, d) AS (SELECT k.dst, 1 FROM Person p JOIN KNOWS k ON k.src = p.id "
               "WHERE p.name = ? UNION SELECT k.dst, r.d + 1 FROM r JOIN KNOWS k ON k.src = r.n "
               "WHERE r.d < 3) SELECT count(DISTINCT n) FROM r")
    one_hop = "SELECT count(*) FROM Person p JOIN KNOWS k ON k.src = p.id WHERE p.name = ?"

    def shortest():
        a = con.execute("SELECT id FROM Person WHERE name = ?", (manifest["params"]["sp_a"]["name"],)).fetchone()[0]
        b = con.execute("SELECT id FROM Person WHERE name = ?", (manifest["params"]["sp_b"]["name"],)).fetchone()[0]
        # Deepen the bound until b is reached: each try is one recursive CTE.
        for bound in range(1, 16):
            row = con.execute(
                "WITH RECURSIVE r(n, d) AS (SELECT ?, 0 UNION "
                "SELECT k.dst, r.d + 1 FROM r JOIN KNOWS k ON k.src = r.n WHERE r.d < ? UNION "
                "SELECT k.src, r.d + 1 FROM r JOIN KNOWS k ON k.dst = r.n WHERE r.d < ?) "
                "SELECT min(d) FROM r WHERE n = ?", (a, bound, bound, b)).fetchone()
            if row[0] is not None:
                return row[0]
        return None

    cases = {
        "Q1": q("SELECT age FROM Person WHERE name = ?", med),
        "Q2-hub": q(one_hop, hub), "Q2-med": q(one_hop, med),
        "Q3-hub": q(two_hop, hub), "Q3-med": q(two_hop, med),
        "Q4": q("SELECT country AS c, count(*) AS n, avg(age) AS a FROM Person WHERE age > 30 "
                "GROUP BY country ORDER BY n DESC, c LIMIT 10"),
        "Q5-hub": q(var_len, hub), "Q5-med": q(var_len, med),
        "Q6": shortest,
        "Q7": q("SELECT p.name, count(*) AS d FROM KNOWS k JOIN Person p ON p.id = k.src "
                "GROUP BY k.src ORDER BY d DESC, p.name LIMIT 10"),
        "Q8": q("SELECT count(*) FROM SIGNED s1 JOIN Company c ON c.id = s1.src JOIN Deal d ON d.id = s1.dst "
                "JOIN SIGNED s2 ON s2.dst = s1.dst JOIN Organization o ON o.id = s2.src"),
    }
    results = {c: dict(zip(("median_ms", "value"), median_run(cases[c], runs, warmup))) for c in CASES}
    first = manifest["total_nodes"]

    def w1(statement, rels):
        rows = w1_rows(statement, first, rels)
        con.execute("BEGIN")
        if rels:
            con.executemany("INSERT INTO KNOWS (src, dst, since, weight) SELECT a.id, b.id, ?, ? "
                            "FROM Person a, Person b WHERE a.id = ? AND b.id = ?",
                            [(r["since"], r["weight"], r["src"], r["dst"]) for r in rows])
        else:
            con.executemany("INSERT INTO Person (id, name, age, country) VALUES (?, ?, ?, ?)",
                            [(r["id"], r["name"], r["age"], r["country"]) for r in rows])
        con.execute("COMMIT")

    add_w1(results, w1)
    import sqlite3 as s
    return {"system": "sqlite", "version": s.sqlite_version, "load_s": load_s,
            "disk_bytes": folder_size(path), "cases": results}


def converter(type_name):
    return {"INT64": int, "DOUBLE": float, "BOOL": lambda v: 1 if v == "true" else 0}.get(type_name, str)


def add_w1(results, w1):
    for case, rels in (("W1-nodes", False), ("W1-rels", True)):
        samples = []
        for statement in range(W1_STATEMENTS):
            t = time.perf_counter()
            w1(statement, rels)
            samples.append((time.perf_counter() - t) * 1000)
        results[case] = {"median_ms": statistics.median(samples)}


def split_by_endpoints(data, manifest, work):
    """Relationship files split by (from label, to label), for stores whose relationship
    tables name their endpoint tables."""
    ranges = manifest["id_ranges"]

    def label_of(i):
        for label, (lo, hi) in ranges.items():
            if lo <= i < hi:
                return label
        raise ValueError(i)

    out = {}
    for rtype, spec in manifest["rels"].items():
        writers, files = {}, {}
        with open(os.path.join(data, spec["file"]), encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            for row in reader:
                pair = (label_of(int(row[0])), label_of(int(row[1])))
                if pair not in writers:
                    path = os.path.join(work, f"split_{rtype}_{pair[0]}_{pair[1]}.csv")
                    files[pair] = open(path, "w", encoding="utf-8", newline="")
                    writers[pair] = (csv.writer(files[pair], lineterminator="\n"), path)
                    writers[pair][0].writerow(header)
                writers[pair][0].writerow(row)
        for f in files.values():
            f.close()
        out[rtype] = {pair: path for pair, (_, path) in writers.items()}
    return out


# ----------------------------------------------------------------------------- Kuzu
def run_kuzu(data, manifest, work, runs, warmup):
    import kuzu
    kuzu_type = {"INT64": "INT64", "DOUBLE": "DOUBLE", "STRING": "STRING", "DATE": "DATE", "BOOL": "BOOLEAN"}
    splits = split_by_endpoints(data, manifest, work)
    path = os.path.join(work, "kuzu.db")
    db = kuzu.Database(path)
    con = kuzu.Connection(db)
    t0 = time.perf_counter()
    for label, spec in manifest["nodes"].items():
        cols = ", ".join(f"{c} {kuzu_type[t]}" for c, t in spec["columns"])
        con.execute(f"CREATE NODE TABLE {label}({cols}, PRIMARY KEY(id))")
        con.execute(f"COPY {label} FROM '{os.path.join(data, spec['file'])}' (header=true)")
    for rtype, spec in manifest["rels"].items():
        pairs = ", ".join(f"FROM {a} TO {b}" for a, b in splits[rtype])
        props = "".join(f", {c} {kuzu_type[t]}" for c, t in spec["columns"][2:])
        con.execute(f"CREATE REL TABLE {rtype}({pairs}{props})")
        for (a, b), file in splits[rtype].items():
            opts = f", from='{a}', to='{b}'" if len(splits[rtype]) > 1 else ""
            con.execute(f"COPY {rtype} FROM '{file}' (header=true{opts})")
    load_s = time.perf_counter() - t0

    def q(query, params):
        return lambda: answer(rows_of(con.execute(query, params)))

    cases = {}
    for case, (query, key) in CYPHER.items():
        cases[case] = q(query, params_for(manifest, key) if key else {})
    cases["Q6"] = q("MATCH p = (a:Person {name: $a})-[:KNOWS* SHORTEST 1..30]-(b:Person {name: $b}) "
                    "RETURN length(p)", sp_params(manifest))
    results = {c: dict(zip(("median_ms", "value"), median_run(cases[c], runs, warmup))) for c in CASES}
    first = manifest["total_nodes"]
    add_w1(results, lambda s, rels: con.execute(W1_RELS if rels else W1_NODES,
                                                {"rows": w1_rows(s, first, rels)}))
    return {"system": "kuzu", "version": kuzu.__version__, "load_s": load_s,
            "disk_bytes": folder_size(path), "cases": results}


def rows_of(result):
    rows = []
    while result.has_next():
        rows.append(result.get_next())
    return rows


def sp_params(manifest):
    return {"a": manifest["params"]["sp_a"]["name"], "b": manifest["params"]["sp_b"]["name"]}


# ----------------------------------------------------------------------------- FalkorDB
def run_falkordb(data, manifest, work, runs, warmup):
    from redislite.falkordb_client import FalkorDB
    path = os.path.join(work, "falkor.rdb")
    db = FalkorDB(path)
    g = db.select_graph("bench")
    batch = 10_000
    t0 = time.perf_counter()
    g.query("CREATE INDEX FOR (p:Person) ON (p.id)")
    g.query("CREATE INDEX FOR (p:Person) ON (p.name)")
    for label, spec in manifest["nodes"].items():
        if label != "Person":
            g.query(f"CREATE INDEX FOR (n:{label}) ON (n.id)")
        cols = spec["columns"]
        conv = [converter_bool(t) for _, t in cols]
        sets = ", ".join(f"{c}: r.{c}" for c, _ in cols)
        for rows in batches(os.path.join(data, spec["file"]), batch):
            g.query(f"UNWIND $rows AS r CREATE (:{label} {{{sets}}})",
                    {"rows": [{c: f(v) for (c, _), f, v in zip(cols, conv, row)} for row in rows]})
    ranges = manifest["id_ranges"]

    def label_of(i):
        for label, (lo, hi) in ranges.items():
            if lo <= i < hi:
                return label
        raise ValueError(i)

    for rtype, spec in manifest["rels"].items():
        cols = spec["columns"]
        conv = [converter_bool(t) for _, t in cols]
        sets = ", ".join(f"{c}: r.{c}" for c, _ in cols[2:])
        for rows in batches(os.path.join(data, spec["file"]), batch):
            by_pair = {}
            for row in rows:
                pair = (label_of(int(row[0])), label_of(int(row[1])))
                by_pair.setdefault(pair, []).append({c: f(v) for (c, _), f, v in zip(cols, conv, row)})
            for (a, b), items in by_pair.items():
                g.query(f"UNWIND $rows AS r MATCH (a:{a} {{id: r.src}}), (b:{b} {{id: r.dst}}) "
                        f"CREATE (a)-[:{rtype} {{{sets}}}]->(b)", {"rows": items})
    load_s = time.perf_counter() - t0

    def q(query, params):
        return lambda: answer(g.query(query, params).result_set)

    cases = {}
    for case, (query, key) in CYPHER.items():
        cases[case] = q(query, params_for(manifest, key) if key else {})
    # FalkorDB's shortestPath() is directed only; its SPpaths procedure walks both ways.
    cases["Q6"] = q("MATCH (a:Person {name: $a}), (b:Person {name: $b}) "
                    "CALL algo.SPpaths({sourceNode: a, targetNode: b, relTypes: ['KNOWS'], "
                    "relDirection: 'both', pathCount: 1}) YIELD path RETURN length(path)",
                    sp_params(manifest))
    results = {c: dict(zip(("median_ms", "value"), median_run(cases[c], runs, warmup))) for c in CASES}
    first = manifest["total_nodes"]
    add_w1(results, lambda s, rels: g.query(W1_RELS if rels else W1_NODES,
                                            {"rows": w1_rows(s, first, rels)}))
    import importlib.metadata as md
    return {"system": "falkordb", "version": md.version("falkordblite"), "load_s": load_s,
            "disk_bytes": folder_size(path), "cases": results}


def converter_bool(type_name):
    return {"INT64": int, "DOUBLE": float, "BOOL": lambda v: v == "true"}.get(type_name, str)


def batches(path, size):
    with open(path, encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        rows = []
        for row in reader:
            rows.append(row)
            if len(rows) >= size:
                yield rows
                rows = []
        if rows:
            yield rows


# ----------------------------------------------------------------------------- skein
def run_skein(data, manifest, work, runs, warmup, binary):
    db = os.path.join(work, "skein.db")
    out = subprocess.run([binary, "--data", data, "--db", db, "--runs", str(runs),
                          "--warmup", str(warmup), "--json"],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


RUNNERS = {"skein": None, "kuzu": run_kuzu, "falkordb": run_falkordb, "sqlite": run_sqlite}


def run_one(name, args):
    manifest = json.load(open(os.path.join(args.data, "manifest.json")))
    work = tempfile.mkdtemp(prefix=f"bench-{name}-", dir=args.work)
    try:
        if name == "skein":
            return run_skein(args.data, manifest, work, args.runs, args.warmup, args.skein)
        return RUNNERS[name](args.data, manifest, work, args.runs, args.warmup)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def fmt(ms):
    if ms is None:
        return "-"
    return f"{ms:.3f}" if ms < 10 else f"{ms:.1f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--skein", default="target/release/skein-bench")
    ap.add_argument("--systems", default="skein,kuzu,falkordb,sqlite")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--work", default=None, help="folder for the temporary databases")
    ap.add_argument("--only", help="run one system in this process and print its JSON")
    ap.add_argument("--python", default=sys.executable, help="interpreter with the peers installed")
    ap.add_argument("--reports", help="folder of NAME.json reports from --only runs to use instead of running")
    args = ap.parse_args()
    args.data = os.path.abspath(args.data)
    if args.work:
        os.makedirs(args.work, exist_ok=True)
    if args.only:
        print(json.dumps(run_one(args.only, args)))
        return 0

    reports = {}
    if args.reports:
        # Reports saved by earlier `--only NAME > NAME.json` runs, in --systems order.
        for name in args.systems.split(","):
            path = os.path.join(args.reports, f"{name}.json")
            if os.path.exists(path) and os.path.getsize(path) > 0:
                reports[name] = json.loads(open(path).read().strip().splitlines()[-1])
    for name in args.systems.split(","):
        if name in reports:
            continue
        cmd = [args.python, os.path.abspath(__file__), "--only", name, "--data", args.data,
               "--skein", os.path.abspath(args.skein), "--runs", str(args.runs), "--warmup", str(args.warmup)]
        if args.work:
            cmd += ["--work", args.work]
        print(f"running {name} ...", file=sys.stderr, flush=True)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["?"])[-1]
            print(f"  {name} failed: {last}", file=sys.stderr)
            continue
        reports[name] = json.loads(proc.stdout.strip().splitlines()[-1])

    # Every system must return the same values.
    mismatches = []
    for case in CASES:
        values = {n: r["cases"][case].get("value") for n, r in reports.items() if case in r["cases"]}
        if len({json.dumps(v) for v in values.values()}) > 1:
            mismatches.append((case, values))

    names = list(reports)
    peers = [n for n in names if n != "skein"]
    header = ["case"] + [f"{n} {reports[n].get('version', '')}".strip() for n in names] + ["skein/best peer"]
    table = []
    load = {n: reports[n]["load_s"] * 1000 for n in names}
    table.append(("load (ms)", load))
    for case in CASES + ["W1-nodes", "W1-rels"]:
        table.append((case, {n: reports[n]["cases"].get(case, {}).get("median_ms") for n in names}))
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for case, row in table:
        cells = [fmt(row.get(n)) for n in names]
        best = min((row[n] for n in peers if row.get(n) is not None), default=None)
        ratio = f"{row['skein'] / best:.2f}x" if best and row.get("skein") is not None else "-"
        print("| " + " | ".join([case] + cells + [ratio]) + " |")
    for n in names:
        size = reports[n].get("disk_bytes")
        rels = reports.get("skein", {}).get("relationships") or 1
        if size:
            print(f"{n}: {size / 1e6:.1f} MB on disk ({size / rels:.0f} bytes per relationship)")
    values = {case: reports[names[0]]["cases"][case].get("value") for case in CASES} if names else {}
    print("values: " + json.dumps({c: v for c, v in values.items() if not isinstance(v, list)}))
    if mismatches:
        print("VALUES DIFFER:")
        for case, values in mismatches:
            print(f"  {case}: {json.dumps(values)}")
        return 1
    print(f"all {len(names)} systems returned the same values")
    return 0


if __name__ == "__main__":
    sys.exit(main())
