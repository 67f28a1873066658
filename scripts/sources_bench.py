#!/usr/bin/env python3
"""What provenance costs: `skein load` (every write recorded as asserted by the file, in
the ASSERT, CLAIM and BY_SOURCE keyspaces) against `skein run` of the same statements
(no sources, nothing recorded), on the seed and on a generated fact file.

    python3 scripts/sources_bench.py [--skein target/release/skein] [--runs 3]
        [--seed-runs 5] [--plain-runs 1] [--statements 100000] [--work DIR] [--json FILE]

Run from the repository root (the seed's source names are `seed/…`). Standard library
only; peak RSS is read through /usr/bin/time when it exists (else wait4's, which counts
this script's own peak too). The binary is copied first, so a rebuild during the run
does not change what is measured. Every database is a fresh folder under --work (a temporary folder by default,
removed at the end unless --keep). Figures:

1. Bytes on disk: folder sizes after the writing process exits (apparent bytes and
   allocated blocks) and the largest size seen while it ran, for `load` and for `run`;
   their difference over the assertions `db.sources()` counts (nodes + relationships +
   properties summed over sources). Beside it, the bytes of the provenance rows
   themselves, computed from the key layout of src/storage/sources.rs and postcard's
   encoding for the generated file (a lower bound: no engine overhead).
2. The seed (seed/, 6 files): `load seed/` against `run seed/*.cypher` (a transaction
   per statement) and against `run` of each file inside `:begin`/`:commit` (a
   transaction per file, as `load` does). Wall time of the process, median of
   --seed-runs, each into a fresh folder.
3. A generated file of N statements (60 % `MERGE (n:Entity {id: i}) SET n.name = …,
   n.score = …;`, 40 % `MATCH (a:Entity {id: x}), (b:Entity {id: y}) MERGE
   (a)-[:LINKS {weight: w}]->(b);`, distinct pairs, seeded), with `CREATE INDEX FOR
   (n:Entity) ON (n.id)` run first in every database: first `load`; `run` inside one
   `:begin`/`:commit`; plain `run` (a durable commit per statement); a changed reload
   after deleting 1 % of the lines (on a copy of the loaded folder, with the withdraw
   counts of its summary line); an unchanged reload; whether the changed reload leaves
   the graph a fresh load of the edited file gives.
4. Reads on the generated graph, sourced (`load`) and unsourced (`run` in one
   transaction): each query run 1 + R times in one process with `--timing`, in 3
   processes; cold = median of the first runs, warm = median of the others (time_ms,
   inside the process).
"""
import argparse
import csv
import hashlib
import io
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

INDEX = "CREATE INDEX FOR (n:Entity) ON (n.id)"
SOURCES = "CALL db.sources() YIELD source, nodes, relationships, properties RETURN *"
READS = [
    ("count by label", "MATCH (n:Entity) RETURN count(n) AS c"),
    ("property filter", "MATCH (n:Entity) WHERE n.score = 3 RETURN count(n) AS c"),
    (
        "one hop + aggregation",
        "MATCH (a:Entity)-[r:LINKS]->(b:Entity) RETURN a.score AS s, count(*) AS c, "
        "sum(r.weight) AS w ORDER BY s",
    ),
    ("index lookup", "MATCH (n:Entity {id: 12345}) RETURN n.name AS name"),
    ("db.sources()", SOURCES),
]


# ---- running skein


class Run:
    def __init__(self, wall, rss_kb, out, err, peak_bytes):
        self.wall = wall
        self.rss_kb = rss_kb
        self.out = out
        self.err = err
        self.peak_bytes = peak_bytes


def folder_size(path):
    """(apparent bytes, allocated bytes) of every file under `path`."""
    apparent = allocated = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                st = os.stat(os.path.join(root, name))
            except FileNotFoundError:
                continue
            apparent += st.st_size
            allocated += st.st_blocks * 512
    return apparent, allocated


