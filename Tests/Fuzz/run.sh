#!/usr/bin/env bash
# Builds the libFuzzer targets with -sanitize=fuzzer,address and runs each
# for SECONDS (default 60). Seeds come from the project's MRT writer
# (SampleData/mrt, SampleData/kp-2014-12). Crashes land in
# .build-fuzz/<target>/crashes; turn each into a regression test.
#   Tests/Fuzz/run.sh [SECONDS] [TARGET...]
# FUZZ_NO_BUILD=1 reuses the binaries of an earlier run (to run targets in parallel).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"; shift || true
targets=("${@:-mrt-records bgp-update decompress bzip2-block}")
read -r -a targets <<< "${targets[*]}"
out=.build-fuzz
mkdir -p "$out/lib" "$out/bin"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6)

if [ -z "${FUZZ_NO_BUILD:-}" ]; then
echo "== building the MRT, NKModel and NKArchive modules with the fuzzer and address sanitizers"
swiftc "${flags[@]}" -emit-library -static -emit-module -module-name MRT \
    -emit-module-path "$out/lib/MRT.swiftmodule" -o "$out/lib/libMRT.a" $(find Sources/MRT -name '*.swift')
swiftc "${flags[@]}" -emit-library -static -emit-module -module-name NKModel -I "$out/lib" \
    -emit-module-path "$out/lib/NKModel.swiftmodule" -o "$out/lib/libNKModel.a" $(find Sources/NKModel -name '*.swift')
# The C target CFastCRC (gzip's CRC-32), as SwiftPM builds it: the library and a module map.
mkdir -p "$out/cfastcrc"
"$(dirname "$(command -v swiftc)")/clang" -O2 -g -fsanitize=fuzzer-no-link,address -I Sources/CFastCRC/include \
    -c Sources/CFastCRC/crc32.c -o "$out/lib/crc32.o"
ar rcs "$out/lib/libCFastCRC.a" "$out/lib/crc32.o"
printf 'module CFastCRC {\n    header "%s"\n    export *\n}\n' "$PWD/Sources/CFastCRC/include/nk_crc32.h" > "$out/cfastcrc/module.modulemap"
# The C target CFastBzip2 (the bzip2 block decoder), the same way.
mkdir -p "$out/cfastbzip2"
"$(dirname "$(command -v swiftc)")/clang" -O2 -g -fsanitize=fuzzer-no-link,address -I Sources/CFastBzip2/include \
    -c Sources/CFastBzip2/bzblock.c -o "$out/lib/bzblock.o"
ar rcs "$out/lib/libCFastBzip2.a" "$out/lib/bzblock.o"
printf 'module CFastBzip2 {\n    header "%s"\n    export *\n}\n' "$PWD/Sources/CFastBzip2/include/nk_bzblock.h" > "$out/cfastbzip2/module.modulemap"
swiftc "${flags[@]}" -emit-library -static -emit-module -module-name NKArchive -I "$out/lib" \
    -I Sources/CZlib -I Sources/CBZip2 -I Sources/CCrypto -I "$out/cfastcrc" -I "$out/cfastbzip2" -emit-module-path "$out/lib/NKArchive.swiftmodule" \
    -o "$out/lib/libNKArchive.a" $(find Sources/NKArchive -name '*.swift')

build() { # name source
    swiftc "${flags[@]}" -I "$out/lib" -I Sources/CZlib -I Sources/CBZip2 -I Sources/CCrypto -I "$out/cfastcrc" -I "$out/cfastbzip2" "Tests/Fuzz/$2" \
        -L "$out/lib" -lNKArchive -lNKModel -lMRT -lCFastCRC -lCFastBzip2 -lz -lbz2 -lcrypto -o "$out/bin/$1" 2>&1 | grep -v "Cannot export local symbol" || true
    test -x "$out/bin/$1"
}
build mrt-records FuzzMRTRecords.swift
build bgp-update FuzzBGPUpdate.swift
build decompress FuzzDecompress.swift
# The bzip2 block decoder (C) against libbz2.
"$(dirname "$(command -v swiftc)")/clang" -O2 -g -fsanitize=fuzzer,address -I Sources/CFastBzip2/include \
    Tests/Fuzz/fuzz_bzblock.c Sources/CFastBzip2/bzblock.c -lbz2 -o "$out/bin/bzip2-block"
