#!/usr/bin/env bash
# Whole-command benchmark: nkwatch dump against bgpdump -m and zcat/bzcat on
# the same input, in the same run, reported as ratios.
#
#   Benchmarks/bench.sh [RUNS]
#
# Input: the update dumps of ../shared/corpus/ris concatenated (decompressed
# and recompressed as one .gz and one .bz2), or SampleData/mrt when the corpus
# is absent. Needs hyperfine and bgpdump (apt-get install hyperfine bgpdump).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
work="${TMPDIR:-/tmp}/nkwatch-bench"
mkdir -p "$work"

swift build -c release >/dev/null
nk="$PWD/.build/release/nkwatch"

if [ -d ../shared/corpus/ris ]; then
    # Every update dump but the one with a damaged NLRI (Debian's bgpdump
    # prints it unmasked; docs/formats.md).
    src=()
    for f in ../shared/corpus/ris/updates.*.gz; do
        case "$f" in *nlri_mask_trailing_bits*) ;; *) src+=("$f") ;; esac
    done
else
    src=(SampleData/mrt/bgp4mp*.gz)
fi
copies="${COPIES:-4}"
: > "$work/input.mrt"
for _ in $(seq "$copies"); do zcat "${src[@]}" >> "$work/input.mrt"; done
gzip -c -6 "$work/input.mrt" > "$work/input.mrt.gz"
bzip2 -c -9 "$work/input.mrt" > "$work/input.mrt.bz2"
echo "input: ${#src[@]} files x $copies, $(stat -c %s "$work/input.mrt") bytes uncompressed, $(zcat "$work/input.mrt.gz" | "$nk" dump - | wc -l) elements"

# Same bytes out?
for f in "$work/input.mrt.gz" "$work/input.mrt.bz2"; do
    if cmp -s <("$nk" dump "$f" 2>/dev/null) <(bgpdump -m "$f" 2>/dev/null); then
        echo "same output as bgpdump -m: $(basename "$f")"
    else
        echo "OUTPUT DIFFERS from bgpdump -m: $(basename "$f")"
    fi
done

hyperfine --runs "$runs" --warmup 1 --export-json "$work/gz.json" \
    -n zcat "zcat $work/input.mrt.gz" \
    -n "nkwatch dump" "$nk dump $work/input.mrt.gz" \
    -n "bgpdump -m" "bgpdump -m $work/input.mrt.gz" \
    --output null >/dev/null
hyperfine --runs "$runs" --warmup 1 --export-json "$work/bz2.json" \
    -n bzcat "bzcat $work/input.mrt.bz2" \
    -n "nkwatch dump" "$nk dump $work/input.mrt.bz2" \
    -n "bgpdump -m" "bgpdump -m $work/input.mrt.bz2" \
    --output null >/dev/null

# Scoped ingest of the same file against zcat / bzcat.
hyperfine --runs "$runs" --warmup 1 --export-json "$work/ingest.json" \
    --prepare "rm -f $work/i.sqlite*" \
    -n zcat "zcat $work/input.mrt.gz" \
    -n "ingest .gz" "$nk ingest --quiet --store $work/i.sqlite $work/input.mrt.gz" \
    -n bzcat "bzcat $work/input.mrt.bz2" \
    -n "ingest .bz2" "$nk ingest --quiet --store $work/i.sqlite $work/input.mrt.bz2" \
    --output null >/dev/null

# Many files: one core (taskset, one job) against all cores (default jobs).
# Two sets: seven large update files of each kind, cut at record boundaries
# from the input (a day of one collector, compressed as RIS and RouteViews
# do), and the 3449 small files of SampleData/kp-2014-12.
rm -rf "$work/multi"
mkdir -p "$work/multi/rrc00" "$work/multi/route-views2/bgpdata/UPDATES"
python3 - "$work/input.mrt" "$work/multi" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
ends, p = [], 0
while p + 12 <= len(data):
    p += 12 + struct.unpack('>I', data[p + 8:p + 12])[0]
    ends.append(p)
n, start, k = 7, 0, 1
for e in ends:
    if e >= len(data) * k // n and k < n:
        open(f"{sys.argv[2]}/part{k - 1}", 'wb').write(data[start:e]); start, k = e, k + 1