def skein(args, cwd, watch=None, check=True):
    """Runs skein with `args` in `cwd`; wall time, peak RSS (wait4), output, and (when
    `watch` names a folder) the largest apparent size it reached while running."""
    # Peak RSS: a child forked from this process reports at least this process's own
    # peak (Linux keeps it across exec), so when GNU time is there skein runs under it.
    rss_file = tempfile.NamedTemporaryFile(delete=False) if TIME else None
    prefix = [TIME, "-f", "%M", "-o", rss_file.name] if TIME else []
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(prefix + [BIN] + args, cwd=cwd, stdout=out, stderr=err)
        peak = [0]
        done = threading.Event()

        def poll():
            while not done.wait(0.2):
                peak[0] = max(peak[0], folder_size(watch)[0])

        poller = threading.Thread(target=poll, daemon=True) if watch else None
        if poller:
            poller.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        LOADS.append(os.getloadavg()[0])
        if poller:
            poller.join()
            peak[0] = max(peak[0], folder_size(watch)[0])
        out.seek(0)
        err.seek(0)
        rss_kb = usage.ru_maxrss
        if rss_file:
            with open(rss_file.name) as f:
                measured = f.read().split()
            os.unlink(rss_file.name)
            rss_kb = int(measured[-1]) if measured and measured[-1].isdigit() else rss_kb
        run = Run(wall, rss_kb, out.read().decode(), err.read().decode(), peak[0])
    if check and proc.returncode != 0:
        sys.exit(f"skein {' '.join(args)} failed ({proc.returncode}):\n{run.err[-2000:]}")
    return run


def sources_of(db, cwd):
    rows = list(csv.DictReader(io.StringIO(skein(["--db", db, "--format", "csv", "-c", SOURCES], cwd).out)))
    nodes = sum(int(r["nodes"]) for r in rows)
    rels = sum(int(r["relationships"]) for r in rows)
    props = sum(int(r["properties"]) for r in rows)
    return {"sources": len(rows), "nodes": nodes, "relationships": rels, "properties": props,
            "assertions": nodes + rels + props}


def counts(db, cwd):
    q = ("MATCH (n) RETURN count(n) AS nodes; MATCH ()-[r]->() RETURN count(r) AS rels; "
         "MATCH (n:Entity) WHERE n.id IS NULL RETURN count(n) AS without_id")
    out = skein(["--db", db, "--format", "csv", "-c", q], cwd).out.split()
    values = [int(x) for x in out if x.isdigit()]
    return dict(zip(["nodes", "relationships", "entities_without_id"], values))


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def load_ms(err):
    """The in-process milliseconds summed over `load`'s summary lines."""
    return sum(float(m) for m in re.findall(r" in ([0-9.]+) ms", err))


# ---- the generated fact file


def generate(n_statements, seed):
    rng = random.Random(seed)
    n_nodes = n_statements * 6 // 10
    n_rels = n_statements - n_nodes
    lines = [f"MERGE (n:Entity {{id: {i}}}) SET n.name = 'entity {i}', n.score = {i % 10};"
             for i in range(n_nodes)]
    pairs, seen = [], set()
    while len(pairs) < n_rels:
        a, b = rng.randrange(n_nodes), rng.randrange(n_nodes)
        if a != b and (a, b) not in seen:
            seen.add((a, b))
            pairs.append((a, b))
    lines += [f"MATCH (a:Entity {{id: {a}}}), (b:Entity {{id: {b}}}) "
              f"MERGE (a)-[:LINKS {{weight: {(a + b) % 5}}}]->(b);" for a, b in pairs]
    return lines, n_nodes, pairs


def varint_len(v):
    n = 1
    while v >= 0x80:
        v >>= 7
        n += 1
    return n


def zigzag(v):
    return (v << 1) ^ (v >> 63)


