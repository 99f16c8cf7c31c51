import Foundation
import MRT
import NKArchive
import NKModel

/// Generated archives laid out like the real ones, for two collectors:
/// route-views2 (bzip2, updates every 15 min, RIB at 16:00) and rrc00 (gzip,
/// updates every 5 min, bview at 16:00), 2014-12-22 16:00–17:00 UTC.
/// North Korea's four /24s are withdrawn by every peer at 16:15:30 and come
/// back at 16:40:10; background prefixes churn all along.
enum Fixture {
    static let t0: UInt32 = 1_419_264_000 // 2014-12-22T16:00:00Z
    static let kp = (176...179).map { Prefix("175.45.\($0).0/24")! }
    static let background = (0..<40).map { Prefix("10.\($0).0.0/16")! } + [Prefix("2001:db8::/32")!]
    static let kpPath = ASPath(segments: [ASPathSegment(type: .sequence, asns: [4837, 131279])])

    struct Collector {
        var name: String
        var routeviews: Bool
        var peers: [PeerEntry]
        var interval: UInt32 { routeviews ? 900 : 300 }
        var compression: Compression { routeviews ? .bzip2 : .gzip }
        var ext: String { routeviews ? "bz2" : "gz" }
        func dir(_ root: URL) -> URL {
            routeviews ? root.appendingPathComponent("\(name)/bgpdata/2014.12") : root.appendingPathComponent("\(name)/2014.12")
        }
    }

    static let collectors = [
        Collector(name: "route-views2", routeviews: true, peers: (1...3).map {
            PeerEntry(peerType: 2, bgpID: .v4(UInt32($0)), ip: .v4(0x0A00_0000 + UInt32($0)), asn: 3356 + UInt32($0)) }),
        Collector(name: "rrc00", routeviews: false, peers: (1...4).map {
            PeerEntry(peerType: 2, bgpID: .v4(UInt32($0)), ip: .v4(0xC100_0000 + UInt32($0)), asn: 1299 + UInt32($0)) }),
    ]

