#!/usr/bin/env bash
# Whole-command benchmarks, as ratios measured in the same run:
#   - nkwatch dump against bgpdump -m and zcat/bzcat on the same .gz and .bz2;
#   - nkwatch ingest (default scope) against zcat/bzcat of the same file;
#   - multi-file ingest on one core (taskset -c 0, --jobs 1) against all cores,
#     on seven large files of each compression and on SampleData/kp-2014-12;
#     with the machine's own ceilings beside it: one zcat alone against one
#     per core at once, and the same for a one-core ingest of half of each
#     input (independent processes: on a shared host busy cores can each be
#     slower than one alone, and that bounds any program's speed-up);
#   - peak resident memory of dump and ingest for 1x and 4x the input.
#
#   Benchmarks/bench.sh [ROUNDS]        (default 5; COPIES=N sizes the input)
#   BEFORE=/path/to/an/older/nkwatch Benchmarks/bench.sh   also times that build
#       on the same inputs in the same rounds, for before/after ratios.
#   ISAL=1 Benchmarks/bench.sh   also builds the ISAL trait (gzip through
#       ISA-L's igzip; apt-get install libisal-dev) and times its dump and
#       ingest of the .gz beside the default (zlib) build's.
#
# Each comparison runs in ROUNDS rounds of `hyperfine --runs 1` over all its
# commands, after one warm-up round: the commands alternate, so a drift in
# the machine's speed (several tens of percent over minutes on a shared
# machine) hits all of them alike. Medians are reported.
#
# Input: the update dumps of ../shared/corpus/ris concatenated COPIES times
# (decompressed and recompressed as one .gz and one .bz2), or SampleData/mrt
# when the corpus is absent. Needs hyperfine, bgpdump, pigz and lbzip2
# (apt-get install hyperfine bgpdump pigz lbzip2) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
work="${TMPDIR:-/tmp}/nkwatch-bench"
mkdir -p "$work"

swift build -c release >/dev/null
nk="$PWD/.build/release/nkwatch"
nk_isal=""
if [ -n "${ISAL:-}" ]; then
    swift build -c release --traits ISAL --scratch-path .build/isal >/dev/null
    nk_isal="$PWD/.build/isal/release/nkwatch"
fi
# isal_for LABEL ARGS: the ISAL build's command, NUL-separated for with_before.
isal_for() { if [ -n "$nk_isal" ]; then printf '%s\0%s\0%s\0' -n "$1 (ISAL)" "$nk_isal $2"; fi; }

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
elements=$(zcat "$work/input.mrt.gz" | "$nk" dump - | wc -l)
echo "input: ${#src[@]} files x $copies, $(stat -c %s "$work/input.mrt") bytes uncompressed, $elements elements"

# Same bytes out?
for f in "$work/input.mrt.gz" "$work/input.mrt.bz2"; do
    if cmp -s <("$nk" dump "$f" 2>/dev/null) <(bgpdump -m "$f" 2>/dev/null); then
        echo "same output as bgpdump -m: $(basename "$f")"
    else
        echo "OUTPUT DIFFERS from bgpdump -m: $(basename "$f")"
    fi
done

# Seven large update files of each kind, cut at record boundaries from the
# input (a day of one collector, compressed as RIS and RouteViews do).
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

# Half of each many-files input (hard links), for the workload's own
# ceiling on this machine: one core's ingest of a half alone, against two
# of them at once, one per core (two processes that share nothing but the
# machine). 2 x alone / at once is what two cores can give this work here
# with nothing serial and nothing shared; how far nkwatch's ratio is from
# it is what its own serial part and sharing cost.
rm -rf "$work/half"
mkdir -p "$work/half/multi/rrc00" "$work/half/multi/route-views2/bgpdata/UPDATES"
for i in 0 1 2 3; do ln "$work/multi/rrc00/updates.20141222.0${i}00.gz" "$work/half/multi/rrc00/"; done
for i in 0 1 2; do ln "$work/multi/route-views2/bgpdata/UPDATES/updates.20141222.0${i}00.bz2" "$work/half/multi/route-views2/bgpdata/UPDATES/"; done
i=0
while IFS= read -r f; do
    if [ $((i % 2)) = 0 ]; then mkdir -p "$work/half/sample/$(dirname "$f")"; ln "SampleData/kp-2014-12/$f" "$work/half/sample/$f"; fi
    i=$((i + 1))
