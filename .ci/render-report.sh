#!/usr/bin/env bash
# Renders the HTML report of the North Korea sample in headless Chromium and
# checks that the page really rendered: a non-blank screenshot with the
# heat map's colours, and the three charts present in the DOM.
#   .ci/render-report.sh [PNG-OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "render-report: chromium is not installed (apt-get install chromium); skipped"
    exit 0
fi
work=$(mktemp -d)
png="${1:-$work/report.png}"
swift build >/dev/null
.build/debug/nkwatch report --format html --out "$work/report.html" SampleData/kp-2014-12
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions --allow-file-access-from-files)
timeout 120 "$browser" "${flags[@]}" --window-size=1400,2000 --screenshot="$png" "file://$work/report.html" >/dev/null 2>&1
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/report.html" > "$work/dom.html" 2>/dev/null
python3 - "$png" "$work/dom.html" <<'PY'
import re, struct, sys, zlib
png, dom = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
data = open(png, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width, height = 8, b"", 0, 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), "unexpected PNG format"
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = width * bpp
rows, prev, i = [], bytearray(stride), 0
for _ in range(height):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line)); prev = line
nonwhite = red = green = 0
for r in rows[::2]:
    for x in range(0, stride, bpp * 2):
        R, G, B = r[x], r[x + 1], r[x + 2]
        if R < 240 or G < 240 or B < 240: nonwhite += 1
        if R > 170 and G < 80 and B < 80: red += 1
        if G > 100 and R < 80 and B < 80: green += 1
total = (height // 2) * (width // 2)
print(f"render-report: {width}x{height} screenshot, {100 * nonwhite / total:.1f} % non-white, {red} red and {green} green samples")
assert nonwhite > total * 0.02, "the page looks blank"
assert red > 50 and green > 50, "the heat map's colours are missing"
for chart in ("heatmap", "routed", "churn", "score"):
    for layout in ("wide", "narrow"):
        assert f'id="{chart}-{layout}"' in dom, f"chart {chart} ({layout}) missing from the DOM"
rects = len(re.findall(r"<rect ", dom))
assert rects >= 4, "the heat map has no cells"
assert "hard_outage" in dom, "the episode table is missing"
print(f"render-report: heat map ({rects} cells), routed, churn and score charts present, wide and narrow: ok")
PY
echo "render-report: $png"