    static func name(_ t: UInt32) -> String {
        let s = Int64(t)
        let days = s / 86400
        let (y, m, d) = civil(days)
        let hh = (s % 86400) / 3600, mm = (s % 3600) / 60
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)\(two(m))\(two(d)).\(two(hh))\(two(mm))"
    }

    static func civil(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = z / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    struct Written {
        var paths: [String]
        /// In-scope events written (NK prefixes), per collector.
        var kpEvents: [String: Int]
        var elements: [String: Int]
    }

    /// Writes the archives under `root`; `skip` names update files left out.
    @discardableResult
    static func write(to root: URL, skip: Set<String> = []) throws -> Written {
        var out = Written(paths: [], kpEvents: [:], elements: [:])
        for c in collectors {
            let dir = c.dir(root)
            let ribDir = c.routeviews ? dir.appendingPathComponent("RIBS") : dir
            let updDir = c.routeviews ? dir.appendingPathComponent("UPDATES") : dir
            try FileManager.default.createDirectory(at: ribDir, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: updDir, withIntermediateDirectories: true)
            // RIB at 16:00.
            var w = MRTWriter()
            w.writePeerIndexTable(timestamp: t0, collectorBGPID: .v4(1), viewName: c.name, peers: c.peers)
            var seq: UInt32 = 0
            for p in background + kp {
                let entries = c.peers.indices.map { i in
                    MRTWriter.RIBEntryValue(peerIndex: UInt16(i), originatedTime: t0 - 3600, attributes: attrs(peer: c.peers[i], prefix: p))
                }
                w.writeRIB(timestamp: t0, sequence: seq, prefix: p, entries: entries)
                seq += 1
                out.elements[c.name, default: 0] += entries.count
                if kp.contains(p) { out.kpEvents[c.name, default: 0] += entries.count }
            }
            let ribName = (c.routeviews ? "rib." : "bview.") + name(t0) + "." + c.ext
            let ribURL = ribDir.appendingPathComponent(ribName)
            try Data(try Compressor.compress(w.take(), as: c.compression)).write(to: ribURL)
            out.paths.append(ribURL.path)
            // Updates, one file per interval.
            var t = t0
            while t < t0 + 3600 {
                let fname = "updates." + name(t) + "." + c.ext
                defer { t += c.interval }
                if skip.contains("\(c.name)/\(fname)") { continue }
                // Records in time order, as a collector writes them.
                enum Item { case churn(Int, Prefix), down(Int), up(Int), reset(Int, BGPState, BGPState) }
                var items: [(UInt32, Int, Item)] = []
                for (i, _) in c.peers.enumerated() {
                    // Background churn: one announcement per peer per minute.
                    var m: UInt32 = 0
                    while m < c.interval {
                        items.append((t + m + UInt32(i), i, .churn(i, background[Int((t + m) / 60 + UInt32(i)) % 40])))
                        m += 60
                    }
                    // NK withdrawn at 16:15:30, back at 16:40:10.
                    let down = t0 + 930, up = t0 + 2410
                    if down >= t && down < t + c.interval { items.append((down, i, .down(i))) }
                    if up >= t && up < t + c.interval { items.append((up, i, .up(i))) }
                }
                // A session reset of the first peer at 16:50.
                if t0 + 3000 >= t && t0 + 3000 < t + c.interval {
                    items.append((t0 + 3000, 0, .reset(0, 6, 1)))
                    items.append((t0 + 3060, 0, .reset(0, 1, 6)))
                }
                items.sort { ($0.0, $0.1) < ($1.0, $1.1) }
                for (time, _, item) in items {
                    func session(_ i: Int) -> MRTWriter.Session {
                        MRTWriter.Session(peerASN: c.peers[i].asn, localASN: 12654, peerIP: c.peers[i].ip, localIP: .v4(1))
                    }
                    switch item {
                    case .churn(let i, let p):
                        w.writeUpdate(MRTWriter.Time(time), session: session(i), attributes: attrs(peer: c.peers[i], prefix: p), announced: [NLRIEntry(prefix: p)])
                        out.elements[c.name, default: 0] += 1
                    case .down(let i):
                        w.writeUpdate(MRTWriter.Time(time), session: session(i), withdrawn: kp.map { NLRIEntry(prefix: $0) })
                        out.elements[c.name, default: 0] += 4
                        out.kpEvents[c.name, default: 0] += 4
                    case .up(let i):
                        w.writeUpdate(MRTWriter.Time(time), session: session(i), attributes: attrs(peer: c.peers[i], prefix: kp[0]), announced: kp.map { NLRIEntry(prefix: $0) })
                        out.elements[c.name, default: 0] += 4
                        out.kpEvents[c.name, default: 0] += 4
                    case .reset(let i, let old, let new):
                        w.writeStateChange(MRTWriter.Time(time), session: session(i), oldState: old, newState: new)
                        out.elements[c.name, default: 0] += 1
                    }
                }
                let url = updDir.appendingPathComponent(fname)
                try Data(try Compressor.compress(w.take(), as: c.compression)).write(to: url)
                out.paths.append(url.path)
            }
        }
        return out
    }

    static func attrs(peer: PeerEntry, prefix: Prefix) -> AttributeSet {
        var a = AttributeSet(origin: .igp, asPath: kp.contains(prefix) ? ASPath(segments: [ASPathSegment(type: .sequence, asns: [peer.asn] + kpPath.allASNs)])
                                                  : ASPath(segments: [ASPathSegment(type: .sequence, asns: [peer.asn, 64500])]),
                             nextHop: peer.ip)
        if !prefix.isIPv4 {
            a.nextHop = nil
            a.mpReach = MPReachNLRI(afi: .ipv6, safi: .unicast, nextHop: .v6(0x2001_0db8_0000_0000, 1), linkLocalNextHop: nil, nlri: [], abbreviated: true)
        }
        return a
    }

    static func tempDir(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nkwatch-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
