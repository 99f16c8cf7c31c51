import Foundation
import NKArchive
import NKModel

/// Where the public archives live, and mirrors of them.
public struct ArchiveSites: Sendable, Equatable {
    /// RouteViews: route-views2 at the root (`/bgpdata/YYYY.MM/UPDATES/`),
    /// the others under `/route-views.X/bgpdata/…`.
    public var routeViews: URL
    /// RIPE RIS: `/rrcNN/YYYY.MM/`.
    public var ris: URL

    public static let publicArchives = ArchiveSites(routeViews: URL(string: "https://archive.routeviews.org")!,
                                                   ris: URL(string: "https://data.ris.ripe.net")!)

    public init(routeViews: URL, ris: URL) {
        self.routeViews = routeViews
        self.ris = ris
    }

    func base(_ project: Project) -> URL { project == .ris ? ris : routeViews }
}

/// A month of an archive: `2014.12`.
public struct ArchiveMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int64
    public var month: Int64

    public init(year: Int64, month: Int64) {
        self.year = year
        self.month = month
    }

    public init(_ t: Timestamp) {
        let s = t.seconds
        let d = UTCCalendar.civil(fromDays: s >= 0 ? s / 86400 : (s - 86399) / 86400)
        year = d.year
        month = d.month
    }

    public var description: String { String(format: "%04lld.%02lld", year, month) }
    public var start: Timestamp { Timestamp(seconds: UTCCalendar.days(year: year, month: month, day: 1) * 86400) }
    public var next: ArchiveMonth { month == 12 ? ArchiveMonth(year: year + 1, month: 1) : ArchiveMonth(year: year, month: month + 1) }
    public var previous: ArchiveMonth { month == 1 ? ArchiveMonth(year: year - 1, month: 12) : ArchiveMonth(year: year, month: month - 1) }
    public static func < (a: ArchiveMonth, b: ArchiveMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }

    /// Every month that [from, to) touches.
    public static func covering(from: Timestamp, to: Timestamp) -> [ArchiveMonth] {
        var out: [ArchiveMonth] = []
        var m = ArchiveMonth(from)
        let last = ArchiveMonth(to.adding(microseconds: -1))
        while m <= last {
            out.append(m)
            m = m.next
        }
        return out
    }
}

/// A collector of the public archives: where its files are listed, and
/// where they go in the cache (the archives' own layout, as `ingest DIR`
/// reads it and as `SampleData/kp-2014-12` is laid out).
public struct ArchiveCollector: Hashable, Sendable {
    public var name: String
    public var project: Project

    /// `rrc00`…: RIS; `route-views2`, `route-views3`, `route-views.linx`…: RouteViews.
    public static func named(_ name: String) -> ArchiveCollector? {
        if ArchiveLayout.isRISCollector(name) { return ArchiveCollector(name: name, project: .ris) }
        if name.hasPrefix("route-views"), name.count > "route-views".count,
           name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "." }) {
            return ArchiveCollector(name: name, project: .routeviews)
        }
        return nil
    }

    /// The folders that list the collector's files for `month`, with the
    /// kind of file each holds (nil: both).
    public func listings(_ month: ArchiveMonth, sites: ArchiveSites) -> [(url: URL, kind: FileKind?)] {
        switch project {
        case .ris:
            return [(sites.ris.appendingPathComponent(name).appendingPathComponent(month.description, isDirectory: true), nil)]
        default:
            var root = sites.routeViews
            if name != "route-views2" { root = root.appendingPathComponent(name) }
            let dir = root.appendingPathComponent("bgpdata").appendingPathComponent(month.description)
            return [(dir.appendingPathComponent("UPDATES", isDirectory: true), .updates), (dir.appendingPathComponent("RIBS", isDirectory: true), .rib)]
        }
    }

    /// Where a file of the collector goes in the cache.
    public func cachePath(cache: String, month: ArchiveMonth, kind: FileKind, file: String) -> String {
        switch project {
        case .ris:
            return "\(cache)/\(name)/\(month)/\(file)"
        default:
            return "\(cache)/\(name)/bgpdata/\(month)/\(kind == .rib ? "RIBS" : "UPDATES")/\(file)"
        }
    }
}