done < <(cd SampleData/kp-2014-12 && find . -type f \( -name '*.gz' -o -name '*.bz2' \) | sort)

# group NAME -n LABEL COMMAND -n LABEL COMMAND ...: rounds of hyperfine --runs 1.
group() {
    local name="$1"; shift
    rm -f "$work/$name".round*.json
    for r in $(seq 0 "$rounds"); do
        hyperfine --runs 1 --style none --output null --export-json "$work/$name.round$r.json" \
            --prepare "rm -f $work/s.sqlite $work/s.sqlite-wal $work/s.sqlite-shm $work/core*.sqlite*" "$@" >/dev/null
    done
    rm -f "$work/$name.round0.json"   # warm-up
}

# With BEFORE set, the same commands of the older build join each group.
before() { # label command-with-NK
    if [ -n "${BEFORE:-}" ]; then printf '%s\0%s\0' "-n" "$1 (before)"; printf '%s\0' "${2//\$nk/$BEFORE}"; fi
}
with_before() { # name args... ; appends the before variants read from stdin (NUL-separated)
    local extra=()
    while IFS= read -r -d '' x; do extra+=("$x"); done
    group "$@" "${extra[@]}"
}
# bgpkit-parser through its Python binding (BGPKIT_PYTHON: a python with
# pybgpkit_parser, e.g. a venv with `pip install --only-binary :all:
# pybgpkit-parser`), counting the elements it yields.
if [ -n "${BGPKIT_PYTHON:-}" ]; then
    bgpkit_cmd() { echo "$BGPKIT_PYTHON -c \"from pybgpkit_parser import Parser; print(sum(1 for _ in Parser(url='$1')))\""; }
    bgpkit_elements=$(eval "$(bgpkit_cmd "$work/input.mrt.gz")")
    echo "bgpkit-parser counts $bgpkit_elements elements"
fi
bgpkit_for() { if [ -n "${BGPKIT_PYTHON:-}" ]; then printf '%s\0%s\0%s\0' -n "bgpkit-parser" "$(bgpkit_cmd "$1")"; fi; }
with_before gz -n zcat "zcat $work/input.mrt.gz" -n "pigz -dc" "pigz -dc $work/input.mrt.gz" \
    -n "nkwatch dump" "$nk dump $work/input.mrt.gz" \
    -n "nkwatch dump --jobs 1" "$nk dump --jobs 1 $work/input.mrt.gz" \
    -n "bgpdump -m" "bgpdump -m $work/input.mrt.gz" < <(bgpkit_for "$work/input.mrt.gz"; before "nkwatch dump" "\$nk dump $work/input.mrt.gz"; \
                                                                isal_for "nkwatch dump" "dump $work/input.mrt.gz")
with_before bz2 -n bzcat "bzcat $work/input.mrt.bz2" -n "lbzip2 -dc" "lbzip2 -dc $work/input.mrt.bz2" \
    -n "nkwatch dump" "$nk dump $work/input.mrt.bz2" \
    -n "nkwatch dump --jobs 1" "$nk dump --jobs 1 $work/input.mrt.bz2" \
    -n "bgpdump -m" "bgpdump -m $work/input.mrt.bz2" < <(bgpkit_for "$work/input.mrt.bz2"; before "nkwatch dump" "\$nk dump $work/input.mrt.bz2")
with_before plain -n "cat" "cat $work/input.mrt" \
    -n "nkwatch dump" "$nk dump $work/input.mrt" \
    -n "nkwatch dump --jobs 1" "$nk dump --jobs 1 $work/input.mrt" < <(before "nkwatch dump" "\$nk dump $work/input.mrt")
