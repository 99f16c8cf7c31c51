import Foundation
import GRDB
import MRT
import NKModel
#if canImport(Glibc)
import Glibc
#endif

/// Errors opening or using a store. Tests assert `code`.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The file is not an nkwatch store (another SQLite database, or not SQLite).
        case notAStore
        /// Written by a newer nkwatch.
        case newerSchema
        /// The store holds another scope.
        case scopeMismatch
        /// SQLite reports damage (a bad page, a malformed file).
        case damaged
        /// The disk (or its quota) is full.
        case full
        /// A write was needed where only reading is possible.
        case readOnly
        /// Another process holds the store longer than the wait allows.
        case locked
        /// Any other failure of SQLite or the file system.
        case failed
    }

    public var code: Code
    public var message: String
    public var description: String { message }

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The store error for a failure of SQLite or of the file system.
    static func from(_ error: any Error, path: String, doing what: String) -> StoreError {
        if let e = error as? StoreError { return e }
        if let e = error as? DatabaseError {
            switch e.resultCode {
            case .SQLITE_CORRUPT, .SQLITE_NOTADB:
                return StoreError(.damaged, "\(path) is damaged (\(e.message ?? "malformed database")): \(what) failed; it was not written to")
            case .SQLITE_FULL:
                return StoreError(.full, "\(path): the disk is full: \(what) failed; what was committed before is intact")
            case .SQLITE_READONLY:
                return StoreError(.readOnly, "\(path) is read-only: \(what) needs to write")
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return StoreError(.locked, "\(path) is locked by another process: \(what) gave up waiting")
            case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
                return StoreError(.failed, "\(path): cannot open the store (\(e.message ?? "permission denied"))")
            default:
                return StoreError(.failed, "\(path): \(what) failed: \(e.message ?? "\(e)")")
            }
        }
        return StoreError(.failed, "\(path): \(what) failed: \(error)")
    }
}

/// The SQLite store: one file, readable by sqlite3 and anything that speaks
/// SQL. GRDB stays behind this type; nothing else in nkwatch sees it.
/// WAL mode lets readers (timeline) work while an ingest writes; every file
/// is written in one transaction, so a killed ingest leaves no half file.
public struct Store: Sendable {
    /// `PRAGMA application_id` of nkwatch stores ("nkwt").
    public static let applicationID: Int32 = 0x6E6B_7774
    /// The schema version this build writes and reads.
    public static let schemaVersion = 2

    let writer: any DatabaseWriter
    public let path: String

    /// Opens (or creates) the store at `path`. A file that is not an nkwatch
    /// store, or one written by a newer nkwatch, is refused and never modified.
    public static func open(path: String) throws(StoreError) -> Store {
        if FileManager.default.fileExists(atPath: path),
           let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int, size > 0 {
            try checkExisting(path: path)
        }
        var config = Configuration()
        config.busyMode = .timeout(30)
        do {
            let pool = try DatabasePool(path: path, configuration: config)
            let store = Store(writer: pool, path: path)
            try store.migrate()
            return store
        } catch {
            throw StoreError.from(error, path: path, doing: "opening the store")
        }
    }

    /// A store in memory, for tests.
    public static func inMemory() throws -> Store {
        let store = Store(writer: try DatabaseQueue(), path: ":memory:")
        try store.migrate()
        return store
    }

    static func checkExisting(path: String) throws(StoreError) {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(30)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            let (appID, version, objects): (Int32, Int?, Int) = try queue.read { db in
                let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                var v: Int? = nil
                if try db.tableExists(MetaRow.databaseTableName) {
                    v = try MetaRow.filter(MetaRow.Columns.key == MetaRow.schemaVersionKey).fetchOne(db).flatMap { Int($0.value) }
                }
                return (id, v, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") ?? 0)
            }
            try queue.close()
            // An empty database: a store whose creation was interrupted
            // before its schema was committed. It is set up as a new one.
            if appID == 0 && objects == 0 { return }
            guard appID == applicationID else {
                throw StoreError(.notAStore, "\(path) is not an nkwatch store (SQLite application_id \(appID)); it was not modified")
            }
            if let v = version, v > schemaVersion {
                throw StoreError(.newerSchema, "\(path) was written by a newer nkwatch (store schema \(v), this build reads up to \(schemaVersion)); it was not modified")
            }
        } catch let e as StoreError {
            throw e
        } catch let e as DatabaseError where e.resultCode == .SQLITE_NOTADB {
            throw StoreError(.notAStore, "\(path) is not an nkwatch store (not a SQLite database); it was not modified")
        } catch {
            throw StoreError.from(error, path: path, doing: "reading the store")
        }
    }

