import Foundation
import MRT
import NKArchive
import NKModel

/// A scenario for `nkwatch simulate` (docs/simulate.md): collectors, peers,
/// a background table, target prefixes with their paths, and events.
public struct Scenario: Codable, Sendable {
    public enum Feed: String, Codable, Sendable {
        /// Carries the whole background table and the targets.
        case full
        /// Carries `partial_share` of the background and never the targets.
        case partial
    }
    public struct Peer: Codable, Sendable {
        public var asn: UInt32
        public var ip: String
        public var feed: Feed
        /// Transit AS between the peer and the target's upstream.
        public var transit: UInt32?
    }
    public struct Collector: Codable, Sendable {
        public var name: String
        /// `routeviews` (bzip2, updates every 15 min, RIBs every 2 h), `ris`
        /// (gzip, 5 min, bviews every 8 h) or `other` (gzip, RIS layout, the
        /// intervals given).
        public var style: Project
        public var peers: [Peer]?
        /// Instead of `peers`: this many peers (ASNs 64600 + …, addresses 10.C.0.N), the last `partial_peers` partial feeds.
        public var peerCount: Int?
        public var partialPeers: Int?
        /// Update-file and RIB-dump intervals ("10m", "4h"): the style's by default.
        public var updateInterval: String?
        public var ribInterval: String?
        enum CodingKeys: String, CodingKey {
            case name, style, peers, peerCount = "peer_count", partialPeers = "partial_peers"
            case updateInterval = "update_interval", ribInterval = "rib_interval"
        }
    }
    /// Target blocks with one origin and upstream: given, or generated as
    /// `count` consecutive prefixes of `length` from `first`.
    public struct TargetGroup: Codable, Sendable {
        public var prefixes: [String]?
        public var first: String?
        public var count: Int?
        public var length: Int?
        public var originASN: UInt32
        public var upstream: [UInt32]
        enum CodingKeys: String, CodingKey { case prefixes, first, count, length, originASN = "origin_asn", upstream }
    }
    public struct Targets: Codable, Sendable {
        public var prefixes: [String]?
        public var originASN: UInt32?
        /// ASNs between the transit and the origin, e.g. [4837] (China Unicom).
        public var upstream: [UInt32]?
        /// More groups of blocks, with their own origins (after `prefixes`).
        public var groups: [TargetGroup]?
        enum CodingKeys: String, CodingKey { case prefixes, originASN = "origin_asn", upstream, groups }
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
    public enum EventType: String, Codable, Sendable {
        case outage, flaps
        case sessionReset = "session_reset"
        case pathChange = "path_change"
        case missingFile = "missing_file"
        /// A RIB dump cut short: only `keep` of its compressed bytes are written.
        case truncatedRIB = "truncated_rib"
        /// FRR's bgpd: Established (5→6), then the other connection of the
        /// collision deleted (1→8 or 3→8).
        case frrCollision = "frr_collision"
    }
    public struct Event: Codable, Sendable {
        public var type: EventType
        public var start: String?
        public var end: String?
        /// Target block indices (default: all); or `block_range` [first, end); or the blocks of target `groups` (indices).
        public var blocks: [Int]?
        public var blockRange: [Int]?
        public var groups: [Int]?
        /// Share of full-feed peers affected (default 1), chosen deterministically.
        public var peerShare: Double?
        /// "collector/index" peers; default: all (or `peerShare` of them).
        public var peers: [String]?
        /// flaps: a list of [offset minutes, duration minutes, blocks?] after `start`.
        public var pattern: [[Int]]?
        public var collector: String?
        /// missing_file, truncated_rib: the file's time (missing_file: or every file from `start` to `end`).
        public var fileTime: String?
        /// truncated_rib: the share of the compressed bytes kept.
        public var keep: Double?
        public var note: String?
        enum CodingKeys: String, CodingKey {
            case type, start, end, blocks, blockRange = "block_range", groups, peerShare = "peer_share", peers, pattern, collector
            case fileTime = "file_time", keep, note
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
    /// How the test suite checks the scenario: `classify` run on the
    /// written archives with these arguments must match
    /// `expected-classification.json` (`--expect`).
    public var check: Check?

