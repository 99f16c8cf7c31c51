import MRT

/// One stretch of a block's visibility: from `start` until the next segment.
struct Segment {
    var start: Int64
    var yes: Int
    var known: Int
    var down: Bool
    var unknown: Bool
    var noPeers: [Int]
}

/// The sweep over time: applies RIB dumps, updates, session changes and data
/// gaps in time order and records, per block, when its visibility changes.
struct ReachabilitySweep {
    let input: AnalysisInput
    let p: Parameters
    let blocks: [Prefix]

    struct PeerState {
        var collector: Int
        var sessionUp = true
        var settleUntil = Int64.min
        var gapUnknown = false
        /// Known since the collector's first RIB dump (or first update, without RIB dumps).
        var synced = false
        var eligible4 = true
        var eligible6 = true
        var table: [Prefix: String] = [:]
    }

    enum Item {
        case rib(Int)
        case session(SessionChange)
        case settleEnd(Int)
        case observation(RouteObservation)
        case gapStart(Int)
        case gapEnd(Int)

        var order: Int {
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

    var segments: [[Segment]]
    var ribDisagreements = 0
    var discounted: [Discounted] = []
    var warnings: [String] = []
    var eligibleEver = Set<Int>()
    /// Churn per observation time (µs): (announcements, withdrawals, path changes).
    var churnTimes: [(Int64, Int, Int, Int)] = []

    init(input: AnalysisInput, parameters: Parameters, blocks: [Prefix]) {
        self.input = input
        self.p = parameters
        self.blocks = blocks
        self.segments = Array(repeating: [], count: blocks.count)
    }

    static func gaps(of intervals: [CoverageInterval], until end: Int64) -> [(Int64, Int64)] {
        let sorted = intervals.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
        var out: [(Int64, Int64)] = []
        guard var reach = sorted.first?.end else { return [] }
        for iv in sorted.dropFirst() {
            if iv.start > reach { out.append((reach, iv.start)) }
            reach = max(reach, iv.end)
        }
        if reach < end { out.append((reach, end)) }
        return out
    }

    mutating func run() {
        let collectors = Array(Set(input.peers.map(\.collector))).sorted()
        let collectorIndex = Dictionary(uniqueKeysWithValues: collectors.enumerated().map { ($1, $0) })
        var peers = input.peers.map { PeerState(collector: collectorIndex[$0.collector] ?? 0) }
        let ribCollectors = Set(input.ribs.map(\.collector))
        for c in collectors where !ribCollectors.contains(c) {
            warnings.append("collector \(c) has no RIB dump: every peer seen is counted, and each is known from its first update")
        }
        // Items, in a canonical order so that same-time arrival order never matters.
        var items: [(Int64, Item)] = []
        for (i, r) in input.ribs.enumerated() { items.append((r.time, .rib(i))) }
        for s in input.sessions {
            items.append((s.time, .session(s)))
            if s.newState == 6 { items.append((s.time + p.settleSeconds * 1_000_000, .settleEnd(s.peer))) }
        }
        for o in input.observations { items.append((o.time, .observation(o))) }
        var inGap = Array(repeating: false, count: collectors.count)
        for (ci, c) in collectors.enumerated() {
            let ivs = input.coverage.filter { $0.collector == c }
            for g in Self.gaps(of: ivs, until: input.to) {
                items.append((g.0, .gapStart(ci)))
                items.append((g.1, .gapEnd(ci)))
                discounted.append(Discounted(kind: "data_gap", what: c, start: g.0, end: g.1))
            }
        }
        items.sort { a, b in
            if a.0 != b.0 { return a.0 < b.0 }
            if a.1.order != b.1.order { return a.1.order < b.1.order }
            switch (a.1, b.1) {
            case let (.observation(x), .observation(y)):
                if x.peer != y.peer { return x.peer < y.peer }
                if x.prefix != y.prefix { return x.prefix < y.prefix }
                return x.kind == .withdraw && y.kind == .announce
            case let (.session(x), .session(y)):
                return (x.peer, x.oldState, x.newState) < (y.peer, y.oldState, y.newState)
            case let (.rib(x), .rib(y)):
                return input.ribs[x].collector < input.ribs[y].collector
            case let (.settleEnd(x), .settleEnd(y)): return x < y
            case let (.gapStart(x), .gapStart(y)): return x < y
            case let (.gapEnd(x), .gapEnd(y)): return x < y
            default: return false
            }
        }
        var current = blocks.map { _ in Segment(start: input.from, yes: 0, known: 0, down: false, unknown: true, noPeers: []) }
        var sessionDownSince: [Int: Int64] = [:]
        var k = 0
        while k < items.count {
            let t = items[k].0
            while k < items.count && items[k].0 == t {
                switch items[k].1 {
                case .rib(let ri):
                    let r = input.ribs[ri]
                    let ci = collectorIndex[r.collector] ?? 0
                    let max4 = r.tableSizes.values.map(\.ipv4).max() ?? 0
                    let max6 = r.tableSizes.values.map(\.ipv6).max() ?? 0
                    for (pi, ps) in peers.enumerated() where ps.collector == ci {
                        guard let size = r.tableSizes[pi] else {
                            peers[pi].eligible4 = false
                            peers[pi].eligible6 = false
                            peers[pi].synced = true
                            peers[pi].table = [:]
                            continue
                        }
                        peers[pi].eligible4 = Double(size.ipv4) >= p.fullFeedRatio * Double(max4) && max4 > 0
                            || (p.fullFeedMinIPv4.map { size.ipv4 >= $0 } ?? false)
                        peers[pi].eligible6 = Double(size.ipv6) >= p.fullFeedRatio * Double(max6) && max6 > 0
                            || (p.fullFeedMinIPv6.map { size.ipv6 >= $0 } ?? false)
                        let routes = r.routes[pi] ?? [:]
                        if peers[pi].synced && !peers[pi].gapUnknown && peers[pi].sessionUp
                            && Set(peers[pi].table.keys) != Set(routes.keys) {
                            ribDisagreements += 1
                        }
                        peers[pi].table = routes
                        peers[pi].synced = true
                        if !inGap[ci] { peers[pi].gapUnknown = false }
                    }
                case .session(let s):
                    guard s.peer < peers.count else { break }
                    if s.newState == 6 {
                        peers[s.peer].sessionUp = true
                        peers[s.peer].settleUntil = s.time + p.settleSeconds * 1_000_000
                        if let since = sessionDownSince.removeValue(forKey: s.peer) {
                            discounted.append(Discounted(kind: "session_reset", what: Self.describe(input.peers[s.peer]),
                                                         start: since, end: s.time + p.settleSeconds * 1_000_000))
                        }
                    } else if s.oldState == 6 || peers[s.peer].sessionUp {
                        peers[s.peer].sessionUp = false
                        peers[s.peer].table = [:]
                        if sessionDownSince[s.peer] == nil { sessionDownSince[s.peer] = s.time }
                    }
                case .settleEnd:
                    break
                case .observation(let o):
                    guard o.peer < peers.count else { break }
                    var a = 0, w = 0, pc = 0
                    switch o.kind {
                    case .announce:
                        let path = o.asPath ?? ""
                        if let old = peers[o.peer].table[o.prefix], old != path { pc = 1 }
                        peers[o.peer].table[o.prefix] = path
                        a = 1
                    case .withdraw:
                        peers[o.peer].table.removeValue(forKey: o.prefix)
                        w = 1
                    }
                    churnTimes.append((o.time, a, w, pc))
                    if !ribCollectors.contains(collectors[peers[o.peer].collector]) { peers[o.peer].synced = true }
                    if !inGap[peers[o.peer].collector] { peers[o.peer].gapUnknown = false }
                    // An update means the session is up, whatever state changes were missed.
                    if !peers[o.peer].sessionUp && sessionDownSince[o.peer] == nil { peers[o.peer].sessionUp = true }
                case .gapStart(let ci):
                    inGap[ci] = true
                    for pi in peers.indices where peers[pi].collector == ci { peers[pi].gapUnknown = true }
                case .gapEnd(let ci):
                    inGap[ci] = false
                }
                k += 1
            }
            // Evaluate every block once per instant.
            for (bi, block) in blocks.enumerated() {
                var yes = 0, known = 0
                var noPeers: [Int] = []
                for (pi, ps) in peers.enumerated() {
                    guard block.isIPv4 ? ps.eligible4 : ps.eligible6 else { continue }
                    guard ps.synced, ps.sessionUp, t >= ps.settleUntil, !ps.gapUnknown else { continue }
                    known += 1
                    eligibleEver.insert(pi)
                    if ps.table.keys.contains(where: { $0.contains(block) }) { yes += 1 } else { noPeers.append(pi) }
                }
                let unknown = known < p.minPeers
                let down = !unknown && Double(yes) < p.visibleRatio * Double(known)
                let seg = Segment(start: max(t, input.from), yes: yes, known: known, down: down, unknown: unknown, noPeers: down ? noPeers : [])
                let cur = current[bi]
                if cur.yes != seg.yes || cur.known != seg.known || cur.down != seg.down || cur.unknown != seg.unknown || cur.noPeers != seg.noPeers {
                    if t <= input.from {
                        current[bi] = seg
                    } else if t < input.to {
                        if segments[bi].isEmpty { segments[bi].append(current[bi]) }
                        if segments[bi].last?.start == seg.start { segments[bi][segments[bi].count - 1] = seg } else { segments[bi].append(seg) }
                        current[bi] = seg
                    }
                }
            }
        }
        for bi in blocks.indices where segments[bi].isEmpty { segments[bi].append(current[bi]) }
        for (peer, since) in sessionDownSince {
            discounted.append(Discounted(kind: "session_reset", what: Self.describe(input.peers[peer]), start: since, end: input.to))
        }
        discounted.sort { ($0.start, $0.kind, $0.what) < ($1.start, $1.kind, $1.what) }
    }

    static func describe(_ p: PeerRef) -> String { "\(p.collector) \(p.ip) AS\(p.asn)" }

    /// Session resets of eligible peers and data gaps of collectors with
    /// eligible peers: the things that were discounted because they mattered.
    var relevantDiscounted: [Discounted] {
        let peerNames = Set(eligibleEver.map { Self.describe(input.peers[$0]) })
        let collectorNames = Set(eligibleEver.map { input.peers[$0].collector })
        return discounted.filter { $0.kind == "session_reset" ? peerNames.contains($0.what) : collectorNames.contains($0.what) }
    }
}
