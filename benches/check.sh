#!/usr/bin/env bash
# Benchmark of `orgctl check` on synthetic orgs (issue 7). See docs/benchmarks.md.
#
#   benches/check.sh                 # 1x and 4x orgs: wall, CPU, peak RSS, stages, floor
#   benches/check.sh --jsonschema    # also check-jsonschema (PyPI) on the same files (slow)
#   benches/check.sh --callgrind     # also instruction counts (valgrind; slow, load-independent)
#
# Needs: cargo, hyperfine, GNU time (/usr/bin/time); python3 for the summaries; optionally
# check-jsonschema (`pip install check-jsonschema`) and valgrind. Orgs are generated once into
# $BENCH_DIR (default target/bench) with fixed seeds; every figure is printed as it is measured.
# SHIELD=1 runs the measurements under `chrt -f 50` (root only): on a machine shared with other
# builds, real-time priority keeps their CPU load out of the wall times (disk contention remains).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-15}
BENCH_DIR=${BENCH_DIR:-target/bench}
AS_OF=2026-11-25 # fixed, so terms and expiries are judged the same on every run
jsonschema=false
callgrind=false
shield=()
if [ "${SHIELD:-0}" = 1 ]; then shield=(chrt -f 50); fi
for arg in "$@"; do
  case "$arg" in
    --jsonschema) jsonschema=true ;;
    --callgrind) callgrind=true ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

cargo build --release --locked --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/orgctl"
mkdir -p "$BENCH_DIR"
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 2; }