    public struct Check: Codable, Sendable {
        public var args: [String]
    }
}

/// Writes archives laid out like RouteViews and RIS from a scenario, through
/// the MRT writer. The same scenario and seed give byte-identical files.
public struct Simulator {
    public struct Error: Swift.Error, CustomStringConvertible { public var description: String }

    let scenario: Scenario
    let seed: UInt64
    let start: Timestamp, end: Timestamp
    let blocks: [Prefix]
    /// Per block: its origin and upstream; and its group.
    let blockPaths: [(origin: UInt32, upstream: [UInt32])]
    let blockGroup: [Int]
    let background: [Prefix]
    /// Per collector: its peers, given or generated.
    let peerLists: [[Scenario.Peer]]

    /// Background prefixes are /24s counted up from here (11.0.0.0).
    static let backgroundBase: UInt32 = 0x0B00_0000
    static let maxBackground = 60_000

    public init(scenario: Scenario, seed: UInt64? = nil) throws {
        self.scenario = scenario
        self.seed = seed ?? scenario.seed ?? 1
        guard let s = Timestamp(parsing: scenario.start), let e = Timestamp(parsing: scenario.end), e > s else {
            throw Error(description: "scenario start/end are not times, or end is not after start")
        }
        start = s
        end = e
        var blocks: [Prefix] = [], paths: [(origin: UInt32, upstream: [UInt32])] = [], groupOf: [Int] = []
        var groups: [Scenario.TargetGroup] = []
        if let prefixes = scenario.targets.prefixes {
            guard let origin = scenario.targets.originASN else { throw Error(description: "targets: prefixes need origin_asn") }
            groups.append(Scenario.TargetGroup(prefixes: prefixes, first: nil, count: nil, length: nil, originASN: origin,
                                               upstream: scenario.targets.upstream ?? []))
        }
        groups += scenario.targets.groups ?? []
        for (gi, g) in groups.enumerated() {
            var ps: [Prefix] = []
            if let list = g.prefixes {
                ps = try list.map { p in
                    guard let x = Prefix(p) else { throw Error(description: "target '\(p)' is not a prefix") }
                    return x
                }
            } else if let first = g.first.flatMap(IPAddress.init), case .v4(let base) = first, let count = g.count, let length = g.length,
                      (8...32).contains(length), count > 0, count <= 65_536 {
                let step = UInt32(1) << UInt32(32 - length)
                ps = (0..<count).compactMap { Prefix(address: .v4(base &+ UInt32($0) &* step), length: UInt8(length)) }
            } else {
                throw Error(description: "target group \(gi + 1): give prefixes, or an IPv4 first address, a count (1–65536) and a length (8–32)")
            }
            blocks += ps
            paths += ps.map { _ in (g.originASN, g.upstream) }
            groupOf += ps.map { _ in gi }
        }
        guard !blocks.isEmpty else { throw Error(description: "targets: no prefixes") }
        self.blocks = blocks
        blockPaths = paths
        blockGroup = groupOf
        peerLists = try scenario.collectors.enumerated().map { ci, c in
            if let peers = c.peers { return peers }
            guard let n = c.peerCount, n > 0, n < 250 else { throw Error(description: "collector \(c.name): give peers, or peer_count (1–249)") }
            let partial = c.partialPeers ?? 0
            return (0..<n).map { i in
                Scenario.Peer(asn: 64_600 + UInt32(ci * 100 + i), ip: "10.\(ci + 1).0.\(i + 1)", feed: i >= n - partial ? .partial : .full, transit: nil)
            }
        }
        guard scenario.background.prefixes <= Self.maxBackground else { throw Error(description: "background.prefixes above \(Self.maxBackground)") }
        background = (0..<scenario.background.prefixes).compactMap { i in
            Prefix(address: .v4(Self.backgroundBase &+ UInt32(i) << 8), length: 24)
        }
        for c in scenario.collectors {
            for (key, value) in [("update_interval", c.updateInterval), ("rib_interval", c.ribInterval)] {
                if let value, DurationText.parse(value).map({ $0 > 0 }) != true {
                    throw Error(description: "collector \(c.name): \(key) '\(value)' is not a duration")
                }
            }
            if c.style == .other && (c.updateInterval == nil || c.ribInterval == nil) {
                throw Error(description: "collector \(c.name): style other needs update_interval and rib_interval")
            }
        }
    }