    func migrate() throws(StoreError) {
        do {
            try Self.migrator.migrate(writer)
        } catch {
            throw StoreError.from(error, path: path, doing: "preparing the store")
        }
    }

    /// Migrations, registered by name and never edited once shipped.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: "PRAGMA application_id = \(Store.applicationID)")
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE collectors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, project TEXT NOT NULL);
                CREATE TABLE files (
                    id INTEGER PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,
                    compression TEXT NOT NULL, collector_id INTEGER NOT NULL REFERENCES collectors(id), kind TEXT NOT NULL,
                    file_time INTEGER, coverage_start INTEGER, coverage_end INTEGER, first_time INTEGER, last_time INTEGER,
                    records INTEGER NOT NULL, elements INTEGER NOT NULL, events INTEGER NOT NULL,
                    status TEXT NOT NULL, errors TEXT NOT NULL, ingested_at TEXT NOT NULL);
                CREATE TABLE peers (
                    id INTEGER PRIMARY KEY, collector_id INTEGER NOT NULL REFERENCES collectors(id),
                    ip TEXT NOT NULL, asn INTEGER NOT NULL, UNIQUE (collector_id, ip, asn));
                CREATE TABLE peer_states (
                    file_id INTEGER NOT NULL REFERENCES files(id), peer_id INTEGER NOT NULL REFERENCES peers(id),
                    time_us INTEGER NOT NULL, old_state INTEGER NOT NULL, new_state INTEGER NOT NULL);
                CREATE INDEX peer_states_time ON peer_states(peer_id, time_us);
                CREATE TABLE rib_tables (
                    file_id INTEGER NOT NULL REFERENCES files(id), peer_id INTEGER NOT NULL REFERENCES peers(id),
                    time INTEGER NOT NULL, ipv4_prefixes INTEGER NOT NULL, ipv6_prefixes INTEGER NOT NULL,
                    PRIMARY KEY (file_id, peer_id));
                CREATE TABLE events (
                    file_id INTEGER NOT NULL REFERENCES files(id), peer_id INTEGER NOT NULL REFERENCES peers(id),
                    time_us INTEGER NOT NULL, kind TEXT NOT NULL, prefix TEXT NOT NULL,
                    as_path TEXT, origin_asn INTEGER, next_hop TEXT);
                CREATE INDEX events_time ON events(time_us);
                CREATE INDEX events_peer_prefix ON events(peer_id, prefix, time_us);
                CREATE TABLE collector_bins (
                    collector_id INTEGER NOT NULL REFERENCES collectors(id), bin_start INTEGER NOT NULL,
                    elements INTEGER NOT NULL, PRIMARY KEY (collector_id, bin_start)) WITHOUT ROWID;
                CREATE VIEW gaps AS
                    SELECT c.name AS collector, prev_end AS gap_start, coverage_start AS gap_end
                    FROM (SELECT collector_id, coverage_start,
                                 MAX(coverage_end) OVER (PARTITION BY collector_id ORDER BY coverage_start, coverage_end
                                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
                          FROM files WHERE kind = 'updates' AND coverage_start IS NOT NULL) f
                    JOIN collectors c ON c.id = f.collector_id
                    WHERE prev_end IS NOT NULL AND coverage_start > prev_end;
                """)
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
        }
        migrator.registerMigration("v2") { db in
            // One spelling of a RIB entry everywhere: bgpdump's B.
            try db.execute(sql: "UPDATE events SET kind = 'B' WHERE kind = 'R'")
            // The file's identity when it was read, so that an unchanged file
            // is recognised without reading it again.
            try db.execute(sql: """
                ALTER TABLE files ADD COLUMN device INTEGER;
                ALTER TABLE files ADD COLUMN inode INTEGER;
                ALTER TABLE files ADD COLUMN mtime_ns INTEGER;
                CREATE INDEX files_path ON files(path);
                """)
            // The scope in the form every output uses (origin_asns, unescaped slashes).
            if let row = try MetaRow.fetchOne(db, key: MetaRow.scopeKey), let scope = try? Scope(legacyJSON: row.value) {
                try MetaRow(key: MetaRow.scopeKey, value: scope.json.compact()).update(db)
            }
            try MetaRow(key: MetaRow.schemaVersionKey, value: "2").update(db)
        }
        return migrator
    }

    /// Runs `body` in a read transaction, with errors as `StoreError`.
    func read<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try writer.read(body) } catch { throw StoreError.from(error, path: path, doing: what) }
    }

    /// Runs `body` in a write transaction, with errors as `StoreError`.
    func write<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try writer.write(body) } catch { throw StoreError.from(error, path: path, doing: what) }
    }

    // MARK: Scope

    public func scope() throws(StoreError) -> Scope? {
        try read("reading the scope") { db in
            try MetaRow.fetchOne(db, key: MetaRow.scopeKey).map { try Scope(json: $0.value) }
        }
    }

    /// Records `scope`, or checks it equals the one already recorded.
    public func useScope(_ scope: Scope) throws(StoreError) {
        let path = self.path
        try write("recording the scope") { db in
            if let row = try MetaRow.fetchOne(db, key: MetaRow.scopeKey) {
                let existing = try Scope(json: row.value)
                guard existing == scope else {
                    throw StoreError(.scopeMismatch, "\(path) holds data for another scope (\(existing)), not (\(scope)); use another --store")
                }
                return
            }
            try MetaRow(key: MetaRow.scopeKey, value: scope.json.compact()).insert(db)
        }
    }

    // MARK: Files

    /// The content hashes of every stored file.
    public func fileHashes() throws(StoreError) -> Set<String> {
        try read("reading the files") { db in Set(try String.fetchAll(db, StoredFile.select(StoredFile.Columns.sha256))) }
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

    /// Writes one file's contribution in one transaction. Returns false (and
    /// writes nothing) when a file with the same content is already stored.
    @discardableResult
    public func insert(_ f: FileIngest) throws(StoreError) -> Bool {
        try insert([f])[0]
    }

    /// Writes several files' contributions in one transaction (one commit,
    /// one sync), each as `insert(_:)` would; all or none of them land.
    /// Returns, per file, whether it was written.
    @discardableResult
    public func insert(_ batch: [FileIngest]) throws(StoreError) -> [Bool] {
        try write("writing \(batch.count) file(s)") { db in
            var ids = BatchIDs()
            return try batch.map { try insertFile($0, db, &ids) }
        }
    }

    /// Collector and peer row IDs already looked up in this transaction.
    private struct BatchIDs {
        var collectors: [String: Int64] = [:]
        var peers: [Peer: Int64] = [:]
    }

    private func collectorID(_ c: Collector, _ db: Database, _ ids: inout BatchIDs) throws -> (id: Int64, new: Bool) {
        if let id = ids.collectors[c.name] { return (id, false) }
        typealias K = CollectorRow.CodingKeys
        let find = try db.cachedStatement(sql: "SELECT \(K.id.rawValue) FROM \(CollectorRow.databaseTableName) WHERE \(K.name.rawValue) = ?")
        if let id = try Int64.fetchOne(find, arguments: [c.name]) {
            ids.collectors[c.name] = id
            return (id, false)
        }
        var row = CollectorRow(id: nil, name: c.name, project: c.project)
        try row.insert(db)
        let id = row.id ?? db.lastInsertedRowID
        ids.collectors[c.name] = id
        return (id, true)
    }

    private func peerID(_ p: Peer, collectorID: Int64, _ db: Database, _ ids: inout BatchIDs) throws -> Int64 {
        if let id = ids.peers[p] { return id }
        typealias K = PeerRow.CodingKeys
        let ip = p.ip.description
        let find = try db.cachedStatement(sql: """
            SELECT \(K.id.rawValue) FROM \(PeerRow.databaseTableName) WHERE \(K.collectorID.rawValue) = ? AND \(K.ip.rawValue) = ? AND \(K.asn.rawValue) = ?
            """)
        if let id = try Int64.fetchOne(find, arguments: [collectorID, ip, Int64(p.asn)]) {
            ids.peers[p] = id
            return id
        }
        var row = PeerRow(id: nil, collectorID: collectorID, ip: ip, asn: Int64(p.asn))
        try row.insert(db)
        let id = row.id ?? db.lastInsertedRowID
        ids.peers[p] = id
        return id
    }

    private func insertFile(_ f: FileIngest, _ db: Database, _ ids: inout BatchIDs) throws -> Bool {
        // A file already stored (same content) makes no change.
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM \(StoredFile.databaseTableName) WHERE \(StoredFile.CodingKeys.sha256.rawValue) = ?"),
                             arguments: [f.file.sha256]) == true { return false }
        let (cid, _) = try collectorID(f.collector, db, &ids)
        var row = f.file
        row.collectorID = cid
        row.events = f.events.count
        row.ingestedAt = Timestamp.now.iso
        try row.insertCached(db)
        let fileID = db.lastInsertedRowID
        for e in f.events {
            try EventRow(fileID: fileID, peerID: try peerID(e.peer, collectorID: cid, db, &ids), e).insertCached(db)
        }
        for s in f.states {
            try SessionChangeRow(fileID: fileID, peerID: try peerID(s.peer, collectorID: cid, db, &ids), timeUs: s.time.microseconds,
                                 oldState: s.old, newState: s.new).insertCached(db)
        }
        for t in f.ribTables {
            try RIBTableRow(fileID: fileID, peerID: try peerID(t.peer, collectorID: cid, db, &ids), time: t.time.seconds,
                            ipv4Prefixes: t.size.ipv4, ipv6Prefixes: t.size.ipv6).insertCached(db)
        }
        for (bin, n) in f.bins {
            try CollectorBinRow(collectorID: cid, binStart: bin, elements: n).add(db)
        }
        return true
    }

    // MARK: Reading

    /// Peers by row id.
    func peersByID(_ db: Database) throws -> [Int64: Peer] {
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
        try read("reading the peers") { db in try peersByID(db).values.sorted() }
    }

    /// Every stored file, with its collector's name.
    public func files() throws(StoreError) -> [(file: StoredFile, collector: Collector)] {
        try read("reading the files") { db in
            let collectors = Dictionary(uniqueKeysWithValues: try CollectorRow.fetchAll(db).compactMap { c in c.id.map { ($0, c.collector) } })
            return try Array(StoredFile.order(StoredFile.Columns.id).fetchCursor(db)).compactMap { f in
                collectors[f.collectorID].map { (f, $0) }
            }
        }
    }

    /// Route events of `kinds`, in time order (ties by peer, prefix, kind),
    /// with the file each came from.
    public func routeEvents(kinds: Set<ElementKind>) throws(StoreError) -> [(fileID: Int64, event: RouteEvent)] {
        try read("reading the route events") { db in
            let peers = try peersByID(db)
            let rows = try EventRow.filter(kinds.map(\.letter).contains(EventRow.Columns.kind))
                .order(EventRow.Columns.timeUs, EventRow.Columns.peerID, EventRow.Columns.prefix, EventRow.Columns.kind)
                .fetchCursor(db)
            var out: [(fileID: Int64, event: RouteEvent)] = []
            // The same prefixes and next hops come back again and again: parse each text once.
            var prefixes: [String: Prefix] = [:], hops: [String: IPAddress] = [:]
            while let r = try rows.next() {
                guard let peer = peers[r.peerID] else { continue }
                guard let prefix = prefixes[r.prefix] ?? Prefix(r.prefix) else { continue }
                prefixes[r.prefix] = prefix
                var hop: IPAddress? = nil
                if let text = r.nextHop {
                    hop = hops[text] ?? IPAddress(text)
                    hops[text] = hop
                }
                out.append((r.fileID, RouteEvent(time: Timestamp(microseconds: r.timeUs), peer: peer, kind: r.kind, prefix: prefix,
                                                 asPath: r.asPath, originASN: r.originASN.map { UInt32(truncatingIfNeeded: $0) }, nextHop: hop)))
            }
            return out
        }
    }

    /// Every peer's table size in every RIB dump, with the file it came from.
    public func ribTables() throws(StoreError) -> [(fileID: Int64, table: RIBTableSize)] {
        try read("reading the RIB tables") { db in
            let peers = try peersByID(db)
            return try Array(RIBTableRow.order(RIBTableRow.Columns.fileID, RIBTableRow.Columns.peerID).fetchCursor(db)).compactMap { r in
                peers[r.peerID].map { (r.fileID, RIBTableSize(time: Timestamp(seconds: r.time), peer: $0,
                                                              size: TableSize(ipv4: r.ipv4Prefixes, ipv6: r.ipv6Prefixes))) }
            }
        }
    }

    /// Every session state change, in time order.
    public func sessionChanges() throws(StoreError) -> [SessionChange] {
        try read("reading the session changes") { db in
            let peers = try peersByID(db)
            return try Array(SessionChangeRow.order(SessionChangeRow.Columns.timeUs, SessionChangeRow.Columns.peerID).fetchCursor(db)).compactMap { s in
                peers[s.peerID].map { SessionChange(time: Timestamp(microseconds: s.timeUs), peer: $0, old: s.oldState, new: s.newState) }
            }
        }
    }

    /// The time each collector's update files cover.
    public func coverage() throws(StoreError) -> [CollectorInterval] { Self.coverage(of: try files()) }

    /// The time the update files among `files` cover.
    public static func coverage(of files: [(file: StoredFile, collector: Collector)]) -> [CollectorInterval] {
        files.compactMap { f in f.file.kind == .updates ? f.file.coverage(collector: f.collector.name) : nil }.sorted()
    }

    /// Stretches a collector's update files do not cover, between its first
    /// and last file (the `gaps` view holds the same).
    public func gaps() throws(StoreError) -> [CollectorInterval] {
        let byCollector = Dictionary(grouping: try coverage(), by: \.collector)
        return byCollector.flatMap { c, ivs in
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

    // MARK: For tools and tests

    /// Counts of rows per table.
    public func tableCounts() throws(StoreError) -> [String: Int] {
        try read("counting rows") { db in
            var out: [String: Int] = [:]
            for t in [CollectorRow.databaseTableName, StoredFile.databaseTableName, PeerRow.databaseTableName,
                      SessionChangeRow.databaseTableName, RIBTableRow.databaseTableName, EventRow.databaseTableName,
                      CollectorBinRow.databaseTableName] {
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
            "SELECT 'file', f.sha256, f.path, f.size, f.compression, c.name, f.kind, f.file_time, f.coverage_start, f.coverage_end, f.first_time, f.last_time, f.records, f.elements, f.events, f.status, f.errors FROM files f JOIN collectors c ON c.id = f.collector_id",
            "SELECT 'peer', c.name, p.ip, p.asn FROM peers p JOIN collectors c ON c.id = p.collector_id",
            "SELECT 'state', f.sha256, p.ip, p.asn, s.time_us, s.old_state, s.new_state FROM peer_states s JOIN files f ON f.id = s.file_id JOIN peers p ON p.id = s.peer_id",
            "SELECT 'rib', f.sha256, p.ip, p.asn, r.time, r.ipv4_prefixes, r.ipv6_prefixes FROM rib_tables r JOIN files f ON f.id = r.file_id JOIN peers p ON p.id = r.peer_id",
            "SELECT 'event', f.sha256, p.ip, p.asn, e.time_us, e.kind, e.prefix, e.as_path, e.origin_asn, e.next_hop FROM events e JOIN files f ON f.id = e.file_id JOIN peers p ON p.id = e.peer_id",
            "SELECT 'bin', c.name, b.bin_start, b.elements FROM collector_bins b JOIN collectors c ON c.id = b.collector_id",
            "SELECT 'meta', key, value FROM meta",
        ]
        var lines: [String] = []
        for q in queries {
            lines += try query(q).map { $0.map { $0 ?? "NULL" }.joined(separator: "|") }
        }
        return lines.sorted()
    }
}

extension Timestamp {
    /// The wall clock, for `files.ingested_at`.
    static var now: Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(microseconds: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }
}

extension Scope {
    /// The scope JSON of schema 1 (`originASNs`, escaped slashes).
    init(legacyJSON text: String) throws {
        struct Legacy: Decodable { var prefixes: [String]; var originASNs: [UInt32]; var country: String? }
        let l = try JSONDecoder().decode(Legacy.self, from: Data(text.utf8))
        self.init(prefixes: l.prefixes.compactMap { Prefix($0) }, originASNs: Set(l.originASNs), country: l.country)
    }
}