echo "== machine"
echo "cpus: $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
free -h | sed -n 2p | awk '{print "memory: " $2}'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
[ ${#shield[@]} -gt 0 ] && echo "measurements under: ${shield[*]}"
echo "orgctl: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

gen() { # name people teams aliases budgets
  local dir="$BENCH_DIR/$1"
  if [ ! -f "$dir/org.yaml" ]; then
    rm -rf "$dir"
    "$BIN" generate --people "$2" --teams "$3" --aliases "$4" --budgets "$5" --seed 1 --out "$dir" >/dev/null
  fi
  echo "$1: $(find "$dir" -name '*.yaml' | wc -l) files, $(du -sh --apparent-size "$dir" | cut -f1)"
}
echo "== orgs"
gen org1x 10000 2000 500 50
gen org4x 40000 8000 2000 200
for size in 1x 4x; do
  "$BIN" check --org "$BENCH_DIR/org$size" --as-of "$AS_OF" --deny-warnings >/dev/null \
    || { echo "the generated $size org does not check clean" >&2; exit 1; }
done

median_json() { # hyperfine json -> "median wall, mean user, mean sys"
  python3 -c '
import json, sys, statistics as st
for r in json.load(open(sys.argv[1]))["results"]:
    t, name, user, system = r["times"], r["command"][:60], r["user"] * 1000, r["system"] * 1000
    print(f"{name:<60} median {st.median(t)*1000:7.1f} ms  min {min(t)*1000:7.1f} ms  "
          f"user {user:6.1f} ms  sys {system:6.1f} ms  (n={len(t)})")' "$1"
}

echo "== wall time (hyperfine, warm cache, $RUNS runs)"
"${shield[@]}" hyperfine -N --warmup 3 --runs "$RUNS" --style none --export-json "$BENCH_DIR/check.json" \
  -n "check 1x" "$BIN check --org $BENCH_DIR/org1x --as-of $AS_OF" \
  -n "check 4x" "$BIN check --org $BENCH_DIR/org4x --as-of $AS_OF" >/dev/null
median_json "$BENCH_DIR/check.json"
python3 -c '
import json, sys, statistics as st
r = json.load(open(sys.argv[1]))["results"]
a, b = st.median(r[0]["times"]), st.median(r[1]["times"])
cpu = (r[1]["user"] + r[1]["system"]) / (r[0]["user"] + r[0]["system"])
print(f"4x / 1x wall: {b/a:.2f}; CPU (user+sys): {cpu:.2f}")' "$BENCH_DIR/check.json"

echo "== peak RSS (/usr/bin/time -v, median of 5)"
for size in 1x 4x; do
  for i in 1 2 3 4 5; do
    "${shield[@]}" /usr/bin/time -v "$BIN" check --org "$BENCH_DIR/org$size" --as-of "$AS_OF" 2>&1 >/dev/null \
      | awk '/Maximum resident/ {print $6}'
  done | sort -n | sed -n 3p | awk -v s="$size" '{printf "%s: %.1f MB\n", s, $1/1024}'
done

echo "== stages (check --timings, median of 10; yaml/schema/decode are summed over threads)"
for size in 1x 4x; do
  for i in $(seq 10); do
    "${shield[@]}" "$BIN" check --org "$BENCH_DIR/org$size" --as-of "$AS_OF" --timings 2>&1 >/dev/null | grep '^files:'
  done | python3 -c '
import re, sys, statistics as st
def ms(v):
    n = float(re.match(r"[\d.]+", v).group())
    return n / 1000 if v.endswith("µs") else n * 1000 if v.endswith("s") and not v.endswith("ms") else n
rows = [dict((k, ms(v)) for k, v in re.findall(r"(read|parse\+schema|yaml|schema|decode|model|rules):? ([\d.]+[µm]?s)", l)) for l in sys.stdin]
med = {k: st.median(r[k] for r in rows) for k in rows[0]}
print(sys.argv[1] + ": " + "  ".join("%s %.1f ms" % (k, v) for k, v in med.items()))' "$size"
done

echo "== floor: reading the same files with cat (hyperfine, $RUNS runs)"
"${shield[@]}" hyperfine --warmup 3 --runs "$RUNS" --style none --export-json "$BENCH_DIR/floor.json" \
  -n "cat 1x" "find $BENCH_DIR/org1x -name '*.yaml' -print0 | xargs -0 cat > /dev/null" \
  -n "cat 4x" "find $BENCH_DIR/org4x -name '*.yaml' -print0 | xargs -0 cat > /dev/null" >/dev/null
median_json "$BENCH_DIR/floor.json"

if $jsonschema; then
  echo "== schema validation: orgctl vs check-jsonschema, same files, one hyperfine run"
  org="$BENCH_DIR/org1x"
  cj="check-jsonschema --schemafile schemas/org.schema.json $org/org.yaml"
  for kind in person:people team:teams alias:aliases budget:budgets; do
    cj="$cj && check-jsonschema --schemafile schemas/${kind%%:*}.schema.json $org/${kind#*:}/*.yaml"
  done
  "${shield[@]}" hyperfine --warmup 1 --runs "${JSONSCHEMA_RUNS:-3}" --style none --export-json "$BENCH_DIR/jsonschema.json" \
    -n "orgctl check 1x (read, YAML, schema, decode, 29 rules)" "$BIN check --org $org --as-of $AS_OF" \
    -n "check-jsonschema 1x (read, YAML, schema; 5 invocations)" "$cj" >/dev/null
  median_json "$BENCH_DIR/jsonschema.json"
  python3 -c '
import json, sys, statistics as st
a, b = json.load(open(sys.argv[1]))["results"]
wall = st.median(b["times"]) / st.median(a["times"])
cpu = (b["user"] + b["system"]) / (a["user"] + a["system"])
print(f"check-jsonschema / orgctl: wall {wall:.0f}x, CPU {cpu:.0f}x")' "$BENCH_DIR/jsonschema.json"
fi

if $callgrind; then
  echo "== instructions (valgrind --tool=callgrind; independent of machine load)"
  for size in 1x 4x; do
    valgrind --tool=callgrind --callgrind-out-file="$BENCH_DIR/callgrind.$size" \
      "$BIN" check --org "$BENCH_DIR/org$size" --as-of "$AS_OF" 2>&1 >/dev/null \
      | awk -v s="$size" '/Collected/ {printf "%s: %.0f M instructions\n", s, $4/1e6}'
  done
fi
