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
    public init(collector: String, time: Timestamp, tableSizes: [Peer: TableSize], routes: [Peer: [Prefix: String]]?, key: Int64? = nil) {
        self.collector = collector
        self.time = time
        self.tableSizes = tableSizes
        self.routes = routes
        self.key = key
    }
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
    /// All blocks down at least this long: hard outage.
    public var hardMinSeconds: Int64 = 3600
    /// No other episode within this: isolated; gaps shorter than this cluster episodes.
    public var isolationSeconds: Int64 = 21600
    /// Episodes that make a cluster continuous instability.
    public var minClusterEpisodes: Int = 3
    /// Trailing baseline for the instability score.
    public var baselineSeconds: Int64 = 7 * 86400

    public init() {}

    /// Bin size in microseconds.
    var binMicroseconds: Int64 { binSeconds * 1_000_000 }
}
