#!/usr/bin/env bash
# Benchmark of issue 8 (ownership, CODEOWNERS and reports) on the synthetic org of issue 7:
# 10,000 people, 2,000 teams, 500 aliases, 50 budgets (~12,550 files), made by the hidden
# `orgctl generate`. Measures, end to end with process start, on a release build:
#   - `orgctl report` (the whole HTML site), target < 2 s wall;
#   - `orgctl owners REPO PATH` for one path, target < 50 ms;
#   - `orgctl codeowners --repo monorepo` for a repository with 5,000 rules, target < 200 ms
#     (the generated org has at most a few rules per repository, so 500 teams owning 10 paths
#     each in `monorepo` are added to a copy of it).
# Needs hyperfine (Debian: apt-get install hyperfine). Usage: benches/reports.sh [WORKDIR]
# SHIELD=1 runs the measurements under `chrt -f 50` (root only): on a machine shared with other
# builds, real-time priority keeps their CPU load out of the figures (disk contention remains).
# FRESH_FS=1 (root only) also measures the fresh report on a new ext4 file system (see below).
# Results are printed; docs/benchmarks.md ("Reports (issue 8)") records a run.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-${TMPDIR:-/tmp}/orgctl-bench-reports}"
runs="${RUNS:-10}"

cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-target}/release/orgctl"
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 2; }

org="$work/org"
mono="$work/org-mono"
if [ ! -f "$org/org.yaml" ]; then
  rm -rf "$org"
  "$bin" generate --out "$org" >/dev/null
fi
if [ ! -f "$mono/teams/mono-499.yaml" ]; then
  rm -rf "$mono"
  cp -r "$org" "$mono"
  mapfile -t people < <(ls "$org/people" | sed 's/\.yaml$//' | head -1000)
  for i in $(seq 0 499); do
    a=${people[$((i * 2 % 1000))]}
    b=${people[$((i * 2 % 1000 + 1))]}
    {
      echo "name: Monorepo area $i"
      echo "leads: [$a]"
      echo "members: [$a, $b]"
      echo "github:"
      echo "  repos:"
      echo "    monorepo: push"
      echo "owns:"
      echo "  - repo: monorepo"
      echo "    paths:"
      echo "      - /services/svc-$i/"
      echo "      - /services/svc-$i/api/"
      echo "      - /libs/lib-$i/"
      echo "      - /libs/lib-$i/src/*.rs"
      echo "      - /docs/area-$i/*.md"
      echo "      - \"**/gen-$i/\""
      echo "      - \"*.ext$i\""
      echo "      - /tools/t$i/**/*.py"
      echo "      - /config/area-$i.yaml"
      echo "      - /ci/jobs/job-$i/"
    } > "$mono/teams/mono-$(printf %03d "$i").yaml"
  done
fi

as_of="--as-of 2026-11-25"
echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
"$bin" --org "$mono" $as_of check >/dev/null || { echo "the benchmark org does not check clean" >&2; exit 1; }
rules=$("$bin" --org "$mono" $as_of codeowners --repo monorepo | grep -vc '^#\|^$')
echo "monorepo CODEOWNERS rules: $rules"
repo=$(grep -h '^  - repo:' "$org"/teams/*.yaml | sort | uniq -c | sort -rn | head -1 | awk '{print $4}')

shield=()
if [ "${SHIELD:-0}" = 1 ]; then shield=(chrt -f 50); fi
site="$work/site"
shm="/dev/shm/orgctl-bench-site"
"${shield[@]}" hyperfine -N -w 3 -r "$runs" --export-markdown "$work/small.md" \
  -n "owners (one path, busiest repository of the synthetic org)" "$bin --org $org $as_of owners $repo src/lib/main.rs" \
  -n "owners (one path, monorepo with $rules rules)" "$bin --org $mono $as_of owners monorepo libs/lib-7/src/x.rs" \
  -n "codeowners --repo monorepo ($rules rules)" "$bin --org $mono $as_of codeowners --repo monorepo"
"${shield[@]}" hyperfine -w 1 -r "$runs" --export-markdown "$work/report.md" \
  --prepare "rm -rf $site" --prepare "true" --prepare "rm -rf $shm" \
  -n "report, HTML, fresh directory on disk" "$bin --org $org $as_of report --out $site" \
  -n "report, HTML, re-run over the same site (files unchanged)" "$bin --org $org $as_of report --out $site" \
  -n "report, HTML, fresh directory on tmpfs" "$bin --org $org $as_of report --out $shm"
"${shield[@]}" "$bin" --org "$org" $as_of report --out "$shm-t" --timings 2>&1 | head -1

# The floor of a fresh write: creating the same files (same names, sizes, directories) with
# `cp -r` from tmpfs, on the same file system as the fresh-on-disk case.
"${shield[@]}" hyperfine -w 1 -r "$runs" --export-markdown "$work/floor.md" \
  --prepare "rm -rf $site-cp" \
  -n "floor: cp -r of the site into a fresh directory on disk" "cp -r $shm-t $site-cp"
rm -rf "$site-cp"

# FRESH_FS=1 (root only): the fresh-on-disk case again on a new ext4 file system (a loop-mounted
# image on the same disk). On a long-lived file system that has seen many deletions, ext4's inode
# allocator can take ~0.3 ms per created file (`recently_deleted`, `find_inode_bit` in `perf`);
# a new file system shows what the report itself costs on a disk.
if [ "${FRESH_FS:-0}" = 1 ]; then
  img="$work/ext4.img"
  mnt="$work/fresh-fs"
  mkdir -p "$mnt"
  if ! mountpoint -q "$mnt"; then
    truncate -s 2G "$img"
    mkfs.ext4 -q -F "$img"
    mount -o loop "$img" "$mnt"
  fi
  "${shield[@]}" hyperfine -w 1 -r "$runs" --export-markdown "$work/fresh-fs.md" \
    --prepare "rm -rf $mnt/site" --prepare "rm -rf $mnt/site-cp" \
    -n "report, HTML, fresh directory on a new ext4 file system" "$bin --org $org $as_of report --out $mnt/site" \
    -n "floor: cp -r of the site, same file system" "cp -r $shm-t $mnt/site-cp"
  umount "$mnt"
  rm -f "$img"
fi
rm -rf "$shm" "$shm-t"
cat "$work/small.md" "$work/report.md" "$work/floor.md"
if [ -f "$work/fresh-fs.md" ]; then cat "$work/fresh-fs.md"; fi
