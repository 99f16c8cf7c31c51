import Foundation
import MRT
import NKAnalysis
import NKArchive

/// A scenario for `nkwatch simulate` (docs/simulate.md): collectors, peers,
/// a background table, target prefixes with their paths, and events.
public struct Scenario: Codable, Sendable {
    public struct Peer: Codable, Sendable {
        public var asn: UInt32
        public var ip: String
        /// "full" or "partial".
        public var feed: String
        /// Transit AS between the peer and the target's upstream.
        public var transit: UInt32?
    }
    public struct Collector: Codable, Sendable {
        public var name: String
        /// "routeviews" (bzip2, updates every 15 min, RIBs every 2 h) or "ris" (gzip, 5 min, bviews every 8 h).
        public var style: String
        public var peers: [Peer]
    }
    public struct Targets: Codable, Sendable {
        public var prefixes: [String]
        public var originASN: UInt32
        /// ASNs between the transit and the origin, e.g. [4837] (China Unicom).
        public var upstream: [UInt32]
        enum CodingKeys: String, CodingKey { case prefixes, originASN = "origin_asn", upstream }
    }
    public struct Background: Codable, Sendable {
        /// IPv4 prefixes every full-feed peer carries.
        public var prefixes: Int
        /// Share of them a partial-feed peer carries.
        public var partialShare: Double
        /// Announcements per peer per hour (ordinary churn).
        public var churnPerPeerPerHour: Double
        enum CodingKeys: String, CodingKey { case prefixes, partialShare = "partial_share", churnPerPeerPerHour = "churn_per_peer_per_hour" }
    }
    public struct Event: Codable, Sendable {
        /// "outage", "flaps", "session_reset", "path_change", "missing_file".
        public var type: String
        public var start: String?
        public var end: String?
        /// Target block indices (default: all).
        public var blocks: [Int]?
        /// Share of full-feed peers affected (default 1), chosen deterministically.
        public var peerShare: Double?
        /// "collector/index" peers; default: all (or `peerShare` of them).
        public var peers: [String]?
        /// flaps: a list of [offset minutes, duration minutes, blocks?] after `start`.
        public var pattern: [[Int]]?
        public var collector: String?
        /// missing_file: the file's time.
        public var fileTime: String?
        public var note: String?
        enum CodingKeys: String, CodingKey {
            case type, start, end, blocks, peerShare = "peer_share", peers, pattern, collector, fileTime = "file_time", note
        }
    }

    public var name: String
    public var description: String?
    public var start: String
    public var end: String
    public var seed: UInt64?
    public var collectors: [Collector]
    public var targets: Targets
    public var background: Background
    public var events: [Event]
}

/// Writes archives laid out like RouteViews and RIS from a scenario, through
/// the MRT writer. The same scenario and seed give byte-identical files.
public struct Simulator {
    public struct Error: Swift.Error, CustomStringConvertible { public var description: String }

    let scenario: Scenario
    let seed: UInt64
    let start: Int64, end: Int64
    let blocks: [Prefix]
    let background: [Prefix]

    public init(scenario: Scenario, seed: UInt64? = nil) throws {
        self.scenario = scenario
        self.seed = seed ?? scenario.seed ?? 1
        guard let s = UTCTime.parse(scenario.start), let e = UTCTime.parse(scenario.end), e > s else {
            throw Error(description: "scenario start/end are not times, or end is not after start")
        }
        start = s
        end = e
        blocks = try scenario.targets.prefixes.map { p in
            guard let x = Prefix(p) else { throw Error(description: "target '\(p)' is not a prefix") }
            return x
        }
        guard scenario.background.prefixes <= 60_000 else { throw Error(description: "background.prefixes above 60000") }
        background = (0..<scenario.background.prefixes).map { i in
            Prefix(address: .v4(0x0B00_0000 &+ UInt32(i) << 8), length: 24)!
        }
        for c in scenario.collectors where c.style != "routeviews" && c.style != "ris" {
            throw Error(description: "collector \(c.name): style must be routeviews or ris")
        }
    }

    struct Down { var start: Int64; var end: Int64; var blocks: Set<Int>; var peers: Set<String> }
    struct Reset { var peer: String; var start: Int64; var end: Int64 }