    /// Targets withdrawn at some peers for a while.
    struct Down { var start: Timestamp; var end: Timestamp; var blocks: Set<Int>; var peers: Set<String> }
    /// A peer's session down for a while.
    struct Reset { var peer: String; var start: Timestamp; var end: Timestamp }
    /// What the events make happen.
    struct Plan {
        var downs: [Down] = []
        var resets: [Reset] = []
        var pathChanges: [(start: Timestamp, end: Timestamp)] = []
        /// "collector@seconds" of update files not written.
        var missing = Set<String>()
        var missingRanges: [(collector: String, start: Timestamp, end: Timestamp)] = []
        /// "collector@seconds" of RIB dumps cut short → share of bytes kept.
        var truncated: [String: Double] = [:]
        var collisions: [(peer: String, time: Timestamp)] = []
    }

    static func key(_ collector: String, _ peer: Int) -> String { "\(collector)/\(peer)" }

    /// Deterministic choice of `share` of the full-feed peers.
    func chosenPeers(_ e: Scenario.Event, salt: Int) -> Set<String> {
        if let list = e.peers { return Set(list) }
        var all: [String] = []
        for (ci, c) in scenario.collectors.enumerated() {
            for (pi, p) in peerLists[ci].enumerated() where p.feed == .full { all.append(Self.key(c.name, pi)) }
        }
        let share = e.peerShare ?? 1
        if share >= 1 { return Set(all) }
        var rng = SplitMix64(seed: seed &+ UInt64(salt) &* 7919)
        return Set(all.shuffled(using: &rng).prefix(Int((Double(all.count) * share).rounded())))
    }

    func plan() throws -> Plan {
        var plan = Plan()
        for (i, e) in scenario.events.enumerated() {
            let s = e.start.flatMap { Timestamp(parsing: $0) }, en = e.end.flatMap { Timestamp(parsing: $0) }
            var bl = Set(e.blocks ?? Array(blocks.indices))
            if let r = e.blockRange {
                guard r.count == 2, r[0] >= 0, r[0] < r[1], r[1] <= blocks.count else { throw Error(description: "event \(i + 1): block_range must be [first, end) within the targets") }
                bl = Set(r[0]..<r[1])
            }
            if let gs = e.groups { bl = Set(blocks.indices.filter { gs.contains(blockGroup[$0]) }) }
            switch e.type {
            case .outage:
                guard let s, let en, en > s else { throw Error(description: "event \(i + 1): outage needs start < end") }
                plan.downs.append(Down(start: s, end: en, blocks: bl, peers: chosenPeers(e, salt: i)))
            case .flaps:
                guard let s, let pattern = e.pattern else { throw Error(description: "event \(i + 1): flaps needs start and pattern") }
                for (k, step) in pattern.enumerated() where step.count >= 2 {
                    let b = step.count > 2 ? Set(step[2...].filter { $0 >= 0 && $0 < blocks.count }) : bl
                    plan.downs.append(Down(start: s.adding(seconds: Int64(step[0]) * 60), end: s.adding(seconds: Int64(step[0] + step[1]) * 60),
                                           blocks: b, peers: chosenPeers(e, salt: i * 1000 + k)))
                }
            case .sessionReset:
                guard let s, let en, let peers = e.peers else { throw Error(description: "event \(i + 1): session_reset needs start, end, peers") }
                for p in peers { plan.resets.append(Reset(peer: p, start: s, end: en)) }
            case .pathChange:
                guard let s, let en else { throw Error(description: "event \(i + 1): path_change needs start and end") }
                plan.pathChanges.append((s, en))
            case .missingFile:
                if let c = e.collector, let s, let en, en > s {
                    plan.missingRanges.append((c, s, en))
                    continue
                }
                guard let c = e.collector, let t = e.fileTime.flatMap({ Timestamp(parsing: $0) }) else {
                    throw Error(description: "event \(i + 1): missing_file needs collector and file_time (or start and end)")
                }
                plan.missing.insert("\(c)@\(t.seconds)")
            case .truncatedRIB:
                guard let c = e.collector, let t = e.fileTime.flatMap({ Timestamp(parsing: $0) }), let keep = e.keep, keep > 0, keep < 1 else {
                    throw Error(description: "event \(i + 1): truncated_rib needs collector, file_time and keep (0 < keep < 1)")
                }
                plan.truncated["\(c)@\(t.seconds)"] = keep
            case .frrCollision:
                guard let s, let c = e.collector, let ci = scenario.collectors.firstIndex(where: { $0.name == c }) else {
                    throw Error(description: "event \(i + 1): frr_collision needs start and a collector of the scenario")
                }
                let peers = e.peers ?? peerLists[ci].indices.map { Self.key(c, $0) }
                for p in peers { plan.collisions.append((p, s)) }
            }
        }
        return plan
    }

