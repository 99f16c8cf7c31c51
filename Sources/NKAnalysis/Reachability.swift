import MRT
import NKModel

/// One stretch of a block's visibility: from `start` until the next segment.
struct Segment {
    var start: Timestamp
    var yes: Int
    var known: Int
    var down: Bool
    var unknown: Bool
    /// When down: the known eligible peers without a route (peer indices).
    var noPeers: [Int]

    func sameState(as o: Segment) -> Bool {
        yes == o.yes && known == o.known && down == o.down && unknown == o.unknown && noPeers == o.noPeers
    }
}

/// In-scope updates in one second.
struct Churn {
    var announcements = 0
    var withdrawals = 0
    /// Announcements that changed the AS path of a route the peer had.
    var pathChanges = 0
    var updates: Int { announcements + withdrawals }
}

/// In-scope updates per second of the analysed range: memory grows with the
/// seconds that had updates, never with the updates.
struct ChurnSeries {
    var bySecond: [Int64: Churn] = [:]

    mutating func add(_ t: Timestamp, _ c: Churn) {
        var x = bySecond[t.seconds] ?? Churn()
        x.announcements += c.announcements
        x.withdrawals += c.withdrawals
        x.pathChanges += c.pathChanges
        bySecond[t.seconds] = x
    }

    /// Updates in the seconds from `s` to `e`, both included.
    func updates(from s: Timestamp, through e: Timestamp) -> Int {
        let lo = s.seconds, hi = e.seconds
        if hi - lo < Int64(bySecond.count) {
            var n = 0
            var t = lo
            while t <= hi { n += bySecond[t]?.updates ?? 0; t += 1 }
            return n
        }
        return bySecond.reduce(0) { $1.key >= lo && $1.key <= hi ? $0 + $1.value.updates : $0 }
    }
}

/// What happens at one moment. Within a moment, items apply in `phase`
/// order, so that arrival order never matters: a data gap ends, RIB dumps
/// re-synchronise, sessions change, settling ends, updates apply, a gap starts.
enum SweepItem {
    case gapEnd(collector: Int)
    case rib(Int)
    case session(SessionChange, peer: Int)
    case settleEnd(peer: Int)
    case observation(RouteEvent, peer: Int)
    case gapStart(collector: Int)

    var phase: Int {
        switch self {
        case .gapEnd: return 0
        case .rib: return 1
        case .session: return 2
        case .settleEnd: return 3
        case .observation: return 4
        case .gapStart: return 5
        }
    }
}

/// A peer's state as the sweep follows it.
struct PeerState {
    let collector: Int
    var sessionUp = true
    var settleUntil = Timestamp(microseconds: .min)
    /// In a data gap of its collector, until a RIB dump or an update confirms its state.
    var gapUnknown = false
    /// Known since the collector's first RIB dump (or first update, without RIB dumps).
    var synced = false
    var eligible4 = true
    var eligible6 = true
    /// In-scope routes: prefix → AS path.
    var table: [Prefix: String] = [:]

    init(collector: Int) { self.collector = collector }

    /// Whether the peer's reachability of blocks of a family is known at `t`.
    func known(ipv4: Bool, at t: Timestamp) -> Bool {
        (ipv4 ? eligible4 : eligible6) && synced && sessionUp && t >= settleUntil && !gapUnknown
    }
}

/// Per block, the number of known eligible peers with a route to it, kept up
/// to date as routes and peers' states change: the work per change is the
/// blocks it touches, not peers × blocks.
struct BlockCounts {
    let blocks: [Prefix]
    let peerCount: Int
    /// Per (peer, block): how many of the peer's routes cover the block.
    private var cover: [Int32]
    /// Per block: known peers (as recorded) with a route.
    private(set) var yes: [Int]
    /// Per family (0 IPv4, 1 IPv6): the peers recorded as known, and their number.
    private var known: [[Bool]]
    private(set) var knownCount = [0, 0]
    /// Per block: whether any peer (eligible or not) ever had a route to it.
    private(set) var everRouted: [Bool]
    /// Blocks whose counts changed since the last `takeDirty`.
    private var dirtyFlags: [Bool]
    private var dirtyList: [Int] = []
    let blocksOfFamily: [[Int]]