    func key(_ c: Int, _ p: Int) -> String { "\(scenario.collectors[c].name)/\(p)" }

    /// Deterministic choice of `share` of the full-feed peers.
    func chosenPeers(_ e: Scenario.Event, salt: Int) -> Set<String> {
        if let list = e.peers { return Set(list) }
        var all: [String] = []
        for (ci, c) in scenario.collectors.enumerated() {
            for (pi, p) in c.peers.enumerated() where p.feed == "full" { all.append(key(ci, pi)) }
        }
        let share = e.peerShare ?? 1
        if share >= 1 { return Set(all) }
        var rng = SplitMix64(seed: seed &+ UInt64(salt) &* 7919)
        return Set(all.shuffled(using: &rng).prefix(Int((Double(all.count) * share).rounded())))
    }

    func plan() throws -> (downs: [Down], resets: [Reset], pathChanges: [(Int64, Int64)], missing: Set<String>) {
        var downs: [Down] = [], resets: [Reset] = [], changes: [(Int64, Int64)] = []
        var missing = Set<String>()
        for (i, e) in scenario.events.enumerated() {
            let s = e.start.flatMap(UTCTime.parse), en = e.end.flatMap(UTCTime.parse)
            let bl = Set(e.blocks ?? Array(blocks.indices))
            switch e.type {
            case "outage":
                guard let s, let en, en > s else { throw Error(description: "event \(i + 1): outage needs start < end") }
                downs.append(Down(start: s, end: en, blocks: bl, peers: chosenPeers(e, salt: i)))
            case "flaps":
                guard let s, let pattern = e.pattern else { throw Error(description: "event \(i + 1): flaps needs start and pattern") }
                for (k, step) in pattern.enumerated() where step.count >= 2 {
                    let b = step.count > 2 ? Set(step[2...].filter { $0 >= 0 && $0 < blocks.count }) : bl
                    downs.append(Down(start: s + Int64(step[0]) * 60, end: s + Int64(step[0] + step[1]) * 60, blocks: b, peers: chosenPeers(e, salt: i * 1000 + k)))
                }
            case "session_reset":
                guard let s, let en, let peers = e.peers else { throw Error(description: "event \(i + 1): session_reset needs start, end, peers") }
                for p in peers { resets.append(Reset(peer: p, start: s, end: en)) }
            case "path_change":
                guard let s, let en else { throw Error(description: "event \(i + 1): path_change needs start and end") }
                changes.append((s, en))
            case "missing_file":
                guard let c = e.collector, let t = e.fileTime.flatMap(UTCTime.parse) else { throw Error(description: "event \(i + 1): missing_file needs collector and file_time") }
                missing.insert("\(c)@\(t)")
            default:
                throw Error(description: "event \(i + 1): unknown type '\(e.type)'")
            }
        }
        return (downs, resets, changes, missing)
    }

