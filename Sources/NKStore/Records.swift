/// The scope a store was ingested with (recorded in `meta`).
public struct StoredScope: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Target prefixes, text form, sorted.
    public var prefixes: [String]
    public var originASNs: [UInt32]
    /// ISO country code when the scope came from `--country`.
    public var country: String?

    public init(prefixes: [String], originASNs: [UInt32], country: String? = nil) {
        self.prefixes = prefixes
        self.originASNs = originASNs
        self.country = country
    }

    public var description: String {
        var parts: [String] = []
        if let country { parts.append("country \(country)") }
        parts.append("prefixes " + (prefixes.isEmpty ? "none" : prefixes.joined(separator: ", ")))
        parts.append("origin ASNs " + (originASNs.isEmpty ? "none" : originASNs.map(String.init).joined(separator: ", ")))
        return parts.joined(separator: "; ")
    }
}

/// A peer as a collector sees it.
public struct PeerKey: Hashable, Sendable, Comparable {
    public var ip: String
    public var asn: UInt32
    public init(ip: String, asn: UInt32) {
        self.ip = ip
        self.asn = asn
    }
    public static func < (a: PeerKey, b: PeerKey) -> Bool { a.ip == b.ip ? a.asn < b.asn : a.ip < b.ip }
}

/// An in-scope route event.
public struct RouteEvent: Hashable, Sendable {
    public enum Kind: String, Sendable { case announce = "A", withdraw = "W", rib = "R" }
    public var timeMicros: Int64
    public var peer: PeerKey
    public var kind: Kind
    public var prefix: String
    public var asPath: String?
    public var originASN: UInt32?
    public var nextHop: String?
    public init(timeMicros: Int64, peer: PeerKey, kind: Kind, prefix: String, asPath: String? = nil, originASN: UInt32? = nil, nextHop: String? = nil) {
        self.timeMicros = timeMicros
        self.peer = peer
        self.kind = kind
        self.prefix = prefix
        self.asPath = asPath
        self.originASN = originASN
        self.nextHop = nextHop
    }
}

/// A BGP session state change (RFC 4271 FSM states).
public struct PeerStateChange: Hashable, Sendable {
    public var timeMicros: Int64
    public var peer: PeerKey
    public var oldState: UInt16
    public var newState: UInt16
    public init(timeMicros: Int64, peer: PeerKey, oldState: UInt16, newState: UInt16) {
        self.timeMicros = timeMicros
        self.peer = peer
        self.oldState = oldState
        self.newState = newState
    }
}

/// One peer's table size in one RIB dump.
public struct RIBTableSize: Hashable, Sendable {
    public var time: Int64
    public var peer: PeerKey
    public var ipv4Prefixes: Int
    public var ipv6Prefixes: Int
    public init(time: Int64, peer: PeerKey, ipv4Prefixes: Int, ipv6Prefixes: Int) {
        self.time = time
        self.peer = peer
        self.ipv4Prefixes = ipv4Prefixes
        self.ipv6Prefixes = ipv6Prefixes
    }
}

/// Everything one file contributes to the store, written in one transaction.
public struct FileIngest: Equatable, Sendable {
    public enum Kind: String, Sendable { case rib, updates, unknown }
    public enum Status: String, Sendable { case ok, damaged }

    public var path: String
    public var sha256: String
    public var size: Int
    public var compression: String
    public var collector: String
    /// `routeviews`, `ris`, or `other`.
    public var project: String
    public var kind: Kind
    /// Time in the file name (seconds), when the name carries one.
    public var fileTime: Int64?
    /// The time the file's data covers, [start, end) in seconds; for a
    /// damaged file, up to its last good record.
    public var coverageStart: Int64?
    public var coverageEnd: Int64?
    public var firstTime: Int64?
    public var lastTime: Int64?
    public var records: Int
    public var elements: Int
    public var status: Status
    public var errors: [String]
    public var events: [RouteEvent]
    public var states: [PeerStateChange]
    public var ribTables: [RIBTableSize]
    /// Elements per 5-minute bin (bin start, seconds).
    public var bins: [Int64: Int]

    public init(path: String, sha256: String, size: Int, compression: String, collector: String, project: String, kind: Kind) {
        self.path = path
        self.sha256 = sha256
        self.size = size
        self.compression = compression
        self.collector = collector
        self.project = project
        self.kind = kind
        records = 0
        elements = 0
        status = .ok
        errors = []
        events = []
        states = []
        ribTables = []
        bins = [:]
    }
}

/// A stretch of time a collector's update files do not cover.
public struct CoverageGap: Hashable, Sendable {
    public var collector: String
    public var start: Int64
    public var end: Int64
    public init(collector: String, start: Int64, end: Int64) {
        self.collector = collector
        self.start = start
        self.end = end
    }
}
