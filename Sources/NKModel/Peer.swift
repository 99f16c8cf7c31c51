import MRT

/// Where a collector's archive comes from; it decides the file layout and
/// the cadence of its dumps.
public enum Project: String, Sendable, Codable, CaseIterable {
    /// RouteViews: bzip2, updates every 15 min, RIB dumps every 2 h.
    case routeviews
    /// RIPE RIS: gzip, updates every 5 min, bview dumps every 8 h.
    case ris
    /// Anything else (a private collector, a flat folder of dumps).
    case other

    /// How long one update file covers, in seconds; nil when the project does
    /// not say (it is then learned from the spacing of the files).
    public var updateInterval: Int64? {
        switch self {
        case .routeviews: return 15 * 60
        case .ris: return 5 * 60
        case .other: return nil
        }
    }

    /// How often the project writes a RIB dump, in seconds.
    public var ribInterval: Int64? {
        switch self {
        case .routeviews: return 2 * 3600
        case .ris: return 8 * 3600
        case .other: return nil
        }
    }
}

/// A route collector: its name (`route-views2`, `rrc00`, …) and its project.
public struct Collector: Hashable, Sendable, Codable, Comparable {
    public var name: String
    public var project: Project
    public init(name: String, project: Project) {
        self.name = name
        self.project = project
    }
    public static func < (a: Collector, b: Collector) -> Bool { a.name < b.name }
}

/// A BGP peer as nkwatch counts it: (collector, peer IP, peer AS).
public struct Peer: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public var collector: String
    public var ip: IPAddress
    public var asn: UInt32

    public init(collector: String, ip: IPAddress, asn: UInt32) {
        self.collector = collector
        self.ip = ip
        self.asn = asn
    }

    public static func < (a: Peer, b: Peer) -> Bool {
        (a.collector, a.ip, a.asn) < (b.collector, b.ip, b.asn)
    }

    /// `rrc00 193.0.0.1 AS1299`.
    public var description: String { "\(collector) \(ip) AS\(asn)" }
}
