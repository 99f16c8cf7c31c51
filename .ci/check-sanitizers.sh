#!/usr/bin/env bash
# nkwatch built with AddressSanitizer and with ThreadSanitizer, run on the
# paths where threads meet: ingest of the sample into a new store and into an
# existing one (decoding threads, the writer, the store opened on a thread of
# its own, the early first read), two ingests creating the same store at
# once, an origin-ASN scope that learns prefixes, the parallel dump of .gz
# and .bz2 (bzip2 blocks on every core), classify, timeline and report. Any
# report from either sanitizer fails the check (docs/robustness.md).
#
# Found this way: a data race on the CRC-32 table (two threads making it at
# once) and a read past the end of readdir's buffer in the directory walk.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sample=SampleData/kp-2014-12
mapfile -t updates < <(find "$sample" -name 'updates.*' | sort | head -24)
first=("${updates[@]:0:14}")
second=("${updates[@]:10:14}")
bz2=$(find SampleData -name '*.bz2' | sort | awk 'NR == 1')
gz=$(find "$sample" -name 'bview.*' | sort | awk 'NR == 1')

failed=0
for sanitizer in address thread; do
    build="${TMPDIR:-/tmp}/nkwatch-$sanitizer-build"
    echo "-- building with --sanitize=$sanitizer"
    swift build --product nkwatch --sanitize="$sanitizer" --build-path "$build" 2>&1 | grep -E "error|warning: unre|Compiling|Build" | grep -v Compiling || true
    bin="$build/debug/nkwatch"
    logs="$work/$sanitizer"
    mkdir -p "$logs"
    # Reports go to files (one per process), so that the commands' own
    # output stays as it is; exit codes are the commands' own.
    export ASAN_OPTIONS="detect_leaks=0:log_path=$logs/report"
    export TSAN_OPTIONS="exitcode=0:log_path=$logs/report"
    run() {
        local status=0
        "$bin" "$@" > "$logs/out" 2>&1 || status=$?
        if [ "$status" -ne 0 ]; then
            echo "   nkwatch $1 exited $status:"; tail -5 "$logs/out"; failed=1
        fi
    }
    store="$work/$sanitizer.sqlite"
    run ingest --quiet --store "$store" "$sample"
    run ingest --quiet --store "$store" "$sample"
    run classify --store "$store"
    run timeline --store "$store"
    run report --store "$store" --format html --out "$work/$sanitizer.html"
    run ingest --quiet --origin-asn 131279 --origin-asn 4837 --store "$work/$sanitizer-asn.sqlite" "$sample"
    run dump "$gz"
    run dump "$bz2"
    for i in 1 2 3 4 5; do
        race="$work/$sanitizer-race$i.sqlite"
        "$bin" ingest --quiet --store "$race" "${first[@]}" > "$logs/race-a" 2>&1 & a=$!
        "$bin" ingest --quiet --store "$race" "${second[@]}" > "$logs/race-b" 2>&1 || { echo "   concurrent ingest $i (second) failed"; failed=1; }
        wait "$a" || { echo "   concurrent ingest $i (first) failed"; failed=1; }
    done
    if compgen -G "$logs/report*" > /dev/null; then
        echo "   $sanitizer sanitizer reports:"
        cat "$logs"/report* | head -80
        failed=1
    else
        echo "   no $sanitizer sanitizer report"
    fi
done
exit "$failed"