    /// Writes every archive under `dir`; returns the paths written.
    @discardableResult
    public func write(to root: URL) throws -> [String] {
        let (downs, resets, changes, missing) = try plan()
        var written: [String] = []
        for (ci, c) in scenario.collectors.enumerated() {
            let rv = c.style == "routeviews"
            let updateInterval: Int64 = rv ? 900 : 300
            let ribInterval: Int64 = rv ? 7200 : 28800
            let compression: Compression = rv ? .bzip2 : .gzip
            let ext = rv ? "bz2" : "gz"
            let peers = c.peers.enumerated().map { pi, p in
                PeerEntry(peerType: 2, bgpID: IPAddress(p.ip) ?? .v4(UInt32(pi + 1)), ip: IPAddress(p.ip) ?? .v4(UInt32(pi + 1)), asn: p.asn)
            }
            func peerDown(_ pi: Int, _ t: Int64) -> Bool {
                resets.contains { $0.peer == key(ci, pi) && t >= $0.start && t < $0.end }
            }
            func blockUp(_ pi: Int, _ b: Int, _ t: Int64) -> Bool {
                guard c.peers[pi].feed == "full" else { return false }
                return !downs.contains { t >= $0.start && t < $0.end && $0.blocks.contains(b) && $0.peers.contains(key(ci, pi)) }
            }
            func jitter(_ pi: Int) -> Int64 { Int64((pi * 7 + ci * 3) % 20) }
            func targetPath(_ pi: Int, alternate: Bool) -> ASPath {
                let p = c.peers[pi]
                var asns = [p.asn]
                if let t = p.transit, t != p.asn { asns.append(t) }
                asns += alternate ? [9929] + scenario.targets.upstream.dropFirst() : scenario.targets.upstream
                asns.append(scenario.targets.originASN)
                return ASPath(segments: [ASPathSegment(type: .sequence, asns: asns)])
            }
            func bgPath(_ pi: Int, _ i: Int, variant: Int) -> ASPath {
                let p = c.peers[pi]
                return ASPath(segments: [ASPathSegment(type: .sequence, asns: [p.asn, 64_500 + UInt32((i + variant) % 20), 65_000 + UInt32(i % 500)])])
            }
            func session(_ pi: Int) -> MRTWriter.Session {
                MRTWriter.Session(peerASN: peers[pi].asn, localASN: rv ? 6447 : 12654, peerIP: peers[pi].ip, localIP: .v4(rv ? 0x80DF_3321 : 0xC100_0001))
            }
            func attrs(_ pi: Int, _ path: ASPath) -> AttributeSet {
                AttributeSet(origin: .igp, asPath: path, nextHop: peers[pi].ip)
            }
            func dir(_ kind: String) -> URL {
                let month = String(UTCTime.iso(start).prefix(7)).replacingOccurrences(of: "-", with: ".")
                return rv ? root.appendingPathComponent("\(c.name)/bgpdata/\(month)/\(kind)") : root.appendingPathComponent("\(c.name)/\(month)")
            }
            func name(_ t: Int64) -> String {
                let iso = UTCTime.iso(t)
                return iso.prefix(10).replacingOccurrences(of: "-", with: "") + "." + iso.dropFirst(11).prefix(5).replacingOccurrences(of: ":", with: "")
            }
            // RIB dumps.
            var t = start
            while t < end {
                var w = MRTWriter()
                w.writePeerIndexTable(timestamp: UInt32(t), collectorBGPID: peers.first?.ip ?? .v4(1), viewName: c.name, peers: peers)
                var seq: UInt32 = 0
                for (i, p) in background.enumerated() {
                    var entries: [MRTWriter.RIBEntryValue] = []
                    for pi in peers.indices where !peerDown(pi, t) {
                        let carries = c.peers[pi].feed == "full" || Double((i * 31 + pi * 17) % 1000) / 1000 < scenario.background.partialShare
                        if carries { entries.append(MRTWriter.RIBEntryValue(peerIndex: UInt16(pi), originatedTime: UInt32(start), attributes: attrs(pi, bgPath(pi, i, variant: 0)))) }
                    }
                    w.writeRIB(timestamp: UInt32(t), sequence: seq, prefix: p, entries: entries)
                    seq += 1
                }
                for (b, p) in blocks.enumerated() {
                    let entries = peers.indices.filter { !peerDown($0, t) && blockUp($0, b, t) }.map {
                        MRTWriter.RIBEntryValue(peerIndex: UInt16($0), originatedTime: UInt32(start), attributes: attrs($0, targetPath($0, alternate: false)))
                    }
                    if !entries.isEmpty { w.writeRIB(timestamp: UInt32(t), sequence: seq, prefix: p, entries: entries) }
                    seq += 1
                }
                let url = dir(rv ? "RIBS" : "").appendingPathComponent((rv ? "rib." : "bview.") + name(t) + "." + ext)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(try Compressor.compress(w.take(), as: compression)).write(to: url)
                written.append(url.path)
                t += ribInterval
            }
            // Update files.
            t = start
            while t < end {
                let fileEnd = t + updateInterval
                defer { t = fileEnd }
                if missing.contains("\(c.name)@\(t)") { continue }
                enum Item { case bg(Int, Int, Int), target(Int, Int, Bool, Bool), state(Int, UInt16, UInt16) }
                var items: [(Int64, Int, Item)] = []
                // Background churn at a steady rate per peer.
                let perFile = scenario.background.churnPerPeerPerHour * Double(updateInterval) / 3600
                for pi in peers.indices where !background.isEmpty {
                    let n = Int(perFile.rounded(.down)) + ((Double((Int(t / updateInterval) + pi) % 10) / 10) < perFile.truncatingRemainder(dividingBy: 1) ? 1 : 0)
                    for k in 0..<n {
                        let at = t + Int64(k) * updateInterval / Int64(max(1, n)) + Int64((pi * 13 + k * 7) % Int(updateInterval / Int64(max(1, n))))
                        if peerDown(pi, at) { continue }
                        let bgi = Int((UInt64(at) &* 2654435761 &+ UInt64(pi) &* 40503 &+ seed) % UInt64(background.count))
                        let carries = c.peers[pi].feed == "full" || Double((bgi * 31 + pi * 17) % 1000) / 1000 < scenario.background.partialShare
                        if carries { items.append((at, pi, .bg(pi, bgi, Int(at / 60)))) }
                    }
                }
                // Target transitions at each peer (with a few seconds' jitter).
                for pi in peers.indices where c.peers[pi].feed == "full" {
                    var edges = Set<Int64>()
                    for d in downs where d.peers.contains(key(ci, pi)) { edges.insert(d.start); edges.insert(d.end) }
                    for e in edges.sorted() {
                        let at = e + jitter(pi)
                        guard at >= t && at < fileEnd, !peerDown(pi, at) else { continue }
                        for b in blocks.indices {
                            let before = blockUp(pi, b, e - 1), after = blockUp(pi, b, e)
                            if before != after { items.append((at, pi, .target(pi, b, after, false))) }
                        }
                    }
                    // AS-path changes: alternate path every 10 minutes, no withdrawal.
                    for (cs, ce) in changes {
                        var x = cs
                        while x < ce {
                            let at = x + jitter(pi)
                            if at >= t && at < fileEnd && !peerDown(pi, at) {
                                for b in blocks.indices where blockUp(pi, b, at) { items.append((at, pi, .target(pi, b, true, (x - cs) / 600 % 2 == 0))) }
                            }
                            x += 600
                        }
                    }
                }
                // Session resets: down, then Established and the routes again.
                for r in resets {
                    guard let pi = c.peers.indices.first(where: { key(ci, $0) == r.peer }) else { continue }
                    if r.start >= t && r.start < fileEnd { items.append((r.start, pi, .state(pi, 6, 1))) }
                    if r.end >= t && r.end < fileEnd {
                        items.append((r.end, pi, .state(pi, 1, 6)))
                        for b in blocks.indices where blockUp(pi, b, r.end) { items.append((r.end + 5, pi, .target(pi, b, true, false))) }
                    }
                }
                items.sort { ($0.0, $0.1) < ($1.0, $1.1) }
                var w = MRTWriter()
                for (at, _, item) in items {
                    switch item {
                    case .bg(let pi, let i, let variant):
                        w.writeUpdate(MRTWriter.Time(UInt32(at)), session: session(pi), attributes: attrs(pi, bgPath(pi, i, variant: variant)), announced: [NLRIEntry(prefix: background[i])])
                    case .target(let pi, let b, let up, let alternate):
                        if up {
                            w.writeUpdate(MRTWriter.Time(UInt32(at)), session: session(pi), attributes: attrs(pi, targetPath(pi, alternate: alternate)), announced: [NLRIEntry(prefix: blocks[b])])
                        } else {
                            w.writeUpdate(MRTWriter.Time(UInt32(at)), session: session(pi), withdrawn: [NLRIEntry(prefix: blocks[b])])
                        }
                    case .state(let pi, let old, let new):
                        w.writeStateChange(MRTWriter.Time(UInt32(at)), session: session(pi), oldState: old, newState: new)
                    }
                }
                let url = dir(rv ? "UPDATES" : "").appendingPathComponent("updates." + name(t) + "." + ext)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(try Compressor.compress(w.take(), as: compression)).write(to: url)
                written.append(url.path)
            }
        }
        return written
    }
}
