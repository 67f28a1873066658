#!/usr/bin/env python3
"""networkx side of the algorithm benchmark: loads a gen.py CSV data set into a
MultiDiGraph and times PageRank (20 iterations) and weakly connected components.
Prints key=value lines like the skein side (benches/algo.rs)."""
import csv
import json
import os
import sys
import time

import networkx as nx


def main():
    data = sys.argv[1]
    with open(os.path.join(data, "manifest.json")) as f:
        manifest = json.load(f)
    start = time.perf_counter()
    g = nx.MultiDiGraph()
    for spec in manifest["nodes"].values():
        with open(os.path.join(data, spec["file"])) as f:
            g.add_nodes_from(int(row["id"]) for row in csv.DictReader(f))
    for spec in manifest["rels"].values():
        with open(os.path.join(data, spec["file"])) as f:
            reader = csv.reader(f)
            next(reader)
            g.add_edges_from((int(r[0]), int(r[1])) for r in reader)
    print("networkx_load_s=%.2f nodes=%d rels=%d" % (time.perf_counter() - start, g.number_of_nodes(), g.number_of_edges()))

    start = time.perf_counter()
    try:
        # tol=0 never converges: exactly 20 power iterations, as on the skein side.
        nx.pagerank(g, alpha=0.85, max_iter=20, tol=0.0)
    except nx.PowerIterationFailedConvergence:
        pass
    print("networkx_pagerank_s=%.3f" % (time.perf_counter() - start))
    # Converged scores (defaults: max_iter=100, tol=1e-6) to compare with skein's.
    scores = nx.pagerank(g, alpha=0.85)
    top = sorted(scores.items(), key=lambda kv: -kv[1])[:3]
    print("networkx_pagerank_top3_csv_ids=%s" % [(k, round(v, 8)) for k, v in top])

    start = time.perf_counter()
    components = list(nx.weakly_connected_components(g))
    print("networkx_wcc_s=%.3f components=%d" % (time.perf_counter() - start, len(components)))


if __name__ == "__main__":
    main()
