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
        let parts = path.split(separator: "/").map(String.init)
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
        s.count >= 4 && s.hasPrefix("rrc") && s.dropFirst(3).allSatisfy(\.isNumber)
    }

    /// `YYYYMMDD.HHMM` anywhere in the name.
    static func timeInName(_ name: String) -> Int64? {
        let parts = name.split(separator: ".")
        for (i, p) in parts.enumerated() where p.count == 8 && p.allSatisfy(\.isNumber) && i + 1 < parts.count {
            let hm = parts[i + 1]
            guard hm.count == 4, hm.allSatisfy(\.isNumber),
                  let y = Int64(p.prefix(4)), let m = Int64(p.dropFirst(4).prefix(2)), let d = Int64(p.suffix(2)),
                  let hh = Int64(hm.prefix(2)), let mm = Int64(hm.suffix(2)),
                  (1...12).contains(m), (1...31).contains(d), hh < 24, mm < 60 else { continue }
            return UTCTime.daysFromCivil(y, m, d) * 86400 + hh * 3600 + mm * 60
        }
        return nil
    }
}