def computed_bytes(n_nodes, pairs):
    """Key and value bytes of the provenance rows a first load of the generated file
    writes (src/storage/sources.rs keys; postcard values behind a version byte; load
    sequence 1). Returns {row kind: (rows, key bytes, value bytes)}."""
    rows = {"ASSERT": [0, 0, 0], "CLAIM": [0, 0, 0], "BY_SOURCE": [0, 0, 0]}

    def add(kind, key, value):
        r = rows[kind]
        r[0] += 1
        r[1] += key
        r[2] += value

    def element(line):
        add("ASSERT", 14, 1 + varint_len(line) + 1)   # ASSERT kind id source: (line, seq)
        add("BY_SOURCE", 14, 0)                      # BY_SOURCE source kind id: empty

    def claim(line, payload):
        # CLAIM kind id key source: (line, seq, value = variant tag + payload)
        add("CLAIM", 18, 1 + varint_len(line) + 1 + 1 + payload)
        add("BY_SOURCE", 18, 0)                      # BY_SOURCE source kind id key

    for i in range(n_nodes):
        line = i + 1
        element(line)
        claim(line, varint_len(zigzag(i)))                       # id (Int)
        name = f"entity {i}".encode()
        claim(line, varint_len(len(name)) + len(name))            # name (String)
        claim(line, varint_len(zigzag(i % 10)))                   # score (Int)
    for j, (a, b) in enumerate(pairs):
        line = n_nodes + j + 1
        element(line)
        claim(line, varint_len(zigzag((a + b) % 5)))              # weight (Int)
    return {k: tuple(v) for k, v in rows.items()}


# ---- output


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def mb(b):
    return f"{b / 1e6:.2f} MB"


def secs(x):
    return f"{x:.2f} s"


def spread(xs, fmt=secs):
    if len(xs) == 1:
        return fmt(xs[0])
    return f"{fmt(median(xs))} ({fmt(min(xs))}–{fmt(max(xs))})"


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) // 1024 // 1024
    except (OSError, ValueError, IndexError):
        mem = 0
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], capture_output=True, text=True).stdout.strip()
    version = subprocess.run([BIN, "-V"], capture_output=True, text=True).stdout.strip()
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(),
            "cpu": model, "mem_gb": mem, "kernel": platform.release(), "skein": version,
            "commit": commit + (" (src/ modified)" if dirty else ""),
            "load_avg_start": os.getloadavg()}


# ---- the measures


def bench_seed(work, repo, runs):
    seed_files = sorted(f for f in os.listdir(os.path.join(repo, "seed")) if f.endswith(".cypher"))
    wrapped_dir = os.path.join(work, "seed_wrapped")
    os.makedirs(wrapped_dir)
    wrapped = []
    for f in seed_files:
        with open(os.path.join(repo, "seed", f)) as src:
            text = src.read()
        path = os.path.join(wrapped_dir, f)
        with open(path, "w") as dst:
            dst.write(":begin\n" + text + "\n:commit\n")
        wrapped.append(path)
    res = {"load": [], "load_inproc_ms": [], "run": [], "run_txn": [], "sizes": {}}
    for i in range(runs):
        for kind in ("load", "run", "run_txn"):
            db = os.path.join(work, f"seed_{kind}_{i}")
            if kind == "load":
                args = ["--db", db, "load", "seed/"]
            elif kind == "run":
                args = ["--db", db, "-q", "run"] + [f"seed/{f}" for f in seed_files]
            else:
                args = ["--db", db, "-q", "run"] + wrapped
            r = skein(args, repo, watch=db)
            res[kind].append(r.wall)
            if kind == "load":
                res["load_inproc_ms"].append(load_ms(r.err))
            res["sizes"].setdefault(kind, []).append((folder_size(db), r.peak_bytes))
    res["open_empty"] = []
    for i in range(runs):
        res["open_empty"].append(skein(["--db", os.path.join(work, f"seed_empty_{i}"), "-c", "RETURN 1"], repo).wall)
    res["assertions"] = sources_of(os.path.join(work, "seed_load_0"), repo)
    res["graph"] = {k: counts(os.path.join(work, f"seed_{k}_0"), repo) for k in ("load", "run")}
    return res


