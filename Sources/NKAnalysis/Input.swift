import MRT
import NKModel

/// A RIB dump of one collector: every peer's table size, and the in-scope
/// routes each peer had (prefix → AS path) — given here, or read from the
/// data source (`AnalysisDataSource.routes(of:)`) when the dump is applied.
public struct RIBDump: Sendable {
    public var collector: String
    public var time: Timestamp
    public var tableSizes: [Peer: TableSize]
    public var routes: [Peer: [Prefix: String]]?
    /// Where the data source finds the routes (a store's file id).
    public var key: Int64?
    /// Whether the dump decoded to its end. One that did not (truncated,
    /// damaged) re-synchronises no peer and decides no eligibility.
    public var complete: Bool
    /// The file, for messages (its path or name).
    public var name: String?
    public init(collector: String, time: Timestamp, tableSizes: [Peer: TableSize], routes: [Peer: [Prefix: String]]?, key: Int64? = nil,
                complete: Bool = true, name: String? = nil) {
        self.collector = collector
        self.time = time
        self.tableSizes = tableSizes
        self.routes = routes
        self.key = key
        self.complete = complete
        self.name = name
    }

    /// The largest table in the dump (IPv4 + IPv6 prefixes of one peer).
    public var largestTable: Int { tableSizes.values.map { $0.ipv4 + $0.ipv6 }.max() ?? 0 }
}

/// Where the analysis reads the large parts of its input from, one piece at
/// a time, so that its memory grows with the scope (blocks × peers), not with
/// the number of events: a store, or arrays in tests.
public protocol AnalysisDataSource {
    /// Every in-scope announcement and withdrawal, in time order.
    func forEachObservation(_ body: (RouteEvent) throws -> Void) throws
    /// The in-scope routes of a RIB dump whose `routes` are not given.
    func routes(of dump: RIBDump) throws -> [Peer: [Prefix: String]]
}

/// Observations held in memory (tests, small inputs).
public struct ArrayDataSource: AnalysisDataSource {
    public var observations: [RouteEvent]
    public init(_ observations: [RouteEvent]) {
        self.observations = observations.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }
    public func forEachObservation(_ body: (RouteEvent) throws -> Void) throws { for o in observations { try body(o) } }
    public func routes(of dump: RIBDump) throws -> [Peer: [Prefix: String]] { dump.routes ?? [:] }
}

/// Everything the analysis reads, in the shared vocabulary. No I/O happens
/// past this point but through `source`.
public struct AnalysisInput {
    public var scopePrefixes: [Prefix]
    /// Every prefix announced or in a RIB dump (in scope): the blocks come from these.
    public var announced: Set<Prefix>
    public var peers: [Peer]
    public var source: any AnalysisDataSource
    public var ribs: [RIBDump]
    public var sessions: [SessionChange]
    /// Update-file coverage per collector. A collector with no intervals is
    /// taken as fully covered.
    public var coverage: [CollectorInterval]
    /// The analysed range, [from, to).
    public var from: Timestamp
    public var to: Timestamp

    public init(scopePrefixes: [Prefix], announced: Set<Prefix>, peers: [Peer], source: any AnalysisDataSource, ribs: [RIBDump] = [],
                sessions: [SessionChange] = [], coverage: [CollectorInterval] = [], from: Timestamp, to: Timestamp) {
        self.scopePrefixes = scopePrefixes
        self.announced = announced
        self.peers = peers
        self.source = source
        self.ribs = ribs
        self.sessions = sessions
        self.coverage = coverage
        self.from = from
        self.to = to
    }

    /// An input held in memory: the announced prefixes are taken from the
    /// observations and the RIB dumps' routes.
    public init(scopePrefixes: [Prefix], peers: [Peer], observations: [RouteEvent] = [], ribs: [RIBDump] = [],
                sessions: [SessionChange] = [], coverage: [CollectorInterval] = [], from: Timestamp, to: Timestamp) {
        var announced = Set(observations.filter { $0.kind == .announce }.map(\.prefix))
        for r in ribs { for routes in (r.routes ?? [:]).values { announced.formUnion(routes.keys) } }
        self.init(scopePrefixes: scopePrefixes, announced: announced, peers: peers, source: ArrayDataSource(observations), ribs: ribs,
                  sessions: sessions, coverage: coverage, from: from, to: to)
    }
}

/// Every threshold of the method (docs/method.md), recorded in each result.
/// The defaults here are the only place they are defined; the command line
/// takes its defaults from them.
public struct Parameters: Sendable, Codable, Equatable {
    public var binSeconds: Int64 = 300
    /// A block is up when at least this share of eligible peers with a known state reach it (IODA: 0.5).
    public var visibleRatio: Double = 0.5
    /// Fewer eligible peers with a known state than this: unknown.
    public var minPeers: Int = 3
    /// Full feed: at least this share of the largest table at the collector.
    public var fullFeedRatio: Double = 0.8
    /// Or at least this many IPv4 / IPv6 prefixes (IODA: 400 000 / 10 000); nil: ratio only.
    public var fullFeedMinIPv4: Int?
    public var fullFeedMinIPv6: Int?
    /// After a session comes back, its peer is unknown for this long.
    public var settleSeconds: Int64 = 900
    /// At least `hardExtent` of the routed address space down at least this
    /// long: hard outage; an episode at least this long otherwise: partial outage.
    public var hardMinSeconds: Int64 = 3600
    /// The share of the scope's routed address space (in /24 equivalents)
    /// that must be down for an outage to be hard; 1: all of it (Dyn's
    /// "4 of 4 down hard"); a country is usually read at 0.9 or less (IODA
    /// reads a drop of routed /24s).
    public var hardExtent: Double = 1.0
    /// Up stretches shorter than this do not split an episode (BGP
    /// convergence: a route withdrawn and back within seconds). Episodes come
    /// from event times, not bins.
    public var mergeGapSeconds: Int64 = 60
    /// No other episode within this: isolated; gaps shorter than this cluster episodes.
    public var isolationSeconds: Int64 = 21600
    /// Episodes that make a cluster continuous instability.
    public var minClusterEpisodes: Int = 3
    /// A RIB dump whose largest table holds less than this share of the
    /// median largest table of its collector's dumps is incomplete (a dump
    /// cut short that still decompresses): it re-synchronises no peer.
    public var incompleteRIBRatio: Double = 0.5
    /// Trailing baseline for the instability score.
    public var baselineSeconds: Int64 = 7 * 86400

    public init() {}

    /// Bin size in microseconds.
    var binMicroseconds: Int64 { binSeconds * 1_000_000 }
}