    /// Writes every archive under `root`; returns the paths written.
    @discardableResult
    public func write(to root: URL) throws -> [String] {
        let plan = try plan()
        var written: [String] = []
        for ci in scenario.collectors.indices {
            let c = CollectorSimulation(simulator: self, plan: plan, index: ci, root: root)
            written += try c.writeRIBs()
            written += try c.writeUpdates()
        }
        return written
    }
}

/// One collector of a scenario: its peers' routes over time, written as RIB
/// dumps and update files in the collector's project layout.
struct CollectorSimulation {
    let sim: Simulator
    let plan: Simulator.Plan
    let index: Int
    let collector: Scenario.Collector
    /// The collector's peers (given or generated).
    let peerList: [Scenario.Peer]
    let root: URL
    let peers: [PeerEntry]

    /// RouteViews' AS and route-views2's address; RIPE RIS's AS and rrc00's.
    static let routeViewsLocal: (asn: UInt32, ip: IPAddress) = (6447, .v4(0x80DF_3321))   // 128.223.51.33
    static let risLocal: (asn: UInt32, ip: IPAddress) = (12654, .v4(0xC100_0001))         // 193.0.0.1
    /// The upstream of the alternate path of `path_change` events: China Netcom.
    static let alternateUpstream: UInt32 = 9929
    /// Background paths: `peer 645xx 65xxx` (private-use ASNs).
    static let backgroundTransitBase: UInt32 = 64_500
    static let backgroundOriginBase: UInt32 = 65_000
    /// Alternate paths of `path_change` events every this many seconds.
    static let pathChangeStep: Int64 = 600
    /// A re-announcement follows a session's return this many seconds later.
    static let reannounceDelay: Int64 = 5

    init(simulator: Simulator, plan: Simulator.Plan, index: Int, root: URL) {
        self.sim = simulator
        self.plan = plan
        self.index = index
        self.collector = simulator.scenario.collectors[index]
        self.peerList = simulator.peerLists[index]
        self.root = root
        peers = peerList.enumerated().map { pi, p in
            let ip = IPAddress(p.ip) ?? .v4(UInt32(pi + 1))
            return PeerEntry(peerType: 2, bgpID: ip, ip: ip, asn: p.asn)
        }
    }

    var routeViews: Bool { collector.style == .routeviews }
    var compression: Compression { routeViews ? .bzip2 : .gzip }
    var updateInterval: Int64 { collector.updateInterval.flatMap(DurationText.parse) ?? collector.style.updateInterval ?? 300 }
    var ribInterval: Int64 { collector.ribInterval.flatMap(DurationText.parse) ?? collector.style.ribInterval ?? 28800 }
    func key(_ pi: Int) -> String { Simulator.key(collector.name, pi) }

