#!/usr/bin/env bash
# Every file of the generated sample is read by Debian's bgpdump without an
# error, and bgpdump's line count equals nkwatch's element count, file by file.
#   .ci/check-sample-bgpdump.sh [SAMPLE-DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-SampleData/kp-2014-12}"
if ! command -v bgpdump >/dev/null; then echo "check-sample-bgpdump: bgpdump is not installed; skipped"; exit 0; fi
work=$(mktemp -d)
swift build >/dev/null
.build/debug/nkwatch ingest --quiet --store "$work/s.sqlite" "$dir"
sqlite3 -separator ' ' "$work/s.sqlite" 'select path, elements from files' | sort > "$work/ours"
passed=0; failed=0
while read -r path n; do
    theirs=$(bgpdump -m -v "$path" 2>"$work/err" | wc -l)
    if grep -qi "error" "$work/err"; then
        echo "bgpdump reported an error on $path:"; cat "$work/err"; failed=$((failed + 1)); continue
    fi
    if [ "$theirs" != "$n" ]; then
        echo "$path: bgpdump $theirs lines, nkwatch $n elements"; failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done < "$work/ours"
echo "check-sample-bgpdump: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
