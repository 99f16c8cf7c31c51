import Foundation
import GRDB
import MRT
import NKModel

extension Store {
    /// The content hashes of every stored file.
    /// Every stored file's hash, with the archive keys stored for it.
    public func fileHashes() throws(StoreError) -> [String: [String?]] {
        try read("reading the files") { db in
            var out: [String: [String?]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT sha256, archive_key FROM files") { out[row[0] as String, default: []].append(row[1]) }
            return out
        }
    }

    /// Every stored file's path with the identity it had when it was read.
    public func fileIdentities() throws(StoreError) -> [String: FileIdentity] {
        try read("reading the files") { db in
            var out: [String: FileIdentity] = [:]
            let files = try StoredFile.fetchCursor(db)
            while let f = try files.next() { if let id = f.identity { out[f.path] = id } }
            return out
        }
    }

    /// Peers by row id.
    static func peersByID(_ db: Database) throws -> [Int64: Peer] {
        let collectors = Dictionary(uniqueKeysWithValues: try CollectorRow.fetchAll(db).compactMap { c in c.id.map { ($0, c.name) } })
        var out: [Int64: Peer] = [:]
        let rows = try PeerRow.fetchCursor(db)
        while let p = try rows.next() {
            guard let id = p.id, let ip = IPAddress(p.ip), let c = collectors[p.collectorID] else { continue }
            out[id] = Peer(collector: c, ip: ip, asn: UInt32(truncatingIfNeeded: p.asn))
        }
        return out
    }

    public func collectors() throws(StoreError) -> [Collector] {
        try read("reading the collectors") { db in try CollectorRow.order(CollectorRow.Columns.name).fetchAll(db).map(\.collector) }
    }

    public func peers() throws(StoreError) -> [Peer] {
        try read("reading the peers") { db in try Self.peersByID(db).values.sorted() }
    }

    /// Every stored file, with its collector.
    public func files() throws(StoreError) -> [(file: StoredFile, collector: Collector)] {
        try read("reading the files") { db in
            let collectors = Dictionary(uniqueKeysWithValues: try CollectorRow.fetchAll(db).compactMap { c in c.id.map { ($0, c.collector) } })
            var out: [(file: StoredFile, collector: Collector)] = []
            let rows = try Row.fetchCursor(db.cachedStatement(sql: StoredFile.selectAllSQL))
            while let row = try rows.next() {
                let f = try StoredFile(orderedRow: row)
                if let c = collectors[f.collectorID] { out.append((f, c)) }
            }
            return out
        }
    }

    /// Route events of `kinds`, in time order (ties by peer, prefix, then
    /// withdrawals before announcements), with the file each came from, handed
    /// to `body` one at a time: memory stays flat however many there are.
    public func forEachRouteEvent(kinds: Set<ElementKind>, _ body: (Int64, RouteEvent) throws -> Void) throws(StoreError) {
        try read("reading the route events") { db in try StoreReader(db: db).forEachRouteEvent(kinds: kinds, body) }
    }

    /// Runs `body` with a reader that sees one state of the store throughout
    /// (one read transaction), for a reader that streams events while it
    /// looks up RIB dumps.
    public func reading<T>(_ body: (StoreReader) throws -> T) throws -> T {
        do {
            return try writer.read { db in try body(try StoreReader(db: db)) }
        } catch let e as DatabaseError {
            throw StoreError.from(e, path: path, doing: "reading the store")
        }
    }

    /// The route events of `kinds` as an array (for tests and small stores).
    public func routeEvents(kinds: Set<ElementKind>) throws(StoreError) -> [(fileID: Int64, event: RouteEvent)] {
        var out: [(fileID: Int64, event: RouteEvent)] = []
        try forEachRouteEvent(kinds: kinds) { out.append(($0, $1)) }
        return out
    }

    /// The in-scope routes of one RIB dump: peer → prefix → AS path.
    public func ribRoutes(fileID: Int64) throws(StoreError) -> [Peer: [Prefix: String]] {
        try read("reading a RIB dump's routes") { db in try StoreReader(db: db).ribRoutes(fileID: fileID) }
    }

    /// Every peer's table size in every RIB dump, with the file it came from.
    public func ribTables() throws(StoreError) -> [(fileID: Int64, table: RIBTableSize)] {
        try read("reading the RIB tables") { db in
            let peers = try Self.peersByID(db)
            return try Array(RIBTableRow.order(RIBTableRow.Columns.fileID, RIBTableRow.Columns.peerID).fetchCursor(db)).compactMap { r in
                peers[r.peerID].map { (r.fileID, RIBTableSize(time: Timestamp(seconds: r.time), peer: $0,
                                                              size: TableSize(ipv4: r.ipv4Prefixes, ipv6: r.ipv6Prefixes))) }
            }
        }
    }

    /// Every session state change, in time order.
    public func sessionChanges() throws(StoreError) -> [SessionChange] {
        try read("reading the session changes") { db in
            let peers = try Self.peersByID(db)
            return try Array(SessionChangeRow.order(SessionChangeRow.Columns.timeUs, SessionChangeRow.Columns.peerID).fetchCursor(db)).compactMap { s in
                peers[s.peerID].map { SessionChange(time: Timestamp(microseconds: s.timeUs), peer: $0, old: s.oldState, new: s.newState) }
            }
        }
    }

    /// The distinct prefixes of route events of `kinds` (the announced space).
    public func distinctPrefixes(kinds: Set<ElementKind>) throws(StoreError) -> [Prefix] {
        try read("reading the announced prefixes") { db in
            try String.fetchAll(db, EventRow.select(EventRow.Columns.prefix).distinct()
                .filter(kinds.map(\.letter).contains(EventRow.Columns.kind))).compactMap { Prefix($0) }.sorted()
        }
    }

    /// The time each collector's update files cover.
    public func coverage() throws(StoreError) -> [CollectorInterval] {
        try read("reading the files") { db in Self.coverage(of: try CoverageInput.fetchAll(db)).map(\.interval) }
    }

    /// The time the update files among `files` cover: each from the time in
    /// its name for its collector's cadence (`UpdateCadence`), learned from
    /// the spacing of the collector's files among `files`.
    public static func coverage(of files: [(file: StoredFile, collector: Collector)]) -> [CollectorInterval] {
        coverage(of: files.filter { $0.file.kind == .updates }.map { CoverageInput($0.file, $0.collector) }).map(\.interval)
    }

    /// `coverage(of:)` over the columns it needs, with each file's id.
    static func coverage(of files: [CoverageInput]) -> [(id: Int64, interval: CollectorInterval)] {
        var out: [(id: Int64, interval: CollectorInterval)] = []
        out.reserveCapacity(files.count)
        for (_, group) in Dictionary(grouping: files, by: \.collector.name) {
            let cadence = UpdateCadence.learn(fileTimes: group.compactMap(\.fileTime), projectInterval: group[0].collector.project.updateInterval)
            for f in group {
                guard let start = f.coverageStart, let stored = f.coverageEnd else { continue }
                let end = UpdateCadence.coverageEnd(fileTime: f.fileTime, lastTime: f.lastTime, complete: f.complete, cadence: cadence, stored: stored)
                out.append((f.id, CollectorInterval(collector: f.collector.name, start: Timestamp(seconds: start), end: Timestamp(seconds: max(start, end)))))
            }
        }
        return out.sorted { $0.interval < $1.interval }
    }

    /// Stretches a collector's update files do not cover, between its first
    /// and last file (the `gaps` view holds the same).
    public func gaps() throws(StoreError) -> [CollectorInterval] { Self.gaps(of: try coverage()) }

    static func gaps(of coverage: [CollectorInterval]) -> [CollectorInterval] {
        Dictionary(grouping: coverage, by: \.collector).flatMap { c, ivs in
            CollectorInterval.gaps(collector: c, covered: ivs, until: ivs.map(\.end).max() ?? Timestamp(microseconds: 0))
        }.sorted()
    }

    /// Distinct prefixes announced (or in RIB dumps) with one of `asns` as origin.
    public func prefixesOriginatedBy(_ asns: Set<UInt32>) throws(StoreError) -> [Prefix] {
        guard !asns.isEmpty else { return [] }
        return try read("reading the origin ASNs' prefixes") { db in
            try String.fetchAll(db, EventRow.select(EventRow.Columns.prefix).distinct()
                .filter([ElementKind.announce.letter, ElementKind.rib.letter].contains(EventRow.Columns.kind))
                .filter(asns.map(Int64.init).contains(EventRow.Columns.originASN)))
                .compactMap { Prefix($0) }.sorted()
        }
    }

    /// Stored files whose events do not include every learned prefix.
    public func filesScanned(before seq: Int64) throws(StoreError) -> [StoredFile] {
        try read("reading the files") { db in
            try StoredFile.filter(StoredFile.Columns.scannedThrough < seq).order(StoredFile.Columns.id).fetchAll(db)
        }
    }

    // MARK: For tools and tests

    /// Counts of rows per table.
    public func tableCounts() throws(StoreError) -> [String: Int] {
        try read("counting rows") { db in
            var out: [String: Int] = [:]
            for t in [CollectorRow.databaseTableName, StoredFile.databaseTableName, PeerRow.databaseTableName,
                      SessionChangeRow.databaseTableName, RIBTableRow.databaseTableName, EventRow.databaseTableName,
                      FileBinRow.databaseTableName, "collector_bins"] {
                out[t] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(t)") ?? 0
            }
            return out
        }
    }

    /// Runs a read-only query and returns its rows as text columns: for tools
    /// and tests that look at the store as a user with sqlite3 would.
    public func query(_ sql: String) throws(StoreError) -> [[String?]] {
        try read("running a query") { db in
            try Row.fetchAll(db, sql: sql).map { row in row.databaseValues.map { v in v.isNull ? nil : String(describing: v.storage.value ?? "") } }
        }
    }

    /// The store's content with row ids replaced by natural keys and every
    /// table sorted: two stores with the same data give the same lines,
    /// whatever order the files were ingested in.
    public func logicalContent() throws(StoreError) -> [String] {
        let queries = [
            "SELECT 'collector', name, project FROM collectors",
            "SELECT 'file', f.sha256, f.path, f.size, f.compression, c.name, f.kind, f.file_time, f.coverage_start, f.coverage_end, f.first_time, f.last_time, f.records, f.elements, f.events, f.status, f.errors, f.archive_key FROM files f JOIN collectors c ON c.id = f.collector_id",
            "SELECT 'peer', c.name, p.ip, p.asn FROM peers p JOIN collectors c ON c.id = p.collector_id",
            "SELECT 'state', f.sha256, p.ip, p.asn, s.time_us, s.old_state, s.new_state FROM peer_states s JOIN files f ON f.id = s.file_id JOIN peers p ON p.id = s.peer_id",
            "SELECT 'rib', f.sha256, p.ip, p.asn, r.time, r.ipv4_prefixes, r.ipv6_prefixes FROM rib_tables r JOIN files f ON f.id = r.file_id JOIN peers p ON p.id = r.peer_id",
            "SELECT 'event', f.sha256, p.ip, p.asn, e.time_us, e.kind, e.prefix, e.as_path, e.origin_asn, e.next_hop FROM events e JOIN files f ON f.id = e.file_id JOIN peers p ON p.id = e.peer_id",
            "SELECT 'bin', c.name, b.bin_start, b.elements FROM collector_bins b JOIN collectors c ON c.id = b.collector_id",
            "SELECT 'learned', prefix FROM learned_prefixes",
            "SELECT 'meta', key, value FROM meta",
        ]
        var lines: [String] = []
        for q in queries {
            lines += try query(q).map { $0.map { $0 ?? "NULL" }.joined(separator: "|") }
        }
        return lines.sorted()
    }
}

/// Part of a store's events, selected in SQL: those of the given prefixes
/// (as the store spells them) and the announcements of the given origin
/// ASNs. One scope's events in a store of several.
public struct EventSubset: Sendable {
    public var prefixes: [String]
    public var originASNs: [UInt32]