/// One archive file to obtain.
public struct ArchiveFile: Hashable, Sendable {
    public var collector: ArchiveCollector
    public var kind: FileKind
    public var time: Timestamp
    public var name: String
    public var url: URL
    /// Where it goes in the cache.
    public var path: String
}

/// Update files a collector's listings lack inside the range, by its cadence.
public struct ListingGap: Hashable, Sendable {
    public var collector: String
    public var start: Timestamp
    public var end: Timestamp
    /// Update files the cadence expects there.
    public var files: Int
}

/// Which files a fetch wants from one collector's listings.
public enum FetchSelection {
    /// RIB dumps to fetch: none; the last at or before `from` (the starting
    /// state); or that one and every one inside the range.
    public enum RIBs: String, Sendable, CaseIterable { case all, first, none }

    /// The files of `listed` (name, kind, time) to fetch for [from, to).
    public static func select(_ listed: [(name: String, kind: FileKind, time: Timestamp, month: ArchiveMonth)], collector: ArchiveCollector,
                              from: Timestamp, to: Timestamp, ribs: RIBs, sites: ArchiveSites, cache: String,
                              url: (String, FileKind, ArchiveMonth) -> URL) -> [ArchiveFile] {
        func file(_ e: (name: String, kind: FileKind, time: Timestamp, month: ArchiveMonth)) -> ArchiveFile {
            ArchiveFile(collector: collector, kind: e.kind, time: e.time, name: e.name, url: url(e.name, e.kind, e.month),
                        path: collector.cachePath(cache: cache, month: e.month, kind: e.kind, file: e.name))
        }
        var out = listed.filter { $0.kind == .updates && $0.time >= from && $0.time < to }.map(file)
        if ribs != .none {
            let dumps = listed.filter { $0.kind == .rib }.sorted { $0.time < $1.time }
            if let start = dumps.last(where: { $0.time <= from }) { out.append(file(start)) }
            if ribs == .all { out += dumps.filter { $0.time > from && $0.time < to }.map(file) }
        }
        return out.sorted { ($0.time, $0.kind.rawValue, $0.name) < ($1.time, $1.kind.rawValue, $1.name) }
    }

    /// Stretches of [from, to) where the listing has no update file the
    /// collector's cadence (learned from the listing) calls for.
    public static func gaps(updateTimes: [Timestamp], collector: ArchiveCollector, from: Timestamp, to: Timestamp) -> [ListingGap] {
        let times = Array(Set(updateTimes.map(\.seconds))).sorted()
        guard let cadence = UpdateCadence.learn(fileTimes: times, projectInterval: collector.project.updateInterval), cadence > 0 else { return [] }
        var out: [ListingGap] = []
        let inside = times.filter { $0 >= from.seconds && $0 < to.seconds }
        // The first slot at or after `from` on the collector's grid.
        let anchor = times.first ?? from.seconds
        var expected = anchor + ((from.seconds - anchor) / cadence) * cadence
        if expected < from.seconds { expected += cadence }
        var i = 0
        var gapStart: Int64?
        var missing = 0
        while expected < to.seconds {
            while i < inside.count && inside[i] < expected - cadence / 2 { i += 1 }
            let present = i < inside.count && abs(inside[i] - expected) <= cadence / 2
            if present {
                if let s = gapStart {
                    out.append(ListingGap(collector: collector.name, start: Timestamp(seconds: s), end: Timestamp(seconds: expected), files: missing))
                    gapStart = nil
                    missing = 0
                }
            } else {
                if gapStart == nil { gapStart = expected }
                missing += 1
            }
            expected += cadence
        }
        if let s = gapStart { out.append(ListingGap(collector: collector.name, start: Timestamp(seconds: s), end: to, files: missing)) }
        return out
    }
}