fi

echo "== seeds from the MRT writer"
for t in mrt-records bgp-update decompress bzip2-block; do mkdir -p "$out/$t/corpus" "$out/$t/crashes"; done
for f in SampleData/mrt/*; do
    cp "$f" "$out/decompress/corpus/"
    case "$f" in *.gz) zcat "$f" ;; *.bz2) bzcat "$f" ;; esac > "$out/mrt-records/corpus/$(basename "$f").mrt"
done
ls SampleData/kp-2014-12/rrc00/2014.12/updates.20141222.16*.gz | head -4 | while read -r f; do
    cp "$f" "$out/decompress/corpus/"; zcat "$f" > "$out/mrt-records/corpus/$(basename "$f").mrt"
done
# bzip2 blocks cut out of the bzip2 seeds (and of the sample data compressed
# at every block size), shifted to a byte boundary: byte 0 gives the bits of
# the last byte that are not the block's.
python3 - "$out/bzip2-block/corpus" SampleData/mrt/*.bz2 <<'PY'
import bz2, glob, os, sys
dst = sys.argv[1]
blobs = [open(f, "rb").read() for f in sys.argv[2:]]
raw = b"".join(bz2.decompress(b) for b in blobs)
blobs += [bz2.compress(raw[:k], 9) for k in (1, 7, 5000, len(raw))] + [bz2.compress(bytes(300000) + raw, 9)]
# Blocks above 16 384 bytes, where the transform is walked in several chains:
# low-entropy noise, and a repetition (a block of many cycles).
x, noise = 1, bytearray()
for _ in range(120000):
    x = (x * 1103515245 + 12345) & 0x7FFFFFFF
    noise.append((x >> 16) & 15)
blobs += [bz2.compress(bytes(noise), 9), bz2.compress((raw[:997] * 300)[:299000], 9)]
n = 0
for data in blobs:
    bits = "".join(f"{b:08b}" for b in data)
    marks = [i for i in range(len(bits) - 47) if bits[i:i + 48] in ("001100010100000101011001001001100101001101011001", "000101110111001001000101001110000101000010010000")]
    for a, b in zip(marks, marks[1:]):
        piece = bits[a:b]
        if not piece.startswith("0011000101"): continue
        pad = (8 - len(piece) % 8) % 8
        body = int(piece + "0" * pad, 2).to_bytes((len(piece) + pad) // 8, "big")
        open(os.path.join(dst, f"block-{n}"), "wb").write(bytes([pad]) + body); n += 1
print(f"{n} bzip2 block seeds")
PY
# UPDATE bodies cut out of the BGP4MP records of the seeds.
python3 - "$out/mrt-records/corpus" "$out/bgp-update/corpus" <<'PY'
import os, struct, sys
src, dst = sys.argv[1], sys.argv[2]
n = 0
for name in sorted(os.listdir(src)):
    if not name.endswith(".mrt"): continue
    data = open(os.path.join(src, name), "rb").read()
    p = 0
    while p + 12 <= len(data):
        t, typ, sub, length = struct.unpack(">IHHI", data[p:p + 12])
        body = data[p + 12:p + 12 + length]
        if typ == 17: body = body[4:]
        p += 12 + length
        if typ in (16, 17) and sub in (1, 4, 6, 7, 8, 9, 10, 11) and len(body) > 2 * 4 + 4:
            asn = 4 if sub in (4, 7, 9, 11) else 2
            afi = struct.unpack(">H", body[2 * asn + 2:2 * asn + 4])[0]
            off = 2 * asn + 4 + (8 if afi == 1 else 32)
            msg = body[off:]
            if len(msg) > 19 and msg[18] == 2:
                open(os.path.join(dst, f"update-{n}"), "wb").write(msg[19:]); n += 1
print(f"{n} UPDATE seeds")
PY

status=0
for t in "${targets[@]}"; do
    echo "== fuzzing $t for $seconds s"
    ( cd "$out/$t" && "../bin/$t" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix=crashes/ -print_final_stats=1 corpus ) 2>&1 | tee "$out/$t.log" | grep -E "DONE|INITED|stat::|ERROR|SUMMARY" || true
    if ls "$out/$t/crashes/"* >/dev/null 2>&1; then echo "!! $t: crashes in $out/$t/crashes"; status=1; fi
done
exit $status