    public init(prefixes: [String], originASNs: [UInt32]) {
        self.prefixes = prefixes
        self.originASNs = originASNs
    }

    var arguments: StatementArguments {
        [JSON.strings(prefixes).compact(), JSON.array(originASNs.map { .int(Int64($0)) }).compact()]
    }

    static let prefixSQL = "prefix IN (SELECT value FROM json_each(?))"
    static let sql = "(\(prefixSQL) OR (kind != 'W' AND origin_asn IN (SELECT value FROM json_each(?))))"
}

extension Store {
    /// The distinct prefix texts of every stored event.
    public func distinctPrefixTexts() throws(StoreError) -> [String] {
        try read("reading the prefixes") { db in try String.fetchAll(db, sql: "SELECT DISTINCT prefix FROM events") }
    }
}

/// Reads inside one read transaction of a store.
public struct StoreReader {
    let db: Database
    let peers: [Int64: Peer]
    /// Set: only these events are read.
    public var subset: EventSubset?

    init(db: Database) throws {
        self.db = db
        self.peers = try Store.peersByID(db)
    }

    /// Route events of `kinds` in time order (ties by peer, prefix, then
    /// withdrawals before announcements), one at a time.
    public func forEachRouteEvent(kinds: Set<ElementKind>, _ body: (Int64, RouteEvent) throws -> Void) throws {
        var request = EventRow.filter(kinds.map(\.letter).contains(EventRow.Columns.kind))
        if let subset { request = request.filter(sql: EventSubset.sql, arguments: subset.arguments) }
        let rows = try request
            .order(EventRow.Columns.timeUs, EventRow.Columns.peerID, EventRow.Columns.prefix, EventRow.Columns.kind.desc)
            .fetchCursor(db)
        var decoder = EventDecoder(peers: peers)
        while let r = try rows.next() {
            if let e = decoder.event(r) { try body(r.fileID, e) }
        }
    }