open(f"{sys.argv[2]}/part{n - 1}", 'wb').write(data[start:])
PY
for i in 0 1 2 3 4 5 6; do
    gzip -6 -c "$work/multi/part$i" > "$work/multi/rrc00/updates.20141222.0${i}00.gz"
    bzip2 -9 -c "$work/multi/part$i" > "$work/multi/route-views2/bgpdata/UPDATES/updates.20141222.0${i}00.bz2"
    rm "$work/multi/part$i"
done
# The one-core and all-core runs alternate (this machine's speed drifts
# over minutes; hyperfine would run all of one, then all of the other).
python3 - "$runs" "$nk" "$work" <<'PY'
import json, os, statistics, subprocess, sys, time
runs, nk, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
store = f"{work}/j.sqlite"
sets = [("14 large files", f"{work}/multi"), ("3449 small files", "SampleData/kp-2014-12")]
cores = os.cpu_count()
variants = [("1 core", ["taskset", "-c", "0", nk, "ingest", "--quiet", "--jobs", "1"]),
            (f"{cores} cores", [nk, "ingest", "--quiet"])]
results = []
for name, path in sets:
    times = {v: [] for v, _ in variants}
    for i in range(runs + 1):
        for v, cmd in variants:
            for f in (store, store + "-wal", store + "-shm"):
                if os.path.exists(f): os.remove(f)
            t = time.perf_counter()
            subprocess.run(cmd + ["--store", store, path], check=True, stdout=subprocess.DEVNULL)
            if i > 0: times[v].append(time.perf_counter() - t)   # the first round warms up
    for v, _ in variants:
        xs = times[v]
        results.append({"command": f"{name}, {v}", "mean": statistics.mean(xs), "median": statistics.median(xs),
                        "stddev": statistics.stdev(xs) if len(xs) > 1 else 0.0, "min": min(xs), "max": max(xs)})
json.dump({"results": results}, open(f"{work}/jobs.json", "w"))
PY

# Peak memory for 1x and 4x the input.
cat "$work/input.mrt" "$work/input.mrt" "$work/input.mrt" "$work/input.mrt" | gzip -1 > "$work/input4.mrt.gz"
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
echo "peak RSS, dump 1x: $(rss "$nk" dump "$work/input.mrt.gz") KB, 4x: $(rss "$nk" dump "$work/input4.mrt.gz") KB"
rm -f "$work"/r*.sqlite*
echo "peak RSS, ingest 1x: $(rss "$nk" ingest --quiet --store "$work/r1.sqlite" "$work/input.mrt.gz") KB, 4x: $(rss "$nk" ingest --quiet --store "$work/r4.sqlite" "$work/input4.mrt.gz") KB"

python3 - "$work/gz.json" "$work/bz2.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    r = {x["command"]: x for x in json.load(open(path))["results"]}
    names = list(r)
    base, nk, bd = names[0], "nkwatch dump", "bgpdump -m"
    print(f"\n{path.split('/')[-1]}")
    for n in names:
        print(f"  {n:14s} {r[n]['mean']:7.3f} s ± {r[n]['stddev']:.3f}")
    print(f"  nkwatch dump is {r[bd]['mean'] / r[nk]['mean']:.2f}x faster than bgpdump -m, "
          f"{r[nk]['mean'] / r[base]['mean']:.2f}x the time of {base}")
PY
python3 - "$work/ingest.json" "$work/jobs.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
print("\ningest (default scope) against decompression alone")
for n in r: print(f"  {n:14s} {r[n]['mean']:7.3f} s ± {r[n]['stddev']:.3f}")
print(f"  ingest .gz is {r['ingest .gz']['mean'] / r['zcat']['mean']:.2f}x zcat; ingest .bz2 is {r['ingest .bz2']['mean'] / r['bzcat']['mean']:.2f}x bzcat")
j = json.load(open(sys.argv[2]))["results"]
print("\nmulti-file ingest: one core (taskset -c 0, --jobs 1) against all cores, runs alternating")
for x in j: print(f"  {x['command']:26s} median {x['median']:6.3f} s, mean {x['mean']:6.3f} s ± {x['stddev']:.3f}  (min {x['min']:.3f}, max {x['max']:.3f})")
for a in (0, 2):
    print(f"  speed-up with all cores, {j[a]['command'].split(',')[0]}: {j[a]['median'] / j[a + 1]['median']:.2f}x (medians), "
          f"{j[a]['min'] / j[a + 1]['min']:.2f}x (fastest runs)")
PY