    func peerDown(_ pi: Int, _ t: Timestamp) -> Bool {
        plan.resets.contains { $0.peer == key(pi) && t >= $0.start && t < $0.end }
    }

    func blockUp(_ pi: Int, _ b: Int, _ t: Timestamp) -> Bool {
        guard peerList[pi].feed == .full else { return false }
        return !plan.downs.contains { t >= $0.start && t < $0.end && $0.blocks.contains(b) && $0.peers.contains(key(pi)) }
    }

    /// Peers see a change a few seconds apart (0–19 s).
    func jitter(_ pi: Int) -> Int64 { Int64((pi * 7 + index * 3) % 20) }

    func targetPath(_ pi: Int, block b: Int, alternate: Bool) -> ASPath {
        let p = peerList[pi]
        var asns = [p.asn]
        if let t = p.transit, t != p.asn { asns.append(t) }
        let upstream = sim.blockPaths[b].upstream
        asns += alternate ? [Self.alternateUpstream] + upstream.dropFirst() : upstream
        asns.append(sim.blockPaths[b].origin)
        return ASPath(segments: [ASPathSegment(type: .sequence, asns: asns)])
    }

    func backgroundPath(_ pi: Int, _ i: Int, variant: Int) -> ASPath {
        ASPath(segments: [ASPathSegment(type: .sequence, asns: [peerList[pi].asn, Self.backgroundTransitBase + UInt32((i + variant) % 20),
                                                               Self.backgroundOriginBase + UInt32(i % 500)])])
    }

    /// Whether peer `pi` carries background prefix `i`.
    func carries(_ pi: Int, background i: Int) -> Bool {
        peerList[pi].feed == .full || Double((i * 31 + pi * 17) % 1000) / 1000 < sim.scenario.background.partialShare
    }

    func session(_ pi: Int) -> MRTWriter.Session {
        let local = routeViews ? Self.routeViewsLocal : Self.risLocal
        return MRTWriter.Session(peerASN: peers[pi].asn, localASN: local.asn, peerIP: peers[pi].ip, localIP: local.ip)
    }

    func attributes(_ pi: Int, _ path: ASPath) -> AttributeSet {
        AttributeSet(origin: .igp, asPath: path, nextHop: peers[pi].ip)
    }

    /// `NAME/bgpdata/YYYY.MM/KIND` (RouteViews) or `NAME/YYYY.MM` (RIS).
    func directory(_ kind: String) -> URL {
        let month = String(sim.start.iso.prefix(7)).replacingOccurrences(of: "-", with: ".")
        return routeViews ? root.appendingPathComponent("\(collector.name)/bgpdata/\(month)/\(kind)") : root.appendingPathComponent("\(collector.name)/\(month)")
    }

    /// Writes the records compressed; with `keep`, only that share of the
    /// compressed bytes (a file cut short).
    func save(_ w: inout MRTWriter, kind: String, name: String, keep: Double? = nil) throws -> String {
        let url = directory(routeViews ? kind : "").appendingPathComponent(name + "." + (routeViews ? "bz2" : "gz"))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var bytes = try Compressor.compress(w.take(), as: compression)
        if let keep { bytes = Array(bytes.prefix(Int(Double(bytes.count) * keep))) }
        try Data(bytes).write(to: url)
        return url.path
    }

    // MARK: RIB dumps

