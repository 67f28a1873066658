#!/usr/bin/env python3
"""Writes tests/fixtures/algo/*.json: small graphs and the values networkx computes on
them, which tests/algo_networkx.rs compares skein's algo.* procedures against.

Run once after changing a graph:  python3 scripts/algo_fixtures.py
Each fixture: nodes (keys), edges [from, to, weight], and expected values by key.
"""
import json
import os
import random

import networkx as nx

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "algo")


def undirected_simple(g):
    u = nx.Graph()
    u.add_nodes_from(g.nodes)
    u.add_edges_from((a, b) for a, b in g.edges if a != b)
    return u


def expected_for(g, source, target):
    u = undirected_simple(g)
    lengths = nx.single_source_dijkstra_path_length(g, source, weight="weight")
    out = {
        "source": source,
        "target": target,
        "pagerank": nx.pagerank(g, alpha=0.85, tol=1e-12, max_iter=1000, weight="weight"),
        "pagerank_unweighted": nx.pagerank(g, alpha=0.85, tol=1e-12, max_iter=1000, weight=None),
        "degree": dict(g.degree()),
        "in_degree": dict(g.in_degree()),
        "out_degree": dict(g.out_degree()),
        "betweenness": nx.betweenness_centrality(g, normalized=True),
        "betweenness_undirected": nx.betweenness_centrality(u, normalized=True),
        "wcc": [sorted(c) for c in nx.weakly_connected_components(g)],
        "scc": [sorted(c) for c in nx.strongly_connected_components(g)],
        "triangles": nx.triangles(u),
        "clustering": nx.clustering(u),
        "dijkstra_cost": lengths,
        "hops": dict(nx.single_source_shortest_path_length(g, source)),
        "hops_2": dict(nx.single_source_shortest_path_length(g, source, cutoff=2)),
    }
    if nx.has_path(g, source, target):
        out["shortest_cost"] = nx.dijkstra_path_length(g, source, target, weight="weight")
        out["all_shortest"] = sorted(
            nx.all_shortest_paths(g, source, target, weight="weight", method="dijkstra")
        )
    out["is_dag"] = nx.is_directed_acyclic_graph(g)
    if out["is_dag"]:
        out["topological"] = list(nx.lexicographical_topological_sort(g))
    return out


def write(name, g, source, target, note):
    doc = {
        "note": note,
        "nodes": sorted(g.nodes),
        "edges": [[a, b, d.get("weight", 1)] for a, b, d in sorted(g.edges(data=True))],
        "expected": expected_for(g, source, target),
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


def key(i):
    return "n%02d" % i


def main():
    os.makedirs(OUT, exist_ok=True)

    # Hand-checked: a diamond with a cheap detour. a->b->d costs 2, a->c->d costs 2
    # (two cheapest paths), a->d direct costs 5; e hangs off d, f is alone, d<->e a cycle.
    g = nx.DiGraph()
    g.add_nodes_from("abcdef")
    g.add_weighted_edges_from(
        [("a", "b", 1), ("b", "d", 1), ("a", "c", 1.5), ("c", "d", 0.5), ("a", "d", 5),
         ("d", "e", 2), ("e", "d", 1)]
    )
    write("diamond", g, "a", "d", "hand-checked: two cheapest a->d paths of cost 2; {d,e} is the only non-trivial SCC")

    # Hand-checked: two triangles joined by one bridge (c-d); a DAG, so it sorts.
    g = nx.DiGraph()
    g.add_nodes_from("abcdefg")
    g.add_edges_from([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("d", "e"), ("e", "f"), ("d", "f")], weight=1)
    write("two_triangles", g, "a", "f", "hand-checked: 1 triangle at a,b,e,f; c,d bridge; g isolated; topological order a,b,c,d,e,f,g")

    # Generated: a seeded random directed graph with integer weights.
    rng = random.Random(7)
    g = nx.gnp_random_graph(60, 0.06, seed=7, directed=True)
    g = nx.relabel_nodes(g, {i: key(i) for i in g.nodes})
    for a, b in g.edges:
        g[a][b]["weight"] = rng.randint(1, 9)
    write("random60", g, key(0), key(59), "networkx gnp_random_graph(60, 0.06, seed=7, directed) with weights 1..9")

    # Generated DAG: edges only from smaller to larger key.
    dag = nx.DiGraph()
    dag.add_nodes_from(key(i) for i in range(30))
    for i in range(30):
        for j in range(i + 1, 30):
            if rng.random() < 0.1:
                dag.add_edge(key(i), key(j), weight=rng.randint(1, 5))
    write("random_dag30", dag, key(0), key(29), "random DAG on 30 nodes, edges i->j (i<j) with p=0.1")


if __name__ == "__main__":
    main()