with_before ingest -n zcat "zcat $work/input.mrt.gz" -n "pigz -dc" "pigz -dc $work/input.mrt.gz" \
    -n "ingest .gz" "$nk ingest --quiet --store $work/s.sqlite $work/input.mrt.gz" \
    -n bzcat "bzcat $work/input.mrt.bz2" -n "lbzip2 -dc" "lbzip2 -dc $work/input.mrt.bz2" \
    -n "ingest .bz2" "$nk ingest --quiet --store $work/s.sqlite $work/input.mrt.bz2" \
    < <(isal_for "ingest .gz" "ingest --quiet --store $work/s.sqlite $work/input.mrt.gz"; \
        before "ingest .gz" "\$nk ingest --quiet --store $work/s.sqlite $work/input.mrt.gz"; \
        before "ingest .bz2" "\$nk ingest --quiet --store $work/s.sqlite $work/input.mrt.bz2")
one="taskset -c 0 \$nk ingest --quiet --jobs 1 --store $work/s.sqlite"
# each_core DIR: one one-core ingest of DIR pinned to each core, all at once.
each_core() { echo "bash -c 'for c in \$(seq 0 $(($(nproc) - 1))); do taskset -c \$c $nk ingest --quiet --jobs 1 --store $work/core\$c.sqlite $1 & done; wait'"; }
all="\$nk ingest --quiet --store $work/s.sqlite"
# The machine's own ceilings, in the same rounds: one zcat alone against
# two at once, and one one-core ingest of half of each input alone against
# one per core at once (independent processes, nothing shared but the
# machine). On a shared host two busy cores can each be slower than one.
with_before jobs -n "zcat, alone" "zcat $work/input.mrt.gz" \
    -n "zcat, two at once" "bash -c 'zcat $work/input.mrt.gz >/dev/null & zcat $work/input.mrt.gz >/dev/null; wait'" \
    -n "14 large files, 1 core" "${one//\$nk/$nk} $work/multi" \
    -n "14 large files, $(nproc) cores" "${all//\$nk/$nk} $work/multi" \
    -n "3449 small files, 1 core" "${one//\$nk/$nk} SampleData/kp-2014-12" \
    -n "3449 small files, $(nproc) cores" "${all//\$nk/$nk} SampleData/kp-2014-12" \
    -n "half of the 14 files, 1 core, alone" "taskset -c 0 $nk ingest --quiet --jobs 1 --store $work/core0.sqlite $work/half/multi" \
    -n "half of the 14 files, on each core at once" "$(each_core "$work/half/multi")" \
    -n "half of the sample, 1 core, alone" "taskset -c 0 $nk ingest --quiet --jobs 1 --store $work/core0.sqlite $work/half/sample" \
    -n "half of the sample, on each core at once" "$(each_core "$work/half/sample")" \
    < <(before "14 large files, 1 core" "$one $work/multi"; before "3449 small files, 1 core" "$one SampleData/kp-2014-12")

# Peak memory for 1x and 4x the input.
cat "$work/input.mrt" "$work/input.mrt" "$work/input.mrt" "$work/input.mrt" | gzip -1 > "$work/input4.mrt.gz"
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
echo "peak RSS, dump 1x: $(rss "$nk" dump "$work/input.mrt.gz") KB, 4x: $(rss "$nk" dump "$work/input4.mrt.gz") KB"
rm -f "$work"/r*.sqlite*
echo "peak RSS, ingest 1x: $(rss "$nk" ingest --quiet --store "$work/r1.sqlite" "$work/input.mrt.gz") KB, 4x: $(rss "$nk" ingest --quiet --store "$work/r4.sqlite" "$work/input4.mrt.gz") KB"

python3 - "$work" "$elements" "${bgpkit_elements:-0}" "$(nproc)" <<'PY'
import glob, json, statistics, sys
work = sys.argv[1]
elements, bgpkit_elements = int(sys.argv[2]), int(sys.argv[3])
cores = int(sys.argv[4])

def load(name):
    times = {}
    for path in sorted(glob.glob(f"{work}/{name}.round*.json")):
        for r in json.load(open(path))["results"]:
            times.setdefault(r["command"], []).append(r["times"][0])
    return {k: (statistics.median(v), min(v), max(v), len(v)) for k, v in times.items()}

def show(title, r):
    print(f"\n{title}")
    for k, (med, lo, hi, n) in r.items():
        print(f"  {k:28s} median {med:7.3f} s  (min {lo:.3f}, max {hi:.3f}, {n} runs)")

