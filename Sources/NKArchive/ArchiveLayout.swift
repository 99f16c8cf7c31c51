import MRT
import NKModel

/// What a file's path says about it, following the RouteViews
/// (`route-views2/bgpdata/2014.12/UPDATES/updates.20141222.1615.bz2`, RIBs in
/// `RIBS/rib.*`) and RIPE RIS (`rrc00/2014.12/updates.20141222.1615.gz`,
/// `bview.*`) archive layouts.
public struct ArchiveLayout: Sendable, Equatable {
    public var collector: Collector
    public var kind: FileKind
    /// Time in the file name.
    public var fileTime: Timestamp?
    /// Whether the path or the name says which collector wrote the file
    /// (an archive layout, a BGPStream or bgpkit cache name, or `--collector`);
    /// false when the collector is only named after the file's folder.
    public var collectorKnown: Bool

    public init(collector: Collector, kind: FileKind, fileTime: Timestamp?, collectorKnown: Bool = true) {
        self.collector = collector
        self.kind = kind
        self.fileTime = fileTime
        self.collectorKnown = collectorKnown
    }

    /// How long one update file of the collector's project covers, in seconds.
    public var updateInterval: Int64? { collector.project.updateInterval }

    /// Which archive file a path is a version of: `collector/kind/YYYYMMDD.HHMM`
    /// when the name gives the kind and time (so `updates.20141222.1615.gz` and
    /// `.bz2` copies are one file), else `collector/name`.
    public static func archiveKey(path: String, layout: ArchiveLayout) -> String {
        if let t = layout.fileTime, layout.kind != .unknown {
            return "\(layout.collector.name)/\(layout.kind.rawValue)/\(t.archiveName)"
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return "\(layout.collector.name)/\(name)"
    }

    /// Works on the path's UTF-8 bytes in place: no array of the bytes, no
    /// array of components, no string but the collector's name (ingest
    /// parses every path it lists, and again for each file it reads: with
    /// `split` that was 4 ms for the sample's 3 449 paths, before the first
    /// file could start).
    public static func parse(path: String, collectorOverride: String? = nil) -> ArchiveLayout {
        var path = path
        return path.withUTF8 { parse(bytes: $0, collectorOverride: collectorOverride) }
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>, collectorOverride: String?) -> ArchiveLayout {
        let parts = Components(bytes)
        let name = parts.last.map { bytes[$0] } ?? bytes[...]
        func text(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }
        var collector: String? = nil
        var project = Project.other
        if let i = parts.lastIndex(where: { isRISCollector(bytes[$0]) }) {
            collector = text(parts[i])
            project = .ris
        } else if let i = parts.lastIndex(where: { bytes[$0].elementsEqual("bgpdata".utf8) }) {
            project = .routeviews
            // RouteViews keeps route-views2 at the archive root: bgpdata/... without a collector folder.
            if i > 0, hasPrefix(bytes[parts[i - 1]], "route-views", caseSensitive: true) { collector = text(parts[i - 1]) } else { collector = "route-views2" }
        } else if let i = parts.lastIndex(where: { hasPrefix(bytes[$0], "route-views", caseSensitive: true) }, before: parts.count - 1) {
            project = .routeviews
            collector = text(parts[i])
        }
        if collector == nil, let i = parts.lastIndex(where: { isMonthFolder(bytes[$0]) }, before: parts.count - 1), i > 0 {
            // RIS-style layout of a collector named otherwise (a private
            // collector): NAME/YYYY.MM/updates.*; RouteViews-style:
            // NAME/bgpdata/YYYY.MM/UPDATES is handled above.
            collector = text(parts[i - 1])
        }
        var fileTime = timeInName(name)
        var fileKind = kind(ofName: name)
        if let cached = cacheName(name) {
            // BGPStream's and bgpkit's caches: the name says it all.
            collector = cached.collector
            project = cached.project
            fileKind = cached.kind
            fileTime = cached.time
        }
        if let override = collectorOverride {
            collector = override
        }
        let known = collector != nil
        let fallback = parts.count >= 2 ? text(parts[parts.count - 2]) : "unknown"
        return ArchiveLayout(collector: Collector(name: collector ?? fallback, project: project), kind: fileKind, fileTime: fileTime,
                             collectorKnown: known)
    }

    /// The ranges of a path's non-empty `/`-separated components, found
    /// once, kept inline for paths of up to 16 components.
    struct Components {
        private var inline: (Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>,
                             Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>)
            = (0..<0, 0..<0, 0..<0, 0..<0, 0..<0, 0..<0, 0..<0, 0..<0, 0..<0, 0..<0, 0..<0, 0..<0, 0..<0, 0..<0, 0..<0, 0..<0)
        private var more: [Range<Int>] = []
        private(set) var count = 0

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            var start = 0
            for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: "/") {
                if i > start { append(start..<i) }
                start = i + 1
            }
        }

        private mutating func append(_ r: Range<Int>) {
            if count < 16 {
                withUnsafeMutableBytes(of: &inline) { $0.bindMemory(to: Range<Int>.self)[count] = r }
            } else {
                more.append(r)
            }
            count += 1
        }

        subscript(i: Int) -> Range<Int> {
            i < 16 ? withUnsafeBytes(of: inline) { $0.bindMemory(to: Range<Int>.self)[i] } : more[i - 16]
        }

        var last: Range<Int>? { count > 0 ? self[count - 1] : nil }

