#!/usr/bin/env bash
# Builds the seed corpus of the fuzz targets from the openCypher TCK: every doc string
# (the `"""` blocks: the queries the scenarios execute, and the graphs they set up) of
# every .feature file, one file per distinct query, into fuzz/corpus/parse and
# fuzz/corpus/execute.
#
#   fuzz/seed-corpus.sh [FEATURES_DIR]    (default: ../shared/tck/features beside the repo)
#
# The file targets start from the repository's own files: `load_jsonl` from the fact
# lines of seed/README.md and the .jsonl texts of tests/load.rs (one input per text and
# per line), `import_csv` from the CSV data sets the import tests write (in the input
# layout of fuzz/harness.rs: a shape byte, then the files split by its separator), and
# from the first rows of the benchmark generator's tiny data set when it is at hand.
set -euo pipefail
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
repo_dir=$(dirname "$fuzz_dir")
mkdir -p "$fuzz_dir/corpus/import_csv" "$fuzz_dir/corpus/load_jsonl"
python3 - "$repo_dir" "$fuzz_dir/corpus" <<'PYTHON'
import hashlib, json, os, re, subprocess, sys, tempfile
repo, corpus = sys.argv[1], sys.argv[2]
SEPARATOR = b"\n--file--\n"  # fuzz/harness.rs, CSV_FILE_SEPARATOR

def save(target, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(corpus, target, name), "wb") as out:
        out.write(data)

def rust_strings(path):
    """The plain and raw string literals of a Rust file, unescaped (enough for tests)."""
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r'r#"(.*?)"#|"((?:[^"\\]|\\.)*)"', text, re.S):
        if m.group(1) is not None:
            yield m.group(1)
            continue
        raw = re.sub(r"\\\n\s*", "", m.group(2))
        yield re.sub(r'\\(.)', lambda e: {"n": "\n", "t": "\t"}.get(e.group(1), e.group(1)), raw)

# load_jsonl: whole texts and single lines.
jsonl = []
for line in open(os.path.join(repo, "seed", "README.md"), encoding="utf-8"):
    if line.startswith(('{"node"', '{"relationship"')):
        jsonl.append(line)
readme_text = "".join(jsonl)
texts = [readme_text] if readme_text else []
for string in rust_strings(os.path.join(repo, "tests", "load.rs")):
    if '{"node"' in string or '{"relationship"' in string:
        texts.append(string)
for text in texts:
    save("load_jsonl", text.encode())
    for line in text.splitlines(keepends=True):
        if line.strip():
            save("load_jsonl", line.encode())

def csv_input(nodes, rels, manifest=None):
    """One import_csv input: up to 4 node files, up to 3 relationship files."""
    nodes, rels = nodes[:4], rels[:3]
    if not nodes:
        return None
    shape = (len(nodes) - 1) | (len(rels) << 2) | (0b10000 if manifest is not None else 0)
    pieces = nodes + rels + ([manifest] if manifest is not None else [])
    return bytes([shape]) + SEPARATOR.join(pieces)

# import_csv: the data sets of the import tests, all together and each node file alone.
for test in ("import_csv.rs", "import_batches.rs", "history_import.rs"):
    path = os.path.join(repo, "tests", test)
    if not os.path.exists(path):
        continue
    nodes, rels, manifest = [], [], None
    for string in rust_strings(path):
        first = string.split("\n", 1)[0]
        if re.match(r"^id(:\w+)?(,|$)", first):
            nodes.append(string.encode())
        elif re.match(r"^src(:\w+)?,dst", first):
            rels.append(string.encode())
        elif string.lstrip().startswith('{"nodes"'):
            manifest = string.encode()
    for data in (csv_input(nodes, rels), csv_input(nodes, rels, manifest)):
        if data:
            save("import_csv", data)
    for node in nodes:
        save("import_csv", csv_input([node], []))

# The benchmark generator's tiny data set, each file cut to its first rows.
generator = os.path.join(repo, "..", "shared", "bench", "gen.py")
if os.path.exists(generator):
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run([sys.executable, generator, "--scale", "tiny", "--out", out],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if done.returncode == 0:
            def head(name):
                with open(os.path.join(out, name), "rb") as f:
                    return b"".join(f.readlines()[:12])
            files = sorted(os.listdir(out))
            nodes = [head(f) for f in files if f.startswith("nodes_")]
            rels = [head(f) for f in files if f.startswith("rels_")]
            manifest_path = os.path.join(out, "manifest.json")
            manifest = open(manifest_path, "rb").read() if os.path.exists(manifest_path) else None
            for start in range(0, len(nodes), 4):
                save("import_csv", csv_input(nodes[start:start + 4], rels[:3], manifest))
PYTHON
echo "fuzz/corpus/import_csv: $(find "$fuzz_dir/corpus/import_csv" -type f | wc -l) inputs," \
  "fuzz/corpus/load_jsonl: $(find "$fuzz_dir/corpus/load_jsonl" -type f | wc -l) inputs"
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
