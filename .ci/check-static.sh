#!/usr/bin/env bash
# The README's optional self-contained build (`--static-swift-stdlib`: the
# Swift runtime and Foundation linked in) gives the same output as the
# default build: the timeline and the classification of the sample, `dump`
# of every sample file, and `dump` of a file fetched over HTTP on loopback
# (libcurl, loaded at run time). Run from the repository root.
set -euo pipefail
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
swift build -c release >/dev/null
cp .build/release/nkwatch "$work/dynamic"
# A scratch folder of its own: -static-stdlib is also a compile flag (the
# objects name the static libraries to link), so building it where the
# default build lives would leave objects that only link statically.
swift build -c release --static-swift-stdlib --product nkwatch --scratch-path .build/static >/dev/null
cp .build/static/release/nkwatch "$work/static"
if ldd "$work/static" | grep -q libswiftCore; then
    echo "the --static-swift-stdlib build still links libswiftCore.so" >&2
    exit 1
fi

mkdir -p "$work/www"
cp SampleData/mrt/*.gz "$work/www/"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null 2>&1 && break; sleep 0.1; done

run() { # name binary
    local out="$work/$1"
    mkdir -p "$out"
    "$2" timeline SampleData/kp-2014-12 > "$out/timeline.txt"
    "$2" ingest --quiet --store "$out/s.sqlite" SampleData/kp-2014-12
    "$2" classify --store "$out/s.sqlite" > "$out/classify.txt"
    for f in SampleData/mrt/*; do "$2" dump "$f" >> "$out/dump.txt" 2>&1 || true; done
    local url="http://127.0.0.1:$port/$(ls "$work/www" | head -1)"
    (cd "$out" && "$2" dump --cache "$out/cache" "$url" > "$out/fetched.txt")
}
run a "$work/dynamic"
run b "$work/static"
for f in timeline.txt classify.txt dump.txt fetched.txt; do
    if ! cmp -s "$work/a/$f" "$work/b/$f"; then
        echo "the --static-swift-stdlib build differs from the default build in $f:" >&2
        diff "$work/a/$f" "$work/b/$f" | head -20 >&2
        exit 1
    fi
done
[ -s "$work/a/fetched.txt" ] || { echo "nothing fetched" >&2; exit 1; }
echo "static build: same timeline, classification, dumps and fetched dump as the default build ($(wc -l < "$work/a/dump.txt") dump lines)"