        /// The last index before `end` whose component satisfies `test`.
        func lastIndex(where test: (Range<Int>) -> Bool, before end: Int? = nil) -> Int? {
            var i = min(end ?? count, count) - 1
            while i >= 0 {
                if test(self[i]) { return i }
                i -= 1
            }
            return nil
        }
    }

    /// `ris.rrc06.updates.1427846400.gz`, `routeviews.route-views.jinx.updates.1427846400.bz2`,
    /// `ris.rrc00.ribs.1427846400.gz`: the names BGPStream and bgpkit give
    /// the files they cache (project, collector, kind, Unix time).
    static func cacheName<B: RandomAccessCollection<UInt8>>(_ name: B) -> (project: Project, collector: String, kind: FileKind, time: Timestamp)?
    where B.Index == Int {
        // Most names are not these: no split for them.
        guard name.starts(with: "ris.".utf8) || name.starts(with: "routeviews.".utf8) else { return nil }
        let parts = name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count >= 5 else { return nil }
        let project: Project
        if parts[0].elementsEqual("ris".utf8) { project = .ris } else if parts[0].elementsEqual("routeviews".utf8) { project = .routeviews } else { return nil }
        // From the end: extension, time, kind; the collector is what is left (it may hold dots).
        let ext = parts[parts.count - 1], timePart = parts[parts.count - 2], kindPart = parts[parts.count - 3]
        guard ext.elementsEqual("gz".utf8) || ext.elementsEqual("bz2".utf8), (9...11).contains(timePart.count), timePart.allSatisfy(isDigit) else { return nil }
        let kind: FileKind
        switch String(decoding: kindPart, as: UTF8.self) {
        case "updates": kind = .updates
        case "ribs", "rib", "bview": kind = .rib
        default: return nil
        }
        let collector = parts[1..<(parts.count - 3)].map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
        guard !collector.isEmpty, let seconds = Int64(String(decoding: timePart, as: UTF8.self)) else { return nil }
        return (project, collector, kind, Timestamp(seconds: seconds))
    }

    /// The kind alone, from the file name (what ingest needs to order files).
    public static func kind(ofPath path: String) -> FileKind {
        var path = path
        return path.withUTF8 { bytes in
            let name = bytes.lastIndex(of: UInt8(ascii: "/")).map { bytes[($0 + 1)...] } ?? bytes[...]
            return cacheName(name)?.kind ?? kind(ofName: name)
        }
    }

    static func kind<B: RandomAccessCollection<UInt8>>(ofName name: B) -> FileKind where B.Index == Int {
        if hasPrefix(name, "updates.") { return .updates }
        if hasPrefix(name, "rib.") || hasPrefix(name, "bview.") || hasPrefix(name, "ribs.") { return .rib }
        return .unknown
    }

    /// ASCII prefix test, case-insensitive unless asked otherwise.
    static func hasPrefix<B: RandomAccessCollection<UInt8>>(_ s: B, _ prefix: StaticString, caseSensitive: Bool = false) -> Bool where B.Index == Int {
        prefix.withUTF8Buffer { p in
            guard s.count >= p.count else { return false }
            for (a, b) in zip(s, p) {
                let x = caseSensitive || a < 65 || a > 90 ? a : a + 32
                if x != b { return false }
            }
            return true
        }
    }

    /// `2014.12`: the archives' month folder.
    static func isMonthFolder<B: RandomAccessCollection<UInt8>>(_ u: B) -> Bool where B.Index == Int {
        guard u.count == 7 else { return false }
        let i = u.startIndex
        return u[i..<(i + 4)].allSatisfy(isDigit) && u[i + 4] == UInt8(ascii: ".") && u[(i + 5)...].allSatisfy(isDigit)
    }

    public static func isRISCollector(_ s: String) -> Bool { isRISCollector(Array(s.utf8)) }

    static func isRISCollector<B: RandomAccessCollection<UInt8>>(_ u: B) -> Bool where B.Index == Int {
        u.count >= 4 && hasPrefix(u, "rrc", caseSensitive: true) && u.dropFirst(3).allSatisfy(isDigit)
    }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// `YYYYMMDD.HHMM` anywhere in the name. Works on the UTF-8 bytes:
    /// `Character.isNumber` (Unicode properties, grapheme breaking) cost more
    /// than decoding a small update file.
    static func timeInName(_ name: String) -> Timestamp? { timeInName(Array(name.utf8)) }

    /// Looks at each `.`-separated part and the one after it, in place.
    static func timeInName<B: RandomAccessCollection<UInt8>>(_ name: B) -> Timestamp? where B.Index == Int {
        func digits(_ r: Range<Int>) -> Bool { r.allSatisfy { isDigit(name[$0]) } }
        func number(_ from: Int, _ n: Int) -> Int64 {
            (from..<(from + n)).reduce(0) { $0 * 10 + Int64(name[$1] - UInt8(ascii: "0")) }
        }
        let dot = UInt8(ascii: ".")
        var start = name.startIndex
        // A part [start, end) followed by a dot, and the part after it [next, nextEnd).
        while let end = name[start...].firstIndex(of: dot) {
            let next = end + 1
            let nextEnd = name[next...].firstIndex(of: dot) ?? name.endIndex
            defer { start = next }
            guard end - start == 8, nextEnd - next == 4, digits(start..<end), digits(next..<nextEnd) else { continue }
            let y = number(start, 4), m = number(start + 4, 2), d = number(start + 6, 2)
            let hh = number(next, 2), mm = number(next + 2, 2)
            guard (1...12).contains(m), (1...31).contains(d), hh < 24, mm < 60 else { continue }
            guard d <= UTCCalendar.daysIn(month: m, year: y) else { continue }
            return Timestamp(seconds: UTCCalendar.days(year: y, month: m, day: d) * 86400 + hh * 3600 + mm * 60)
        }
        return nil
    }
}