    func writeRIBs() throws -> [String] {
        var written: [String] = []
        var t = sim.start
        while t < sim.end {
            var w = MRTWriter()
            let time = UInt32(t.seconds)
            w.writePeerIndexTable(timestamp: time, collectorBGPID: peers.first?.ip ?? .v4(1), viewName: collector.name, peers: peers)
            var seq: UInt32 = 0
            let originated = UInt32(sim.start.seconds)
            for (i, p) in sim.background.enumerated() {
                let entries = peers.indices.filter { !peerDown($0, t) && carries($0, background: i) }.map {
                    MRTWriter.RIBEntryValue(peerIndex: UInt16($0), originatedTime: originated, attributes: attributes($0, backgroundPath($0, i, variant: 0)))
                }
                w.writeRIB(timestamp: time, sequence: seq, prefix: p, entries: entries)
                seq += 1
            }
            for (b, p) in sim.blocks.enumerated() {
                let entries = peers.indices.filter { !peerDown($0, t) && blockUp($0, b, t) }.map {
                    MRTWriter.RIBEntryValue(peerIndex: UInt16($0), originatedTime: originated, attributes: attributes($0, targetPath($0, block: b, alternate: false)))
                }
                if !entries.isEmpty { w.writeRIB(timestamp: time, sequence: seq, prefix: p, entries: entries) }
                seq += 1
            }
            written.append(try save(&w, kind: "RIBS", name: (routeViews ? "rib." : "bview.") + t.archiveName,
                                    keep: plan.truncated["\(collector.name)@\(t.seconds)"]))
            t = t.adding(seconds: ribInterval)
        }
        return written
    }

    // MARK: Update files

    /// What one update record carries.
    enum Item {
        case background(peer: Int, prefix: Int, variant: Int)
        case target(peer: Int, block: Int, up: Bool, alternate: Bool)
        case state(peer: Int, old: BGPState, new: BGPState)
    }

    func writeUpdates() throws -> [String] {
        var written: [String] = []
        var t = sim.start
        while t < sim.end {
            let fileEnd = t.adding(seconds: updateInterval)
            defer { t = fileEnd }
            if plan.missing.contains("\(collector.name)@\(t.seconds)") { continue }
            if plan.missingRanges.contains(where: { $0.collector == collector.name && t >= $0.start && t < $0.end }) { continue }
            var items = backgroundChurn(from: t)
            items += targetChanges(from: t, to: fileEnd)
            items += sessionResets(from: t, to: fileEnd)
            items += collisions(from: t, to: fileEnd)
            items.sort { ($0.0, $0.1) < ($1.0, $1.1) }
            var w = MRTWriter()
            for (at, _, item) in items { write(item, at: at, to: &w) }
            written.append(try save(&w, kind: "UPDATES", name: "updates." + t.archiveName))
        }
        return written
    }

    func write(_ item: Item, at: Timestamp, to w: inout MRTWriter) {
        let time = MRTWriter.Time(UInt32(at.seconds))
        switch item {
        case .background(let pi, let i, let variant):
            w.writeUpdate(time, session: session(pi), attributes: attributes(pi, backgroundPath(pi, i, variant: variant)),
                          announced: [NLRIEntry(prefix: sim.background[i])])
        case .target(let pi, let b, let up, let alternate):
            if up {
                w.writeUpdate(time, session: session(pi), attributes: attributes(pi, targetPath(pi, block: b, alternate: alternate)),
                              announced: [NLRIEntry(prefix: sim.blocks[b])])
            } else {
                w.writeUpdate(time, session: session(pi), withdrawn: [NLRIEntry(prefix: sim.blocks[b])])
            }
        case .state(let pi, let old, let new):
            w.writeStateChange(time, session: session(pi), oldState: old, newState: new)
        }
    }

    /// Background announcements at a steady rate per peer, spread over the
    /// file's interval; which prefix comes from a multiplicative hash
    /// (Knuth's 2654435761) of the time, the peer and the seed.
    func backgroundChurn(from t: Timestamp) -> [(Timestamp, Int, Item)] {
        guard !sim.background.isEmpty else { return [] }
        var items: [(Timestamp, Int, Item)] = []
        let perFile = sim.scenario.background.churnPerPeerPerHour * Double(updateInterval) / 3600
        let fileIndex = Int(t.seconds / updateInterval)
        for pi in peers.indices {
            let extra = Double((fileIndex + pi) % 10) / 10 < perFile.truncatingRemainder(dividingBy: 1) ? 1 : 0
            let n = Int(perFile.rounded(.down)) + extra
            let slots = Int64(max(1, n))
            for k in 0..<n {
                let at = t.adding(seconds: Int64(k) * updateInterval / slots + Int64((pi * 13 + k * 7) % Int(updateInterval / slots)))
                if peerDown(pi, at) { continue }
                let i = Int((UInt64(at.seconds) &* 2654435761 &+ UInt64(pi) &* 40503 &+ sim.seed) % UInt64(sim.background.count))
                if carries(pi, background: i) { items.append((at, pi, .background(peer: pi, prefix: i, variant: Int(at.seconds / 60)))) }
            }
        }
        return items
    }

