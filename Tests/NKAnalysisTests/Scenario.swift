import MRT
import NKModel
@testable import NKAnalysis

/// Times in these tests: a `Timestamp` plus microseconds.
func + (t: Timestamp, us: Int64) -> Timestamp { t.adding(microseconds: us) }
/// Microseconds from `b` to `a`.
func - (a: Timestamp, b: Timestamp) -> Int64 { a.microseconds - b.microseconds }

/// Hand-built event sequences: collectors with full-feed peers that all carry
/// North Korea's four /24s from a RIB dump at t0, and outages written as
/// withdrawals and re-announcements.
struct Scenario {
    static let t0 = Timestamp(seconds: 1_419_120_000) // 2014-12-21T00:00:00Z
    static let minute: Int64 = 60_000_000
    static let hour: Int64 = 60 * minute
    static let kp = (176...179).map { Prefix("175.45.\($0).0/24")! }
    static let slash22 = Prefix("175.45.176.0/22")!

    var peers: [Peer] = []
    var observations: [RouteEvent] = []
    var ribs: [RIBDump] = []
    var sessions: [SessionChange] = []
    var coverage: [CollectorInterval] = []
    var from = Scenario.t0
    var to = Scenario.t0 + 48 * Scenario.hour
    var scope = [Scenario.slash22]

    /// `peersPerCollector` full-feed peers at each collector, all carrying the four /24s in a RIB dump at t0.
    init(collectors: [String] = ["rrc00"], peersPerCollector: Int = 10, hours: Int64 = 48) {
        to = Scenario.t0 + hours * Scenario.hour
        for (ci, c) in collectors.enumerated() {
            var sizes: [Peer: TableSize] = [:]
            var routes: [Peer: [Prefix: String]] = [:]
            for i in 0..<peersPerCollector {
                let peer = Peer(collector: c, ip: IPAddress("10.\(ci).0.\(i + 1)")!, asn: 3300 + UInt32(i))
                peers.append(peer)
                sizes[peer] = TableSize(ipv4: 500_000 + i, ipv6: 20_000)
                routes[peer] = Dictionary(uniqueKeysWithValues: Scenario.kp.map { ($0, "\(3300 + i) 4837 131279") })
            }
            ribs.append(RIBDump(collector: c, time: Scenario.t0, tableSizes: sizes, routes: routes))
            coverage.append(CollectorInterval(collector: c, start: Scenario.t0, end: to))
        }
    }

    func peerIndices(_ collector: String? = nil) -> [Int] {
        peers.indices.filter { collector == nil || peers[$0].collector == collector }
    }

    /// An announcement (with `path`) or withdrawal of `prefix` at peer index `peer`.
    func event(_ time: Timestamp, _ peer: Int, _ prefix: Prefix, _ kind: ElementKind, path: String? = nil) -> RouteEvent {
        RouteEvent(time: time, peer: peers[peer], kind: kind, prefix: prefix, asPath: path)
    }

    /// Adds a peer and its table size in the first RIB dump of its collector.
    mutating func addPeer(_ collector: String, ip: String, asn: UInt32, table: TableSize) {
        let peer = Peer(collector: collector, ip: IPAddress(ip)!, asn: asn)
        peers.append(peer)
        if let i = ribs.firstIndex(where: { $0.collector == collector }) { ribs[i].tableSizes[peer] = table }
    }

    /// Withdraws `blocks` at `peers` from `start` and announces them back at `end`.
    mutating func outage(_ start: Timestamp, _ end: Timestamp, blocks: [Int] = [0, 1, 2, 3], peers which: [Int]? = nil) {
        for p in which ?? peerIndices() {
            for b in blocks {
                observations.append(event(start, p, Scenario.kp[b], .withdraw))
                observations.append(event(end, p, Scenario.kp[b], .announce, path: "\(peers[p].asn) 4837 131279"))
            }
        }
    }

    var input: AnalysisInput {
        AnalysisInput(scopePrefixes: scope, peers: peers, observations: observations, ribs: ribs, sessions: sessions,
                      coverage: coverage, from: from, to: to)
    }

    func analyze(_ p: Parameters = Parameters()) throws -> AnalysisResult { try Analyzer.analyze(input, parameters: p) }
}
