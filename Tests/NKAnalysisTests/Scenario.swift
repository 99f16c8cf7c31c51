import MRT
@testable import NKAnalysis

/// Hand-built event sequences: collectors with full-feed peers that all carry
/// North Korea's four /24s from a RIB dump at t0, and outages written as
/// withdrawals and re-announcements.
struct Scenario {
    static let t0: Int64 = 1_419_120_000 * 1_000_000 // 2014-12-21T00:00:00Z
    static let minute: Int64 = 60_000_000
    static let hour: Int64 = 60 * minute
    static let kp = (176...179).map { Prefix("175.45.\($0).0/24")! }
    static let slash22 = Prefix("175.45.176.0/22")!

    var peers: [PeerRef] = []
    var observations: [RouteObservation] = []
    var ribs: [RIBSnapshot] = []
    var sessions: [SessionChange] = []
    var coverage: [CoverageInterval] = []
    var from = Scenario.t0
    var to = Scenario.t0 + 48 * Scenario.hour

    /// `count` full-feed peers at `collector`, all carrying the four /24s in a RIB dump at t0.
    init(collectors: [String] = ["rrc00"], peersPerCollector: Int = 10, hours: Int64 = 48) {
        to = Scenario.t0 + hours * Scenario.hour
        for c in collectors {
            var sizes: [Int: (ipv4: Int, ipv6: Int)] = [:]
            var routes: [Int: [Prefix: String]] = [:]
            for i in 0..<peersPerCollector {
                let idx = peers.count
                peers.append(PeerRef(collector: c, ip: "10.\(collectors.firstIndex(of: c)!).0.\(i + 1)", asn: 3300 + UInt32(i)))
                sizes[idx] = (500_000 + i, 20_000)
                routes[idx] = Dictionary(uniqueKeysWithValues: Scenario.kp.map { ($0, "\(3300 + i) 4837 131279") })
            }
            ribs.append(RIBSnapshot(collector: c, time: Scenario.t0, tableSizes: sizes, routes: routes))
            coverage.append(CoverageInterval(collector: c, start: Scenario.t0, end: to))
        }
    }

    func peerIndices(_ collector: String? = nil) -> [Int] {
        peers.indices.filter { collector == nil || peers[$0].collector == collector }
    }

    /// Withdraws `blocks` at `peers` from `start` and announces them back at `end`.
    mutating func outage(_ start: Int64, _ end: Int64, blocks: [Int] = [0, 1, 2, 3], peers which: [Int]? = nil) {
        for p in which ?? peerIndices() {
            for b in blocks {
                observations.append(RouteObservation(time: start, peer: p, prefix: Scenario.kp[b], kind: .withdraw))
                observations.append(RouteObservation(time: end, peer: p, prefix: Scenario.kp[b], kind: .announce, asPath: "\(peers[p].asn) 4837 131279"))
            }
        }
    }

    var input: AnalysisInput {
        AnalysisInput(scopePrefixes: [Scenario.slash22], peers: peers, observations: observations, ribs: ribs, sessions: sessions,
                      coverage: coverage, from: from, to: to)
    }

    func analyze(_ p: Parameters = Parameters()) -> AnalysisResult { Analyzer.analyze(input, parameters: p) }
}
