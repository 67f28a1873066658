#!/usr/bin/env bash
# Algorithm benchmark, skein and networkx side by side on the same machine in one run:
# PageRank (20 iterations) and weakly connected components on the gen.py `small` graph.
#   scripts/algo_bench.sh [DATA_DIR]     (default /tmp/small; generated when missing)
# Needs python3 with networkx (and scipy, which nx.pagerank uses).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-/tmp/small}"
if [ ! -f "$data/manifest.json" ]; then
  python3 /work/shared/bench/gen.py --scale small --out "$data"
fi
echo "== machine: $(nproc) cores, $(uname -m); data: $data"
echo "== skein (cargo bench --bench algo, release build)"
cargo bench --quiet --bench algo -- "$data"
echo "== networkx $(python3 -c 'import networkx; print(networkx.__version__)')"
python3 scripts/algo_bench_networkx.py "$data"
