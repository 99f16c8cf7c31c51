#!/usr/bin/env bash
# One pass for 1, 10 and 50 countries (docs/performance.md, "Many scopes in
# one pass"): a simulated day of 50 countries of 16 /24s, five of them down
# 2 h 30 min, with one RIPE-format delegation file; ingest time, memory,
# events and store size for each count, ten separate passes against one, and
# report --all-scopes over the 50.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${TMPDIR:-/tmp}/nkwatch-scopes"
rm -rf "$work"; mkdir -p "$work"
swift build -c release >/dev/null
nk="$PWD/.build/release/nkwatch"
python3 - "$work" <<'PY'
import json, string, sys
w = sys.argv[1]
codes = [a + b for a in "ABCDEFG" for b in string.ascii_uppercase][:50]
groups, deleg = [], ["2|ripencc|20150301|150|19830705|20150301|+0100"]
for i, cc in enumerate(codes):
    first = "10.%d.0.0" % (64 + i)
    groups.append({"first": first, "count": 16, "length": 24, "origin_asn": 64700 + i, "upstream": [3356 if i % 2 else 1299]})
    deleg.append("ripencc|%s|ipv4|%s|4096|20100101|allocated|x%d" % (cc, first, i))
    deleg.append("ripencc|%s|asn|%d|1|20100101|allocated|x%d" % (cc, 64700 + i, i))
events = [{"type": "outage", "start": "2015-03-01T%02d:00:00Z" % (2 + i), "end": "2015-03-01T%02d:30:00Z" % (4 + i), "groups": [i * 7]} for i in range(5)]
s = {"name": "scale-50", "description": "Simulated: 50 countries of 16 /24s each, five of them down 2 h 30 min.",
     "start": "2015-03-01T00:00:00Z", "end": "2015-03-02T00:00:00Z", "seed": 5,
     "collectors": [{"name": "route-views2", "style": "routeviews", "peer_count": 20, "partial_peers": 2},
                    {"name": "rrc00", "style": "ris", "peer_count": 20, "partial_peers": 2}],
     "targets": {"groups": groups}, "background": {"prefixes": 2000, "partial_share": 0.05, "churn_per_peer_per_hour": 6}, "events": events}
json.dump(s, open(w + "/scale-50.json", "w"), indent=1)
open(w + "/delegated-ripencc-extended", "w").write("\n".join(deleg) + "\n")
open(w + "/codes.txt", "w").write("\n".join(codes) + "\n")
PY
cd "$work"
"$nk" simulate scale-50.json --out archive
D=(--delegations delegated-ripencc-extended)
for n in 1 10 50; do
    C=(); for cc in $(head -"$n" codes.txt); do C+=(--country "$cc"); done
    /usr/bin/time -f "$n countries in one pass: %e s, peak %M KB" "$nk" ingest --quiet --store "s$n.sqlite" "${C[@]}" "${D[@]}" archive
    echo "  $(sqlite3 "s$n.sqlite" 'select count(*) from events') events, $(stat -c %s "s$n.sqlite") bytes"
done
start=$(date +%s.%N)
for cc in $(head -10 codes.txt); do "$nk" ingest --quiet --store "one-$cc.sqlite" --country "$cc" "${D[@]}" archive; done
echo "10 countries in 10 passes: $(python3 -c "import time; print(round(time.time() - $start, 2))") s"
/usr/bin/time -f "report --all-scopes, 50 scopes: %e s" "$nk" report --all-scopes --out-dir reports --format html --store s50.sqlite
