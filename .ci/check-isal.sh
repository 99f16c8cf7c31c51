#!/usr/bin/env bash
# The ISAL package trait (gzip through ISA-L's igzip instead of zlib) gives the
# same output as the default build: `nkwatch dump` of every gzip file of the
# corpus and the sample, of concatenated members with trailing garbage, of a
# cut file, and of single-bit damage at 24 places, stdout and stderr byte for
# byte. Needs libisal-dev; run from the repository root.
set -euo pipefail
swift build -c release >/dev/null
swift build -c release --traits ISAL --scratch-path .build/isal >/dev/null
zlib=.build/release/nkwatch
isal=.build/isal/release/nkwatch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

inputs=(SampleData/mrt/*.gz)
if [ -d ../shared/corpus/ris ]; then inputs+=(../shared/corpus/ris/*.gz); fi
base="${inputs[0]}"
for f in "${inputs[@]}"; do
    [ "$(stat -c %s "$f")" -gt "$(stat -c %s "$base")" ] && base="$f"
done
cat "${inputs[@]:0:3}" > "$work/members.gz"
printf 'trailing garbage' >> "$work/members.gz"
head -c $(( $(stat -c %s "$base") / 2 )) "$base" > "$work/cut.gz"
python3 - "$base" "$work" <<'PY'
import random, sys
data = open(sys.argv[1], 'rb').read()
random.seed(13)
for k in range(24):
    d = bytearray(data)
    # 20 places in the deflate data, 4 in the trailer (CRC-32 and length).
    pos = random.randrange(12, len(d) - 8) if k < 20 else len(d) - 8 + 2 * (k - 20)
    d[pos] ^= 1 << random.randrange(8)
    open(f"{sys.argv[2]}/damaged{k}.gz", 'wb').write(d)
PY
n=0
for f in "${inputs[@]}" "$work"/*.gz; do
    "$zlib" dump "$f" > "$work/z.out" 2> "$work/z.err" || true
    "$isal" dump "$f" > "$work/i.out" 2> "$work/i.err" || true
    if ! cmp -s "$work/z.out" "$work/i.out" || ! cmp -s "$work/z.err" "$work/i.err"; then
        echo "ISAL build differs from the zlib build on $f:" >&2
        diff "$work/z.err" "$work/i.err" >&2 || true
        exit 1
    fi
    n=$((n + 1))
done
echo "ISAL and zlib builds: the same output on $n gzip inputs"
