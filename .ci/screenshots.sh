#!/usr/bin/env bash
# Screenshots of the sample's HTML report for docs/: at 1400 px (a desktop)
# and at 420 px (a phone; Chromium's windows are at least 500 px wide, so the
# report is laid out in a 420 px iframe and the picture cut to it).
#   .ci/screenshots.sh [OUT-DIR]   (default docs/)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs}"
browser=$(command -v chromium || command -v chromium-browser)
work=$(mktemp -d)
swift build >/dev/null
.build/debug/nkwatch report --format html --out "$work/report.html" SampleData/kp-2014-12
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions --allow-file-access-from-files)
timeout 120 "$browser" "${flags[@]}" --window-size=1400,2600 --screenshot="$out/report-1400.png" "file://$work/report.html" >/dev/null 2>&1
cat > "$work/phone.html" <<HTML
<!DOCTYPE html><html><body style="margin:0"><iframe src="report.html" style="width:420px;height:3600px;border:0;display:block"></iframe></body></html>
HTML
timeout 120 "$browser" "${flags[@]}" --window-size=500,3600 --screenshot="$work/phone.png" "file://$work/phone.html" >/dev/null 2>&1
python3 - "$work/phone.png" "$out/report-420.png" 420 <<'PY'
import struct, sys, zlib
src, dst, keep = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(src, "rb").read()
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR": width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT": idat += body
    pos += 12 + n
bpp = 3 if ctype == 2 else 4
raw, stride, rows, prev, i = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp), 0
for _ in range(height):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line[:keep * bpp])); prev = line
def chunk(k, b): return struct.pack(">I", len(b)) + k + b + struct.pack(">I", zlib.crc32(k + b) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", keep, height, 8, ctype, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"".join(b"\0" + r for r in rows), 9)) + chunk(b"IEND", b"")
open(dst, "wb").write(png)
PY
echo "screenshots: $out/report-1400.png $out/report-420.png"