    /// Withdrawals and re-announcements of the targets at each full-feed
    /// peer, and the alternate paths of `path_change` events.
    func targetChanges(from t: Timestamp, to fileEnd: Timestamp) -> [(Timestamp, Int, Item)] {
        var items: [(Timestamp, Int, Item)] = []
        for pi in peers.indices where peerList[pi].feed == .full {
            var edges = Set<Timestamp>()
            for d in plan.downs where d.peers.contains(key(pi)) { edges.insert(d.start); edges.insert(d.end) }
            for e in edges.sorted() {
                let at = e.adding(seconds: jitter(pi))
                guard at >= t && at < fileEnd, !peerDown(pi, at) else { continue }
                for b in sim.blocks.indices {
                    let before = blockUp(pi, b, e.adding(seconds: -1)), after = blockUp(pi, b, e)
                    if before != after { items.append((at, pi, .target(peer: pi, block: b, up: after, alternate: false))) }
                }
            }
            for change in plan.pathChanges {
                var x = change.start
                while x < change.end {
                    let at = x.adding(seconds: jitter(pi))
                    if at >= t && at < fileEnd && !peerDown(pi, at) {
                        let alternate = (x.seconds - change.start.seconds) / Self.pathChangeStep % 2 == 0
                        for b in sim.blocks.indices where blockUp(pi, b, at) { items.append((at, pi, .target(peer: pi, block: b, up: true, alternate: alternate))) }
                    }
                    x = x.adding(seconds: Self.pathChangeStep)
                }
            }
        }
        return items
    }

    /// FRR's collisions: the session Established (OpenConfirm → Established),
    /// the losing connection deleted a second later (Idle or Active →
    /// Deleted, FRR's state 8), and the targets announced again.
    func collisions(from t: Timestamp, to fileEnd: Timestamp) -> [(Timestamp, Int, Item)] {
        var items: [(Timestamp, Int, Item)] = []
        for c in plan.collisions where c.time >= t && c.time < fileEnd {
            guard let pi = peers.indices.first(where: { key($0) == c.peer }) else { continue }
            items.append((c.time, pi, .state(peer: pi, old: .openConfirm, new: .established)))
            items.append((c.time.adding(seconds: 1), pi, .state(peer: pi, old: pi % 2 == 0 ? .idle : .active, new: BGPState(rawValue: 8))))
            for b in sim.blocks.indices where blockUp(pi, b, c.time) {
                items.append((c.time.adding(seconds: Self.reannounceDelay), pi, .target(peer: pi, block: b, up: true, alternate: false)))
            }
        }
        return items
    }

    /// Session resets: Established → Idle, then Idle → Established and the
    /// targets announced again.
    func sessionResets(from t: Timestamp, to fileEnd: Timestamp) -> [(Timestamp, Int, Item)] {
        var items: [(Timestamp, Int, Item)] = []
        for r in plan.resets {
            guard let pi = peers.indices.first(where: { key($0) == r.peer }) else { continue }
            if r.start >= t && r.start < fileEnd { items.append((r.start, pi, .state(peer: pi, old: .established, new: .idle))) }
            if r.end >= t && r.end < fileEnd {
                items.append((r.end, pi, .state(peer: pi, old: .idle, new: .established)))
                for b in sim.blocks.indices where blockUp(pi, b, r.end) {
                    items.append((r.end.adding(seconds: Self.reannounceDelay), pi, .target(peer: pi, block: b, up: true, alternate: false)))
                }
            }
        }
        return items
    }
}
