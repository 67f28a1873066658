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
# The bolt target starts from a few whole conversations: the Python driver's handshake,
# then HELLO, LOGON, RUN with parameters of several types, PULL, BEGIN, COMMIT, RESET.
mkdir -p "$fuzz_dir/corpus/bolt"
handshake='\x60\x60\xb0\x17\x00\x00\x01\xff\x00\x08\x08\x05\x00\x02\x04\x04\x00\x00\x00\x03'
hello='\x00\x10\xb1\x01\xa1\x8auser_agent\x81t\x00\x00'
logon='\x00\x10\xb1\x6a\xa1\x86scheme\x85basic\x00\x00'
run='\x00\x24\xb3\x10\x89RETURN $p\xa1\x81p\x94\x01\xc1\x3f\xf8\x00\x00\x00\x00\x00\x00\xb1\x44\x01\xb4\x45\x01\x02\x03\x04\xa0\x00\x00'
pull='\x00\x08\xb1\x3f\xa1\x81n\xc9\x03\xe8\x00\x00'
rest='\x00\x03\xb1\x11\xa0\x00\x00\x00\x02\xb0\x12\x00\x00\x00\x02\xb0\x0f\x00\x00'
printf "$handshake$hello" >"$fuzz_dir/corpus/bolt/hello"
printf "$handshake$hello$logon$run$pull" >"$fuzz_dir/corpus/bolt/run"
printf "$handshake$hello$run$pull$rest" >"$fuzz_dir/corpus/bolt/transaction"
distinct=$(find "$fuzz_dir/corpus/parse" -type f | wc -l)
echo "$blocks query blocks from $features: fuzz/corpus/{parse,execute} now hold $distinct inputs each"
