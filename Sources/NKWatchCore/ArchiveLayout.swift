import MRT
import NKAnalysis

/// What a file's path says about it, following the RouteViews
/// (`route-views2/bgpdata/2014.12/UPDATES/updates.20141222.1615.bz2`, RIBs in
/// `RIBS/rib.*`) and RIPE RIS (`rrc00/2014.12/updates.20141222.1615.gz`,
/// `bview.*`) archive layouts.
public struct ArchiveLayout: Sendable, Equatable {
    public enum Kind: String, Sendable { case rib, updates, unknown }

    public var collector: String
    /// `routeviews`, `ris`, or `other`.
    public var project: String
    public var kind: Kind
    /// Time in the file name, seconds since the epoch.
    public var fileTime: Int64?

    public init(collector: String, project: String, kind: Kind, fileTime: Int64?) {
        self.collector = collector
        self.project = project
        self.kind = kind
        self.fileTime = fileTime
    }

    /// How long one update file of the project covers.
    public var updateInterval: Int64? {
        switch project {
        case "routeviews": return 15 * 60
        case "ris": return 5 * 60
        default: return nil
        }
    }

    public static func parse(path: String, collectorOverride: String? = nil) -> ArchiveLayout {
        // Split on the UTF-8 bytes: String.split works on Characters, which
        // cost more than decoding a small update file.
        let parts = Array(path.utf8).split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
        let name = parts.last ?? path
        let lower = name.lowercased()
        var kind: Kind = .unknown
        if lower.hasPrefix("updates.") { kind = .updates }
        if lower.hasPrefix("rib.") || lower.hasPrefix("bview.") || lower.hasPrefix("ribs.") { kind = .rib }
        var collector: String? = nil
        var project = "other"
        if let i = parts.lastIndex(where: { isRISCollector($0) }) {
            collector = parts[i]
            project = "ris"
        } else if let i = parts.lastIndex(of: "bgpdata") {
            project = "routeviews"
            // RouteViews keeps route-views2 at the archive root: bgpdata/... without a collector folder.
            if i > 0, parts[i - 1].hasPrefix("route-views") { collector = parts[i - 1] } else { collector = "route-views2" }
        } else if let c = parts.dropLast().last(where: { $0.hasPrefix("route-views") }) {
            project = "routeviews"
            collector = c
        }
        if let override = collectorOverride {
            collector = override
        }
        let fallback = parts.count >= 2 ? parts[parts.count - 2] : "unknown"
        return ArchiveLayout(collector: collector ?? fallback, project: project, kind: kind, fileTime: timeInName(name))
    }

    static func isRISCollector(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return u.count >= 4 && u[0] == UInt8(ascii: "r") && u[1] == UInt8(ascii: "r") && u[2] == UInt8(ascii: "c")
            && u[3...].allSatisfy(isDigit)
    }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// `YYYYMMDD.HHMM` anywhere in the name. Works on the UTF-8 bytes:
    /// `Character.isNumber` (Unicode properties, grapheme breaking) cost more
    /// than decoding a small update file.
    static func timeInName(_ name: String) -> Int64? {
        let parts = Array(name.utf8).split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        func number(_ digits: ArraySlice<UInt8>) -> Int64 {
            digits.reduce(0) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
        }
        for i in parts.indices where i + 1 < parts.count {
            let p = parts[i], hm = parts[i + 1]
            guard p.count == 8, p.allSatisfy(isDigit), hm.count == 4, hm.allSatisfy(isDigit) else { continue }
            let ds = p.startIndex, hs = hm.startIndex
            let y = number(p[ds..<(ds + 4)]), m = number(p[(ds + 4)..<(ds + 6)]), d = number(p[(ds + 6)..<(ds + 8)])
            let hh = number(hm[hs..<(hs + 2)]), mm = number(hm[(hs + 2)..<(hs + 4)])
            guard (1...12).contains(m), (1...31).contains(d), hh < 24, mm < 60 else { continue }
            return UTCTime.daysFromCivil(y, m, d) * 86400 + hh * 3600 + mm * 60
        }
        return nil
    }
}
