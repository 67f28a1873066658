#!/usr/bin/env bash
# Builds the seed corpus of the fuzz targets from the openCypher TCK: every doc string
# (the `"""` blocks: the queries the scenarios execute, and the graphs they set up) of
# every .feature file, one file per distinct query, into fuzz/corpus/parse and
# fuzz/corpus/execute.
#
#   fuzz/seed-corpus.sh [FEATURES_DIR]    (default: ../shared/tck/features beside the repo)
set -euo pipefail
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
features=${1:-"$fuzz_dir/../../shared/tck/features"}
if [ ! -d "$features" ]; then
  echo "no TCK features folder at $features; pass it as the first argument" >&2
  exit 2
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# One file per doc string, its indentation (that of the opening """) removed.
find "$features" -name '*.feature' -print0 | sort -z | xargs -0 awk -v out="$scratch" '
  /^[ \t]*"""[ \t]*$/ {
    if (inside) { close(file); inside = 0; next }
    inside = 1; count++; file = sprintf("%s/q%06d", out, count)
    match($0, /^[ \t]*/); indent = RLENGTH
    printf "" > file
    next
  }
  inside {
    line = $0
    if (match(line, /^[ \t]*/) && RLENGTH >= indent) line = substr(line, indent + 1)
    else sub(/^[ \t]*/, "", line)
    print line > file
  }'

for target in parse execute; do
  mkdir -p "$fuzz_dir/corpus/$target"
done
blocks=0
for query in "$scratch"/q*; do
  [ -s "$query" ] || continue
  blocks=$((blocks + 1))
  name=$(sha1sum "$query" | cut -c1-40)
  for target in parse execute; do
    cp "$query" "$fuzz_dir/corpus/$target/$name"
  done
done
distinct=$(find "$fuzz_dir/corpus/parse" -type f | wc -l)
echo "$blocks query blocks from $features: fuzz/corpus/{parse,execute} now hold $distinct inputs each"
