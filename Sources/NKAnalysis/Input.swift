import MRT

/// A peer: (collector, peer IP, peer AS).
public struct PeerRef: Hashable, Sendable, Comparable, Codable {
    public var collector: String
    public var ip: String
    public var asn: UInt32
    public init(collector: String, ip: String, asn: UInt32) {
        self.collector = collector
        self.ip = ip
        self.asn = asn
    }
    public static func < (a: PeerRef, b: PeerRef) -> Bool {
        (a.collector, a.ip, a.asn) < (b.collector, b.ip, b.asn)
    }
}

/// One in-scope route change seen from one peer.
public struct RouteObservation: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case announce, withdraw }
    /// Microseconds since the epoch.
    public var time: Int64
    /// Index into `AnalysisInput.peers`.
    public var peer: Int
    public var prefix: Prefix
    public var kind: Kind
    public var asPath: String?
    public init(time: Int64, peer: Int, prefix: Prefix, kind: Kind, asPath: String? = nil) {
        self.time = time
        self.peer = peer
        self.prefix = prefix
        self.kind = kind
        self.asPath = asPath
    }
}

/// A RIB dump of one collector: every peer's table size, and the in-scope
/// routes each peer had.
public struct RIBSnapshot: Sendable {
    public var collector: String
    public var time: Int64
    /// Per peer index: (IPv4 prefixes, IPv6 prefixes).
    public var tableSizes: [Int: (ipv4: Int, ipv6: Int)]
    /// Per peer index: in-scope prefixes and their AS paths.
    public var routes: [Int: [Prefix: String]]
    public init(collector: String, time: Int64, tableSizes: [Int: (ipv4: Int, ipv6: Int)], routes: [Int: [Prefix: String]]) {
        self.collector = collector
        self.time = time
        self.tableSizes = tableSizes
        self.routes = routes
    }
}

/// A BGP session state change (RFC 4271 FSM; 6 is Established).
public struct SessionChange: Sendable, Hashable {
    public var time: Int64
    public var peer: Int
    public var oldState: UInt16
    public var newState: UInt16
    public init(time: Int64, peer: Int, oldState: UInt16, newState: UInt16) {
        self.time = time
        self.peer = peer
        self.oldState = oldState
        self.newState = newState
    }
}

/// A time a collector's update files cover, [start, end) in microseconds.
public struct CoverageInterval: Sendable, Hashable {
    public var collector: String
    public var start: Int64
    public var end: Int64
    public init(collector: String, start: Int64, end: Int64) {
        self.collector = collector
        self.start = start
        self.end = end
    }
}

/// Everything the analysis reads: a time-ordered event source (the store, or
/// hand-built sequences in tests). No I/O happens past this point.
public struct AnalysisInput: Sendable {
    public var scopePrefixes: [Prefix]
    public var peers: [PeerRef]
    public var observations: [RouteObservation]
    public var ribs: [RIBSnapshot]
    public var sessions: [SessionChange]
    /// Update-file coverage per collector. A collector with no intervals is
    /// taken as fully covered.
    public var coverage: [CoverageInterval]
    /// Analysed range, microseconds, [from, to).
    public var from: Int64
    public var to: Int64

    public init(scopePrefixes: [Prefix], peers: [PeerRef], observations: [RouteObservation] = [], ribs: [RIBSnapshot] = [],
                sessions: [SessionChange] = [], coverage: [CoverageInterval] = [], from: Int64, to: Int64) {
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
}