    init(blocks: [Prefix], peerCount: Int) {
        self.blocks = blocks
        self.peerCount = peerCount
        cover = Array(repeating: 0, count: blocks.count * peerCount)
        yes = Array(repeating: 0, count: blocks.count)
        known = [Array(repeating: false, count: peerCount), Array(repeating: false, count: peerCount)]
        dirtyFlags = Array(repeating: false, count: blocks.count)
        everRouted = Array(repeating: false, count: blocks.count)
        blocksOfFamily = [blocks.indices.filter { blocks[$0].isIPv4 }, blocks.indices.filter { !blocks[$0].isIPv4 }]
    }

    static func family(_ ipv4: Bool) -> Int { ipv4 ? 0 : 1 }

    func isKnown(peer: Int, ipv4: Bool) -> Bool { known[Self.family(ipv4)][peer] }

    /// The blocks `prefix` covers (itself or a less-specific of them).
    func blocksCovered(by prefix: Prefix) -> [Int] {
        let first = prefix.address, last = prefix.lastAddress
        var lo = 0, hi = blocks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if blocks[mid].address < first { lo = mid + 1 } else { hi = mid }
        }
        var out: [Int] = []
        var i = lo
        while i < blocks.count && blocks[i].address <= last {
            if prefix.contains(blocks[i]) { out.append(i) }
            i += 1
        }
        return out
    }

    mutating func markDirty(_ b: Int) {
        if !dirtyFlags[b] { dirtyFlags[b] = true; dirtyList.append(b) }
    }

    /// A route to `prefix` appears (`delta` 1) or disappears (-1) at `peer`.
    mutating func route(_ prefix: Prefix, peer: Int, delta: Int32) {
        let f = Self.family(prefix.isIPv4)
        for b in blocksCovered(by: prefix) {
            let i = peer * blocks.count + b
            let before = cover[i]
            cover[i] += delta
            if cover[i] > 0 { everRouted[b] = true }
            if known[f][peer] && (before == 0) != (cover[i] == 0) {
                yes[b] += cover[i] == 0 ? -1 : 1
                markDirty(b)
            }
        }
    }

    /// Records whether `peer` is known for a family; returns true on a change.
    mutating func setKnown(peer: Int, ipv4: Bool, _ value: Bool) -> Bool {
        let f = Self.family(ipv4)
        guard known[f][peer] != value else { return false }
        known[f][peer] = value
        knownCount[f] += value ? 1 : -1
        for b in blocksOfFamily[f] {
            if cover[peer * blocks.count + b] > 0 { yes[b] += value ? 1 : -1 }
            markDirty(b)
        }
        return true
    }

    /// The blocks that changed, in order; clears the list.
    mutating func takeDirty() -> [Int] {
        let out = dirtyList.sorted()
        for b in dirtyList { dirtyFlags[b] = false }
        dirtyList.removeAll(keepingCapacity: true)
        return out
    }

    /// Known peers of the block's family without a route to it, in index order.
    func peersWithoutRoute(block b: Int) -> [Int] {
        let f = Self.family(blocks[b].isIPv4)
        return (0..<peerCount).filter { known[f][$0] && cover[$0 * blocks.count + b] == 0 }
    }
}

/// The sweep over time: applies RIB dumps, updates, session changes and data
/// gaps in time order and records, per block, when its visibility changes —
/// from the first thing the data holds (so that an outage that began before
/// the range is seen from its true start) until the end of the range.
struct ReachabilitySweep {
    /// Before anything: the start of every block's first (unknown) segment.
    static let beginning = Timestamp(microseconds: -(1 << 60))

    let input: AnalysisInput
    let p: Parameters
    let blocks: [Prefix]
    let collectors: [String]
    let peerIndex: [Peer: Int]
    let blockIndex: [Prefix: Int]
    /// Collectors with at least one complete RIB dump.
    let ribCollectors: Set<String>
    /// RIB dumps that did not decode to their end or hold too small a table:
    /// not applied (index → why).
    let incompleteRIBs: [Int: String]