def parse_reload(err):
    """The figures of a changed reload's summary line (src/shell/load.rs):
    `reloaded F: … written; N assertions kept, M assertions withdrawn (A nodes,
    B relationships, C properties removed; D properties back to an older claim) in T ms`
    or `…, nothing withdrawn in T ms`."""
    line = next((l for l in err.splitlines() if l.startswith("reloaded ")), err.strip())
    m = re.search(r": (.*?) written; (\d+) assertions? kept, (?:nothing withdrawn|(\d+) assertions? withdrawn"
                  r"(?: \((.*)\))?) in ([0-9.]+) ms", line)
    if not m:
        return {"summary": line}
    detail = m.group(4) or ""
    removed = detail.split(";")[0] if "removed" in detail.split(";")[0] else ""
    out = {"summary": line, "written": m.group(1), "kept": int(m.group(2)),
           "withdrawn": int(m.group(3) or 0), "detail": detail, "ms": float(m.group(5))}
    for key, pattern, text in (("nodes_deleted", r"(\d+) nodes?\b", removed),
                               ("relationships_deleted", r"(\d+) relationships?\b", removed),
                               ("properties_removed", r"(\d+) propert(?:y|ies)\b", removed),
                               ("properties_reverted", r"(\d+) propert(?:y|ies) back", detail)):
        mm = re.search(pattern, text)
        out[key] = int(mm.group(1)) if mm else 0
    return out


