#!/usr/bin/env bash
# Peak memory of ingest and classify against the number of in-scope events in
# one file: 1x, 4x and 16x of BASE events (default 250 000): 20 peers announce
# North Korea's four /24s over and over with changing AS paths (churn), and
# withdraw them all for ten outages, after a RIB dump. The work the analysis
# must keep (outages, visibility changes) is the same at every size; only the
# number of events grows.
#   Benchmarks/memory.sh [BASE]
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:-250000}"
work="${TMPDIR:-/tmp}/nkwatch-memory"
rm -rf "$work"; mkdir -p "$work"
swift build -c release >/dev/null
nk="$PWD/.build/release/nkwatch"
gen() { # n dir
python3 - "$1" "$2" <<'PY'
import gzip, os, struct, sys
n, d = int(sys.argv[1]), sys.argv[2]
os.makedirs(f"{d}/rrc00/2014.12", exist_ok=True)
t0 = 1419206400
kp = [bytes([175, 45, 176 + i]) for i in range(4)]
def rec(t, typ, sub, body): return struct.pack(">IHHI", t, typ, sub, len(body)) + body
def attrs(asn, via=4837):
    path = struct.pack(">BB", 2, 3) + struct.pack(">III", asn, via, 131279)
    return (bytes([0x40, 1, 1, 0]) + bytes([0x40, 2, len(path)]) + path +
            bytes([0x40, 3, 4]) + struct.pack(">I", 0x0A000000 + asn - 3299))
peers = [3300 + i for i in range(20)]
# RIB dump: PEER_INDEX_TABLE, then one RIB_IPV4_UNICAST record per /24.
pit = struct.pack(">IH", 1, 0) + struct.pack(">H", 20)
for i, asn in enumerate(peers): pit += bytes([2]) + struct.pack(">II", i + 1, 0x0A000001 + i) + struct.pack(">I", asn)
rib = rec(t0, 13, 1, pit)
for s, p in enumerate(kp):
    body = struct.pack(">I", s) + bytes([24]) + p + struct.pack(">H", 20)
    for i, asn in enumerate(peers):
        a = attrs(asn)
        body += struct.pack(">HIH", i, t0, len(a)) + a
    rib += rec(t0, 13, 2, body)
open(f"{d}/rrc00/2014.12/bview.20141222.0000.gz", "wb").write(gzip.compress(rib, 6))
out = gzip.open(f"{d}/rrc00/2014.12/updates.20141222.0000.gz", "wb", 6)
for i in range(n):
    asn = peers[i % 20]; p = kp[(i // 20) % 4]; t = t0 + i * 86000 // n
    peer = struct.pack(">IIHH", asn, 12654, 0, 1) + struct.pack(">II", 0x0A000000 + asn - 3299, 1)
    # Ten outages: the events of 200 out of every n // 10 withdraw.
    if (i % (n // 10)) < 200 and (i % (n // 10)) >= 100: upd = struct.pack(">H", 4) + bytes([24]) + p + struct.pack(">H", 0)
    else:
        a = attrs(asn, 4837 if (i // 20) % 2 else 9929); upd = struct.pack(">H", 0) + struct.pack(">H", len(a)) + a + bytes([24]) + p
    msg = b"\xff" * 16 + struct.pack(">HB", 19 + len(upd), 2) + upd
    out.write(rec(t, 16, 4, peer + msg))
out.close()
PY
}
rss() { /usr/bin/time -f "%M %e" "$@" 2>&1 >/dev/null | tail -1; }
echo "events  ingest peak RSS (KB) and s   classify peak RSS (KB) and s   store size"
for m in 1 4 16; do
    n=$((base * m)); d="$work/x$m"
    gen "$n" "$d"
    i=$(rss "$nk" ingest --quiet --jobs 1 --store "$d/s.sqlite" "$d/rrc00")
    c=$(rss "$nk" classify --format json --store "$d/s.sqlite")
    echo "$n  $i  $c  $(stat -c %s "$d/s.sqlite")"
done