    var peers: [PeerState]
    var counts: BlockCounts
    var inGap: [Bool]
    var sessionDownSince: [Int: Timestamp] = [:]

    var segments: [[Segment]]
    var ribDisagreements = 0
    var discounted: [Discounted] = []
    var warnings: [String] = []
    var eligibleEver = Set<Int>()
    var churn = ChurnSeries()
    /// Per block: origin ASN → routes and announcements seen with it.
    var originVotes: [[UInt32: Int]]

    init(input: AnalysisInput, parameters: Parameters, blocks: [Prefix]) {
        self.input = input
        self.p = parameters
        self.blocks = blocks
        collectors = Array(Set(input.peers.map(\.collector))).sorted()
        let collectorIndex = Dictionary(uniqueKeysWithValues: collectors.enumerated().map { ($1, $0) })
        peerIndex = Dictionary(input.peers.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        blockIndex = Dictionary(blocks.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        peers = input.peers.map { PeerState(collector: collectorIndex[$0.collector] ?? 0) }
        let incomplete = Self.incompleteRIBs(input.ribs, ratio: parameters.incompleteRIBRatio)
        incompleteRIBs = incomplete
        ribCollectors = Set(input.ribs.indices.filter { incomplete[$0] == nil }.map { input.ribs[$0].collector })
        counts = BlockCounts(blocks: blocks, peerCount: input.peers.count)
        inGap = Array(repeating: false, count: collectors.count)
        segments = blocks.map { _ in [Segment(start: Self.beginning, yes: 0, known: 0, down: false, unknown: true, noPeers: [])] }
        originVotes = Array(repeating: [:], count: blocks.count)
    }

    /// The RIB dumps not to apply: those that did not decode to their end,
    /// and those whose largest table holds less than `ratio` of the median
    /// largest table of the collector's complete dumps (cut short at a
    /// record boundary: the file is whole, the dump is not).
    static func incompleteRIBs(_ ribs: [RIBDump], ratio: Double) -> [Int: String] {
        var out: [Int: String] = [:]
        var largest: [String: [Int]] = [:]
        for r in ribs where r.complete { largest[r.collector, default: []].append(r.largestTable) }
        let median = largest.mapValues { v -> Double in
            let s = v.sorted()
            return s.count % 2 == 1 ? Double(s[s.count / 2]) : Double(s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        for (i, r) in ribs.enumerated() {
            if !r.complete {
                out[i] = "it does not decode to its end"
            } else if let m = median[r.collector], m > 0, Double(r.largestTable) < ratio * m {
                out[i] = "its largest table holds \(r.largestTable) prefixes, \(Int((Double(r.largestTable) / m * 100).rounded())) % "
                    + "of the collector's usual \(Int(m))"
            }
        }
        return out
    }

    /// The items other than observations (RIB dumps, session changes,
    /// settling ends, data gaps), in the canonical order: by time, then
    /// phase, then a tie-break within the phase. Observations come from the
    /// data source, in time order, and are merged in instant by instant.
    func smallItems() -> [(time: Timestamp, item: SweepItem)] {
        var items: [(time: Timestamp, item: SweepItem)] = []
        for (i, r) in input.ribs.enumerated() where incompleteRIBs[i] == nil { items.append((r.time, .rib(i))) }
        for s in input.sessions {
            guard let pi = peerIndex[s.peer] else { continue }
            items.append((s.time, .session(s, peer: pi)))
            if s.isUp { items.append((s.time.adding(seconds: p.settleSeconds), .settleEnd(peer: pi))) }
        }
        for g in dataGaps() {
            guard let ci = collectors.firstIndex(of: g.collector) else { continue }
            items.append((g.start, .gapStart(collector: ci)))
            items.append((g.end, .gapEnd(collector: ci)))
        }
        items.sort { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.item.phase != b.item.phase { return a.item.phase < b.item.phase }
            return Self.tieBreak(a.item, b.item, ribs: input.ribs)
        }
        return items
    }

    static func tieBreak(_ a: SweepItem, _ b: SweepItem, ribs: [RIBDump]) -> Bool {
        switch (a, b) {
        case let (.observation(x, px), .observation(y, py)):
            if px != py { return px < py }
            if x.prefix != y.prefix { return x.prefix < y.prefix }
            return x.kind == .withdraw && y.kind == .announce
        case let (.session(x, px), .session(y, py)):
            return (px, x.old, x.new) < (py, y.old, y.new)
        case let (.rib(x), .rib(y)): return ribs[x].collector < ribs[y].collector
        case let (.settleEnd(x), .settleEnd(y)): return x < y
        case let (.gapStart(x), .gapStart(y)): return x < y
        case let (.gapEnd(x), .gapEnd(y)): return x < y
        default: return false
        }
    }

    /// Data gaps of each collector with peers, up to the end of the range.
    func dataGaps() -> [CollectorInterval] {
        let byCollector = Dictionary(grouping: input.coverage, by: \.collector)
        return collectors.flatMap { c in CollectorInterval.gaps(collector: c, covered: byCollector[c] ?? [], until: input.to) }
    }

    mutating func run() throws {
        for c in collectors where !ribCollectors.contains(c) {
            warnings.append("collector \(c) has no complete RIB dump: every peer seen is counted, and each is known from its first update")
        }
        for (i, why) in incompleteRIBs.sorted(by: { $0.key < $1.key }) {
            let r = input.ribs[i]
            let name = r.name.map { " (\($0))" } ?? ""
            warnings.append("the RIB dump of \(r.collector) at \(r.time.prose)\(name) is incomplete: \(why); it re-synchronises no peer and decides no eligibility")
            discounted.append(Discounted(kind: .dataGap, what: r.collector, start: r.time, end: r.time,
                                         detail: "incomplete RIB dump\(name): \(why)"))
        }
        for g in dataGaps() { discounted.append(Discounted(kind: .dataGap, what: g.collector, start: g.start, end: g.end)) }
        let small = smallItems()
        var next = 0
        var batch: [(time: Timestamp, item: SweepItem)] = []
        // Instants before `t` that only small items make.
        func smallInstants(before t: Timestamp?, _ sweep: inout ReachabilitySweep) throws {
            while next < small.count, t.map({ small[next].time < $0 }) ?? true {
                let at = small[next].time
                var items: [(time: Timestamp, item: SweepItem)] = []
                while next < small.count && small[next].time == at { items.append(small[next]); next += 1 }
                try sweep.instant(at, items)
            }
        }
        try input.source.forEachObservation { o in
            guard let pi = peerIndex[o.peer] else { return }
            if let t = batch.first?.time, o.time != t {
                try smallInstants(before: t, &self)
                var items = batch
                while next < small.count && small[next].time == t { items.append(small[next]); next += 1 }
                try instant(t, items)
                batch.removeAll(keepingCapacity: true)
            }
            batch.append((o.time, .observation(o, peer: pi)))
        }
        if let t = batch.first?.time {
            try smallInstants(before: t, &self)
            var items = batch
            while next < small.count && small[next].time == t { items.append(small[next]); next += 1 }
            try instant(t, items)
        }
        try smallInstants(before: nil, &self)
        for (peer, since) in sessionDownSince {
            discounted.append(Discounted(kind: .sessionReset, what: input.peers[peer].description, start: since, end: input.to))
        }
        discounted.sort { ($0.start, $0.kind.rawValue, $0.what) < ($1.start, $1.kind.rawValue, $1.what) }
    }

    /// Applies everything that happens at `t`, in the canonical order, then
    /// re-derives the touched peers' states and records the blocks that
    /// changed. Nothing at or after the end of the range matters.
    mutating func instant(_ t: Timestamp, _ items: [(time: Timestamp, item: SweepItem)]) throws {
        guard t < input.to else { return }
        let ordered = items.count < 2 ? items : items.sorted { a, b in
            if a.item.phase != b.item.phase { return a.item.phase < b.item.phase }
            return Self.tieBreak(a.item, b.item, ribs: input.ribs)
        }
        var touched = Set<Int>()
        for (_, item) in ordered { try apply(item, at: t, touched: &touched) }
        updateKnown(touched, at: t)
        record(at: t)
    }

    // MARK: Applying items

    mutating func apply(_ item: SweepItem, at t: Timestamp, touched: inout Set<Int>) throws {
        switch item {
        case .rib(let ri):
            let dump = input.ribs[ri]
            applyRIB(dump, routes: try dump.routes ?? input.source.routes(of: dump), touched: &touched)
        case .session(let s, let pi):
            applySession(s, peer: pi, at: t)
            touched.insert(pi)
        case .settleEnd(let pi):
            touched.insert(pi)
        case .observation(let o, let pi):
            applyObservation(o, peer: pi)
            touched.insert(pi)
        case .gapStart(let ci):
            inGap[ci] = true
            for pi in peers.indices where peers[pi].collector == ci {
                peers[pi].gapUnknown = true
                touched.insert(pi)
            }
        case .gapEnd(let ci):
            inGap[ci] = false
        }
    }

    /// A RIB dump sets each peer's eligibility (full feed or not) and routes.
    mutating func applyRIB(_ r: RIBDump, routes allRoutes: [Peer: [Prefix: String]], touched: inout Set<Int>) {
        guard let ci = collectors.firstIndex(of: r.collector) else { return }
        let max4 = r.tableSizes.values.map(\.ipv4).max() ?? 0
        let max6 = r.tableSizes.values.map(\.ipv6).max() ?? 0
        for pi in peers.indices where peers[pi].collector == ci {
            touched.insert(pi)
            let peer = input.peers[pi]
            guard let size = r.tableSizes[peer] else {
                // Not in the dump: not a full-feed peer now.
                peers[pi].eligible4 = false
                peers[pi].eligible6 = false
                peers[pi].synced = true
                replaceTable(of: pi, with: [:])
                continue
            }
            peers[pi].eligible4 = isFullFeed(size.ipv4, largest: max4, minimum: p.fullFeedMinIPv4)
            peers[pi].eligible6 = isFullFeed(size.ipv6, largest: max6, minimum: p.fullFeedMinIPv6)
            let routes = allRoutes[peer] ?? [:]
            let ps = peers[pi]
            if ps.synced && !ps.gapUnknown && ps.sessionUp && Set(ps.table.keys) != Set(routes.keys) {
                ribDisagreements += 1
            }
            for (prefix, path) in routes { vote(prefix, origin: Self.origin(ofPath: path)) }
            replaceTable(of: pi, with: routes)
            peers[pi].synced = true
            if !inGap[ci] { peers[pi].gapUnknown = false }
        }
    }

    /// Full feed: at least `fullFeedRatio` of the largest table at the
    /// collector, or at least the minimum when one is set.
    func isFullFeed(_ size: Int, largest: Int, minimum: Int?) -> Bool {
        (largest > 0 && Double(size) >= p.fullFeedRatio * Double(largest)) || (minimum.map { size >= $0 } ?? false)
    }

    /// A session goes down when it leaves Established and comes up when it
    /// enters it; other transitions (Connect → Active, FRR's Clearing and
    /// Deleted of a connection that lost a collision) change nothing.
    mutating func applySession(_ s: SessionChange, peer pi: Int, at t: Timestamp) {
        if s.isUp {
            peers[pi].sessionUp = true
            peers[pi].settleUntil = t.adding(seconds: p.settleSeconds)
            if let since = sessionDownSince.removeValue(forKey: pi) {
                discounted.append(Discounted(kind: .sessionReset, what: input.peers[pi].description, start: since,
                                             end: t.adding(seconds: p.settleSeconds)))
            }
        } else if s.isDown {
            // The collector flushes the peer's routes when the session drops.
            peers[pi].sessionUp = false
            replaceTable(of: pi, with: [:])
            if sessionDownSince[pi] == nil { sessionDownSince[pi] = t }
        }
    }

    mutating func applyObservation(_ o: RouteEvent, peer pi: Int) {
        var c = Churn()
        switch o.kind {
        case .announce:
            let path = o.asPath ?? ""
            if let old = peers[pi].table[o.prefix] {
                if old != path { c.pathChanges = 1 }
            } else {
                counts.route(o.prefix, peer: pi, delta: 1)
            }
            peers[pi].table[o.prefix] = path
            c.announcements = 1
            vote(o.prefix, origin: o.originASN ?? Self.origin(ofPath: path))
        case .withdraw:
            if peers[pi].table.removeValue(forKey: o.prefix) != nil { counts.route(o.prefix, peer: pi, delta: -1) }
            c.withdrawals = 1
        case .rib, .state:
            return
        }
        if o.time >= input.from && o.time < input.to { churn.add(o.time, c) }
        let ci = peers[pi].collector
        if !ribCollectors.contains(collectors[ci]) { peers[pi].synced = true }
        if !inGap[ci] { peers[pi].gapUnknown = false }
        // An update means the session is up, whatever state changes were missed.
        if !peers[pi].sessionUp && sessionDownSince[pi] == nil { peers[pi].sessionUp = true }
    }

    /// Counts an origin ASN for the block `prefix` is, if it is one.
    mutating func vote(_ prefix: Prefix, origin: UInt32?) {
        guard let origin, let b = blockIndex[prefix] else { return }
        originVotes[b][origin, default: 0] += 1
    }

    /// The last AS of a path's text ("3356 4837 131279" → 131279); nil when
    /// it ends in an AS set or is empty.
    static func origin(ofPath path: String) -> UInt32? {
        guard let last = path.split(separator: " ").last else { return nil }
        return UInt32(last)
    }

    /// Per block, the origin ASN seen most (ties: the lowest); nil if none.
    var blockOrigins: [UInt32?] {
        originVotes.map { votes in votes.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key }
    }

    mutating func replaceTable(of pi: Int, with routes: [Prefix: String]) {
        for prefix in peers[pi].table.keys where routes[prefix] == nil { counts.route(prefix, peer: pi, delta: -1) }
        for prefix in routes.keys where peers[pi].table[prefix] == nil { counts.route(prefix, peer: pi, delta: 1) }
        peers[pi].table = routes
    }

    /// Re-derives whether each touched peer is known, per family.
    mutating func updateKnown(_ touched: Set<Int>, at t: Timestamp) {
        for pi in touched.sorted() {
            for ipv4 in [true, false] {
                let known = peers[pi].known(ipv4: ipv4, at: t)
                if counts.setKnown(peer: pi, ipv4: ipv4, known), known, !counts.blocksOfFamily[BlockCounts.family(ipv4)].isEmpty {
                    eligibleEver.insert(pi)
                }
            }
        }
    }

    // MARK: Recording visibility

    /// Evaluates the blocks whose counts changed and records new segments.
    mutating func record(at t: Timestamp) {
        for bi in counts.takeDirty() {
            let known = counts.knownCount[BlockCounts.family(blocks[bi].isIPv4)]
            let yes = counts.yes[bi]
            let unknown = known < p.minPeers
            let down = !unknown && Double(yes) < p.visibleRatio * Double(known)
            let seg = Segment(start: t, yes: yes, known: known, down: down, unknown: unknown,
                              noPeers: down ? counts.peersWithoutRoute(block: bi) : [])
            let last = segments[bi].count - 1
            if segments[bi][last].sameState(as: seg) { continue }
            if segments[bi][last].start == t {
                segments[bi][last] = seg
                if last > 0 && segments[bi][last - 1].sameState(as: seg) { segments[bi].removeLast() }
            } else {
                segments[bi].append(seg)
            }
        }
    }

    /// Session resets of eligible peers and data gaps of collectors with
    /// eligible peers: the things that were discounted because they mattered.
    var relevantDiscounted: [Discounted] {
        let peerNames = Set(eligibleEver.map { input.peers[$0].description })
        let collectorNames = Set(eligibleEver.map { input.peers[$0].collector })
        return discounted.filter { $0.kind == .sessionReset ? peerNames.contains($0.what) : collectorNames.contains($0.what) || $0.detail != nil }
    }
}