def bench_big(work, args):
    lines, n_nodes, pairs = generate(args.statements, args.seed)
    text = "\n".join(lines) + "\n"
    facts = os.path.join(work, "facts.cypher")          # the source is named facts.cypher
    with open(facts, "w") as f:
        f.write(text)
    with open(os.path.join(work, "facts_txn.cypher"), "w") as f:
        f.write(":begin\n" + text + ":commit\n")
    drop = set(random.Random(args.seed + 1).sample(range(len(lines)), len(lines) // 100))
    edited = "\n".join(l for i, l in enumerate(lines) if i not in drop) + "\n"
    res = {"statements": len(lines), "node_statements": n_nodes, "rel_statements": len(pairs),
           "dropped": len(drop), "dropped_node_statements": sum(1 for i in drop if i < n_nodes),
           "file_bytes": len(text.encode())}

    def fresh(name):
        db = os.path.join(work, name)
        skein(["--db", db, "-q", "-c", INDEX], work)
        return db

    def timed(kind, i, argv):
        db = fresh(f"{kind}_{i}")
        r = skein(["--db", db] + argv, work, watch=db)
        res.setdefault(kind, []).append({"wall": r.wall, "rss_kb": r.rss_kb, "inproc_ms": load_ms(r.err),
                                         "size": folder_size(db), "peak_bytes": r.peak_bytes, "db": db})
        print(f"  {kind} {i + 1}: {r.wall:.2f} s, {r.rss_kb // 1024} MB RSS", file=sys.stderr)

    # Sourced and unsourced alternate, so that a disturbance falls on both alike.
    print("generated file: first load with sources / run in one transaction", file=sys.stderr)
    for i in range(args.runs):
        timed("load", i, ["load", "facts.cypher"])
        timed("run_txn", i, ["-q", "run", "facts_txn.cypher"])
    print("generated file: plain run (a commit per statement)", file=sys.stderr)
    for i in range(args.plain_runs):
        timed("run", i, ["-q", "run", "facts.cypher"])
    loaded = res["load"][0]["db"]
    # Opening a folder again (sled's recovery on open) changes its size a little.
    res["reopen"] = {}
    for kind in ("load", "run_txn"):
        db = res[kind][0]["db"]
        sizes = [folder_size(db)[0]]
        for _ in range(2):
            skein(["--db", db, "-c", "RETURN 1"], work)
            sizes.append(folder_size(db)[0])
        res["reopen"][kind] = sizes
    res["assertions"] = sources_of(loaded, work)
    res["graph_load"] = counts(loaded, work)
    res["graph_run"] = counts(res["run_txn"][0]["db"], work)
    res["computed"] = computed_bytes(n_nodes, pairs)


    print("generated file: unchanged reload", file=sys.stderr)
    res["unchanged"] = []
    for i in range(args.runs):
        r = skein(["--db", loaded, "load", "facts.cypher"], work)
        if "unchanged" not in r.err + r.out:
            sys.exit(f"expected an unchanged reload, got: {r.err}")
        res["unchanged"].append({"wall": r.wall, "rss_kb": r.rss_kb})
    baseline = [skein(["--db", loaded, "-c", "RETURN 1"], work) for _ in range(args.runs)]
    res["open_baseline"] = [r.wall for r in baseline]
    res["open_baseline_rss_kb"] = max(r.rss_kb for r in baseline)

    print("generated file: changed reload (1 % of the lines deleted)", file=sys.stderr)
    res["changed"] = []
    pristine = os.path.join(work, "pristine")
    shutil.copytree(loaded, pristine)
    with open(facts, "w") as f:
        f.write(edited)
    try:
        for i in range(args.runs):
            db = os.path.join(work, f"changed_{i}")
            shutil.copytree(pristine, db)
            r = skein(["--db", db, "load", "facts.cypher"], work, watch=db)
            parsed = parse_reload(r.err + r.out)
            parsed.update({"wall": r.wall, "rss_kb": r.rss_kb, "size_before": folder_size(pristine),
                           "size": folder_size(db), "peak_bytes": r.peak_bytes})
            res["changed"].append(parsed)
            print(f"  changed {i + 1}/{args.runs}: {r.wall:.2f} s, {r.rss_kb // 1024} MB RSS", file=sys.stderr)
        res["graph_changed"] = counts(os.path.join(work, "changed_0"), work)
        res["assertions_changed"] = sources_of(os.path.join(work, "changed_0"), work)
        # The edited file loaded into a fresh folder: the graph a reload should equal.
        db = fresh("edited_fresh")
        r = skein(["--db", db, "load", "facts.cypher"], work)
        res["edited_fresh"] = {"wall": r.wall, "graph": counts(db, work)}
    finally:
        with open(facts, "w") as f:
            f.write(text)
    shutil.rmtree(pristine)
    for i in range(1, args.runs):
        shutil.rmtree(os.path.join(work, f"changed_{i}"), ignore_errors=True)

    print("generated file: reads", file=sys.stderr)
    res["reads"] = {}
    times = {}
    for _ in range(3):
        for label, db in (("sourced", loaded), ("unsourced", res["run_txn"][0]["db"])):
            for name, q in READS:
                r = skein(["--db", db, "--timing", "--format", "csv", "-c", "; ".join([q] * (1 + args.read_runs))], work)
                ts = [float(x) for x in re.findall(r"time_ms=([0-9.]+)", r.err)]
                t = times.setdefault((name, label), ([], []))
                t[0].append(ts[0])
                t[1].extend(ts[1:])
    for (name, label), (cold, warm) in times.items():
        res["reads"].setdefault(name, {})[label] = {"cold": median(cold), "warm": median(warm),
                                                    "warm_min": min(warm), "warm_max": max(warm)}
    return res


def report(m, seed, big, total):
    out = []
    out.append(f"date {m['date']}; {m['cpus']} CPUs ({m['cpu']}), {m['mem_gb']} GB RAM, Linux {m['kernel']}; "
               f"{m['skein']}, binary {m['binary']}; repository at {m['commit']}; load average at start "
               f"{m['load_avg_start'][0]:.2f}, at end {os.getloadavg()[0]:.2f}, after each process {min(LOADS):.2f}–{max(LOADS):.2f} "
               f"(median {median(LOADS):.2f}); script took {total:.0f} s")
    a = seed["assertions"]
    out.append("\n### Seed (6 files)\n")
    out.append(f"db.sources(): {a['sources']} sources; {a['nodes']} nodes + {a['relationships']} relationships "
               f"+ {a['properties']} properties = {a['assertions']} assertions; graph "
               f"{seed['graph']['load']['nodes']} nodes, {seed['graph']['load']['relationships']} relationships "
               f"(run: {seed['graph']['run']['nodes']}, {seed['graph']['run']['relationships']})")
    n = len(seed["load"])
    ms = lambda x: f"{x * 1000:.1f} ms"
    rows = [["`load seed/` (sources, a transaction per file)", spread(seed["load"], ms),
             f"{median(seed['load_inproc_ms']):.1f} ms"],
            ["`run` of each file in `:begin`/`:commit` (no sources)", spread(seed["run_txn"], ms), ""],
            ["`run seed/*.cypher` (no sources, a commit per statement)", spread(seed["run"], ms), ""],
            ["a new folder, `-c 'RETURN 1'` (baseline: process start and open)", spread(seed["open_empty"], ms), ""]]
    out.append(table([f"seed, median of {n} (min–max)", "wall", "inside (load summary)"], rows))
    rows = []
    for kind, label in (("load", "load"), ("run_txn", "run, a transaction per file"), ("run", "run, a commit per statement")):
        sizes = seed["sizes"][kind]
        app = [s[0][0] for s in sizes]
        alloc = [s[0][1] for s in sizes]
        rows.append([label, f"{min(app):,}–{max(app):,}", f"{min(alloc):,}–{max(alloc):,}"])
    out.append("\n" + table(["seed folder (bytes, min–max over the runs)", "apparent after exit",
                             "allocated after exit"], rows))
    d_app = median([s[0][0] for s in seed["sizes"]["load"]]) - median([s[0][0] for s in seed["sizes"]["run_txn"]])
    elements = a["nodes"] + a["relationships"]
    floor = elements * (14 + 14 + 3) + a["properties"] * (18 + 18 + 5)
    out.append(f"\nmedian apparent difference load − run (a transaction per file): {d_app:,.0f} bytes = "
               f"{d_app / a['assertions']:.0f} bytes per assertion. Computed floor of the rows themselves: "
               f"{elements} element assertions x (ASSERT 14 + BY_SOURCE 14 key bytes + >= 3 value bytes) + "
               f"{a['properties']} claims x (CLAIM 18 + BY_SOURCE 18 + >= 5) = {floor:,} bytes = "
               f"{floor / a['assertions']:.1f} bytes per assertion (value bytes beyond the minimum not counted)")

    b = big
    a = b["assertions"]
    out.append(f"\n### Generated file: {b['statements']:,} statements ({b['node_statements']:,} node, "
               f"{b['rel_statements']:,} relationship; {b['file_bytes'] / 1e6:.1f} MB)\n")
    out.append(f"db.sources(): {a['nodes']:,} nodes + {a['relationships']:,} relationships + "
               f"{a['properties']:,} properties = {a['assertions']:,} assertions")
    L, T, P = b["load"], b["run_txn"], b["run"]
    rss = lambda rs: f"{max(r['rss_kb'] for r in rs) / 1024:.0f} MB"
    inside = lambda rs, key: spread([r[key] / 1000 for r in rs])
    C, U = b["changed"], b["unchanged"]
    rows = [["first `load` (sources)", spread([r["wall"] for r in L]), inside(L, "inproc_ms"), rss(L)],
            ["`run` in one `:begin`/`:commit` (no sources)", spread([r["wall"] for r in T]), "", rss(T)],
            ["`run`, a commit per statement (no sources)", spread([r["wall"] for r in P]), "", rss(P)],
            [f"changed reload ({b['dropped']:,} lines deleted)", spread([r["wall"] for r in C]), inside(C, "ms"), rss(C)],
            ["unchanged reload", spread([r["wall"] for r in U]), "", rss(U)],
            ["open the loaded folder, `RETURN 1` (baseline)", spread(b["open_baseline"]), "",
             f"{b['open_baseline_rss_kb'] / 1024:.0f} MB"]]
    out.append(table([f"generated file, median of {len(L)} (min–max)", "wall", "inside (load summary)", "peak RSS"], rows))
    c = C[0]
    out.append(f"\nchanged reload summary: {c.get('summary', '')}")
    out.append(f"graph after the changed reload: {b['graph_changed']}; the edited file loaded fresh: "
               f"{b['edited_fresh']['graph']} ({b['edited_fresh']['wall']:.1f} s); first load: {b['graph_load']}; "
               f"sources after the reload: {b['assertions_changed']}")
    rows = []
    for label, rs in (("load", L), ("run in one transaction", T), ("run, a commit per statement", P)):
        rows.append([label, spread([r["size"][0] for r in rs], mb), spread([r["size"][1] for r in rs], mb),
                     spread([r["peak_bytes"] for r in rs], mb)])
    rows.append(["after the changed reload (was: load)", spread([r["size"][0] for r in C], mb),
                 spread([r["size"][1] for r in C], mb), spread([r["peak_bytes"] for r in C], mb)])
    out.append("\n" + table(["folder", "apparent after exit", "allocated after exit", "largest seen while running"], rows))
    ro = b["reopen"]
    out.append(f"\nthe first folder after exit, then after each of two more opens (`-c 'RETURN 1'`): load "
               f"{' -> '.join(mb(x) for x in ro['load'])}; run in one transaction "
               f"{' -> '.join(mb(x) for x in ro['run_txn'])}")
    diff = median([r["size"][0] for r in L]) - median([r["size"][0] for r in T])
    diff_p = median([r["size"][0] for r in L]) - median([r["size"][0] for r in P])
    rows_total = sum(v[0] for v in b["computed"].values())
    bytes_total = sum(v[1] + v[2] for v in b["computed"].values())
    out.append(f"measured: load − run in one transaction = {mb(diff)} = {diff / a['assertions']:.0f} bytes per assertion "
               f"({diff / rows_total:.0f} per provenance row); load − run with a commit per statement = {mb(diff_p)} "
               f"= {diff_p / a['assertions']:.0f} bytes per assertion")
    rows = [[k, f"{v[0]:,}", f"{v[1]:,}", f"{v[2]:,}", f"{(v[1] + v[2]) / v[0]:.1f}"] for k, v in b["computed"].items()]
    rows.append(["total", f"{rows_total:,}", f"{sum(v[1] for v in b['computed'].values()):,}",
                 f"{sum(v[2] for v in b['computed'].values()):,}", f"{bytes_total / rows_total:.1f}"])
    out.append("\n" + table(["computed provenance rows (first load)", "rows", "key bytes", "value bytes", "bytes per row"], rows))
    out.append(f"computed: {bytes_total:,} bytes of keys and values = {bytes_total / a['assertions']:.1f} bytes per assertion "
               f"(a lower bound: sled's own per-key and log overhead not counted)")
    rows = []
    for name, _ in READS[:-1]:
        s, u = b["reads"][name]["sourced"], b["reads"][name]["unsourced"]
        rows.append([name, f"{s['warm']:.3f}", f"{u['warm']:.3f}", f"{s['warm'] / u['warm']:.2f}x",
                     f"{s['cold']:.3f}", f"{u['cold']:.3f}"])
    out.append("\n" + table(["read (time_ms)", "sourced, warm", "unsourced, warm", "sourced/unsourced", "sourced, cold",
                             "unsourced, cold"], rows))
    s = b["reads"]["db.sources()"]["sourced"]
    out.append(f"db.sources() on the sourced graph: warm {s['warm']:.3f} ms, cold {s['cold']:.3f} ms")
    return "\n".join(out)


def main():
    global BIN
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--skein", default="target/release/skein")
    p.add_argument("--runs", type=int, default=3, help="runs of each generated-file case")
    p.add_argument("--seed-runs", type=int, default=5)
    p.add_argument("--plain-runs", type=int, default=1, help="runs of the commit-per-statement run (about 35 s each)")
    p.add_argument("--read-runs", type=int, default=7, help="warm runs of each read per process")
    p.add_argument("--statements", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--work", help="folder for the databases (default: a temporary one)")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    p.add_argument("--json", help="write the raw figures here")
    args = p.parse_args()
    repo = os.getcwd()
    if not os.path.isdir(os.path.join(repo, "seed")):
        sys.exit("run from the repository root (seed/ not found)")
    binary = os.path.abspath(args.skein)
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary} not found: cargo build --release")
    work = os.path.abspath(args.work) if args.work else tempfile.mkdtemp(prefix="sources_bench.")
    os.makedirs(work, exist_ok=True)
    if os.listdir(work):
        sys.exit(f"{work} is not empty")
    # A copy, so that a rebuild during the run does not change the binary under test.
    BIN = os.path.join(work, "skein")
    shutil.copy2(binary, BIN)
    started = time.perf_counter()
    m = machine()
    with open(BIN, "rb") as f:
        m["binary"] = f"{binary} (sha256 {hashlib.sha256(f.read()).hexdigest()[:12]}, built " \
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(os.path.getmtime(binary)))})"
    try:
        print("seed", file=sys.stderr)
        seed = bench_seed(work, repo, args.seed_runs)
        big = bench_big(work, args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    total = time.perf_counter() - started
    print(report(m, seed, big, total))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": m, "seed": seed, "generated": big, "seconds": total}, f, indent=1, default=str)


BIN = None
LOADS = []   # the 1-minute load average after each skein process
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None

if __name__ == "__main__":
    main()