for name, base, fast in (("gz", "zcat", "pigz -dc"), ("bz2", "bzcat", "lbzip2 -dc")):
    r = load(name)
    show(f"dump, .{name}", r)
    print(f"  nkwatch dump is {r['bgpdump -m'][0] / r['nkwatch dump'][0]:.2f}x faster than bgpdump -m "
          f"({r['bgpdump -m'][0] / r['nkwatch dump --jobs 1'][0]:.2f}x with --jobs 1), "
          f"{r['nkwatch dump'][0] / r[base][0]:.2f}x the time of {base}, {r['nkwatch dump'][0] / r[fast][0]:.2f}x the time of {fast}")
    if "nkwatch dump (ISAL)" in r:
        print(f"  with the ISAL trait: {r['bgpdump -m'][0] / r['nkwatch dump (ISAL)'][0]:.2f}x faster than bgpdump -m, "
              f"{r['nkwatch dump (ISAL)'][0] / r[fast][0]:.2f}x the time of {fast}")
    if "bgpkit-parser" in r:
        print(f"  nkwatch dump is {r['bgpkit-parser'][0] / r['nkwatch dump'][0]:.2f}x faster than bgpkit-parser")
        # Elements per second, each tool counting its own elements (bgpkit's
        # through its Python binding: the rate includes the Python loop).
        print(f"  elements per second: nkwatch dump {elements / r['nkwatch dump'][0] / 1e6:.2f} M/s "
              f"({elements / r['nkwatch dump --jobs 1'][0] / 1e6:.2f} M/s with --jobs 1), "
              f"bgpkit-parser {bgpkit_elements / r['bgpkit-parser'][0] / 1e6:.3f} M/s")
r = load("plain")
show("dump, uncompressed", r)
print(f"  nkwatch dump --jobs 1 / all cores: {r['nkwatch dump --jobs 1'][0] / r['nkwatch dump'][0]:.2f}x")
r = load("ingest")
show("ingest (default scope) against decompression alone", r)
print(f"  ingest .gz is {r['ingest .gz'][0] / r['zcat'][0]:.2f}x zcat, {r['ingest .gz'][0] / r['pigz -dc'][0]:.2f}x pigz -dc; "
      f"ingest .bz2 is {r['ingest .bz2'][0] / r['bzcat'][0]:.2f}x bzcat, {r['ingest .bz2'][0] / r['lbzip2 -dc'][0]:.2f}x lbzip2 -dc")
if "ingest .gz (ISAL)" in r:
    print(f"  with the ISAL trait, ingest .gz is {r['ingest .gz (ISAL)'][0] / r['pigz -dc'][0]:.2f}x pigz -dc")
r = load("jobs")
show("multi-file ingest: one core (taskset -c 0, --jobs 1) against all cores", r)
k = [x for x in r if "(before)" not in x and not x.startswith(("zcat", "half"))]
for a, half in ((0, "half of the 14 files"), (2, "half of the sample")):
    ceiling = cores * r[f"{half}, 1 core, alone"][0] / r[f"{half}, on each core at once"][0]
    speedup = r[k[a]][0] / r[k[a + 1]][0]
    print(f"  speed-up with all cores, {k[a].split(',')[0]}: {speedup:.2f}x; this work's ceiling here "
          f"({cores} one-core ingests of {half} at once, one per core, against one alone): {ceiling:.2f}x, so {speedup / ceiling:.0%} of it")
print(f"  the machine's ceiling, two zcat at once against one alone: {2 * r['zcat, alone'][0] / r['zcat, two at once'][0]:.2f}x")

# Before/after, when BEFORE was set: the older build's median over this one's.
for name in ("gz", "bz2", "plain", "ingest", "jobs"):
    r = load(name)
    for k, v in r.items():
        if k.endswith(" (before)") and k[:-9] in r:
            print(f"  {name}: {k[:-9]}: this build {r[k[:-9]][0]:.3f} s, before {v[0]:.3f} s ({v[0] / r[k[:-9]][0]:.2f}x)")
PY
