import MRT
import NKModel

/// A RIB dump of one collector: every peer's table size, and the in-scope
/// routes each peer had (prefix → AS path).
public struct RIBDump: Sendable {
    public var collector: String
    public var time: Timestamp
    public var tableSizes: [Peer: TableSize]
    public var routes: [Peer: [Prefix: String]]
    public init(collector: String, time: Timestamp, tableSizes: [Peer: TableSize], routes: [Peer: [Prefix: String]]) {
        self.collector = collector
        self.time = time
        self.tableSizes = tableSizes
        self.routes = routes
    }
}

/// Everything the analysis reads: what the store (or a test) holds, in the
/// shared vocabulary. No I/O happens past this point.
public struct AnalysisInput: Sendable {
    public var scopePrefixes: [Prefix]
    public var peers: [Peer]
    /// In-scope announcements and withdrawals, in any order.
    public var observations: [RouteEvent]
    public var ribs: [RIBDump]
    public var sessions: [SessionChange]
    /// Update-file coverage per collector. A collector with no intervals is
    /// taken as fully covered.
    public var coverage: [CollectorInterval]
    /// The analysed range, [from, to).
    public var from: Timestamp
    public var to: Timestamp

    public init(scopePrefixes: [Prefix], peers: [Peer], observations: [RouteEvent] = [], ribs: [RIBDump] = [],
                sessions: [SessionChange] = [], coverage: [CollectorInterval] = [], from: Timestamp, to: Timestamp) {
        self.scopePrefixes = scopePrefixes
        self.peers = peers
        self.observations = observations
        self.ribs = ribs
        self.sessions = sessions
        self.coverage = coverage
        self.from = from
        self.to = to
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