    /// The in-scope routes of one RIB dump: peer → prefix → AS path.
    public func ribRoutes(fileID: Int64) throws -> [Peer: [Prefix: String]] {
        var decoder = EventDecoder(peers: peers)
        var out: [Peer: [Prefix: String]] = [:]
        var request = EventRow.filter(EventRow.Columns.fileID == fileID && EventRow.Columns.kind == ElementKind.rib.letter)
        if let subset { request = request.filter(sql: EventSubset.prefixSQL, arguments: [JSON.strings(subset.prefixes).compact()]) }
        let rows = try request.fetchCursor(db)
        while let r = try rows.next() {
            if let e = decoder.event(r) { out[e.peer, default: [:]][e.prefix] = e.asPath ?? "" }
        }
        return out
    }
}

/// Rows of `events` to route events, parsing each distinct prefix and next
/// hop text once.
struct EventDecoder {
    let peers: [Int64: Peer]
    var prefixes: [String: Prefix] = [:]
    var hops: [String: IPAddress] = [:]

    init(peers: [Int64: Peer]) { self.peers = peers }

    mutating func event(_ r: EventRow) -> RouteEvent? {
        guard let peer = peers[r.peerID] else { return nil }
        guard let prefix = prefixes[r.prefix] ?? Prefix(r.prefix) else { return nil }
        prefixes[r.prefix] = prefix
        var hop: IPAddress? = nil
        if let text = r.nextHop {
            hop = hops[text] ?? IPAddress(text)
            hops[text] = hop
        }
        return RouteEvent(time: Timestamp(microseconds: r.timeUs), peer: peer, kind: r.kind, prefix: prefix,
                          asPath: r.asPath, originASN: r.originASN.map { UInt32(truncatingIfNeeded: $0) }, nextHop: hop)
    }
}
