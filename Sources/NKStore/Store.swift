import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Errors opening or using a store. Tests assert `code`.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case notAStore, newerSchema, scopeMismatch, database }
    public var code: Code
    public var message: String
    public var description: String { message }
}

/// The SQLite store: one file, readable by sqlite3 and anything that speaks
/// SQL. GRDB stays behind this type; nothing else in nkwatch sees it.
/// WAL mode lets readers (timeline) work while an ingest writes; every file
/// is written in one transaction, so a killed ingest leaves no half file.
public struct Store: Sendable {
    /// `PRAGMA application_id` of nkwatch stores ("nkwt").
    public static let applicationID: Int32 = 0x6E6B_7774
    /// The schema version this build writes and reads.
    public static let schemaVersion = 1

    let writer: any DatabaseWriter
    public let path: String

    /// Opens (or creates) the store at `path`. A file that is not an nkwatch
    /// store, or one written by a newer nkwatch, is refused and never modified.
    public static func open(path: String) throws -> Store {
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
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError(code: .database, message: "\(path): cannot open the store: \(error)")
        }
    }

    /// A store in memory, for tests.
    public static func inMemory() throws -> Store {
        let store = Store(writer: try DatabaseQueue(), path: ":memory:")
        try store.migrate()
        return store
    }

    static func checkExisting(path: String) throws {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(30)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            let (appID, version, objects): (Int32, Int?, Int) = try queue.read { db in
                let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                var v: Int? = nil
                if try db.tableExists("meta") {
                    v = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'schema_version'").flatMap { Int($0) }
                }
                return (id, v, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") ?? 0)
            }
            try queue.close()
            // An empty database: a store whose creation was interrupted
            // before its schema was committed. It is set up as a new one.
            if appID == 0 && objects == 0 { return }
            guard appID == applicationID else {
                throw StoreError(code: .notAStore, message: "\(path) is not an nkwatch store (SQLite application_id \(appID)); it was not modified")
            }
            if let v = version, v > schemaVersion {
                throw StoreError(code: .newerSchema, message: "\(path) was written by a newer nkwatch (store schema \(v), this build reads up to \(schemaVersion)); it was not modified")
            }
        } catch let e as StoreError {
            throw e
        } catch let e as DatabaseError where e.resultCode == .SQLITE_NOTADB {
            throw StoreError(code: .notAStore, message: "\(path) is not an nkwatch store (not a SQLite database); it was not modified")
        } catch {
            throw StoreError(code: .database, message: "\(path): cannot read the store: \(error)")
        }
    }

    func migrate() throws {
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
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", arguments: ["\(Store.schemaVersion)"])
        }
        do {
            try migrator.migrate(writer)
        } catch {
            throw StoreError(code: .database, message: "\(path): cannot prepare the store: \(error)")
        }
    }

    // MARK: Scope

    public func scope() throws -> StoredScope? {
        try writer.read { db in
            guard let json = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'scope'") else { return nil }
            return try JSONDecoder().decode(StoredScope.self, from: Data(json.utf8))
        }
    }

    /// Records `scope`, or checks it equals the one already recorded.
    public func useScope(_ scope: StoredScope) throws {
        try writer.write { db in
            if let json = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'scope'") {
                let existing = try JSONDecoder().decode(StoredScope.self, from: Data(json.utf8))
                guard existing == scope else {
                    throw StoreError(code: .scopeMismatch, message: "\(path) holds data for another scope (\(existing)), not (\(scope)); use another --store")
                }
                return
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let json = String(decoding: try encoder.encode(scope), as: UTF8.self)
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('scope', ?)", arguments: [json])
        }
    }

    // MARK: Files

    /// The content hashes of every stored file.
    public func fileHashes() throws -> Set<String> {
        try writer.read { db in Set(try String.fetchAll(db, sql: "SELECT sha256 FROM files")) }
    }

    /// Writes one file's contribution in one transaction. Returns false (and
    /// writes nothing) when a file with the same content is already stored.
    @discardableResult
    public func insert(_ f: FileIngest) throws -> Bool {
        try insert([f])[0]
    }

    /// Writes several files' contributions in one transaction (one commit,
    /// one sync), each as `insert(_:)` would; all or none of them land.
    /// Returns, per file, whether it was written.
    @discardableResult
    public func insert(_ batch: [FileIngest]) throws -> [Bool] {
        try writer.write { db in
            var ids = BatchIDs()
            return try batch.map { try insertFile($0, db, &ids) }
        }
    }

    /// Collector and peer row IDs already looked up in this transaction.
    private struct BatchIDs {
        var collectors: [String: Int64] = [:]
        var peers: [Int64: [PeerKey: Int64]] = [:]
    }

    private func insertFile(_ f: FileIngest, _ db: Database, _ ids: inout BatchIDs) throws -> Bool {
        let collectorID: Int64
        var newCollector = false
        if let id = ids.collectors[f.collector] {
            collectorID = id
        } else {
            try db.cachedStatement(sql: "INSERT INTO collectors (name, project) VALUES (?, ?) ON CONFLICT(name) DO NOTHING")
                .execute(arguments: [f.collector, f.project])
            newCollector = db.changesCount > 0
            collectorID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM collectors WHERE name = ?"), arguments: [f.collector]) ?? 0
            ids.collectors[f.collector] = collectorID
        }
        // A file already stored (same content) makes no change, and nothing more is written.
        try db.cachedStatement(sql: """
            INSERT INTO files (path, sha256, size, compression, collector_id, kind, file_time, coverage_start, coverage_end,
                               first_time, last_time, records, elements, events, status, errors, ingested_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING
            """).execute(arguments: [f.path, f.sha256, f.size, f.compression, collectorID, f.kind.rawValue, f.fileTime,
                             f.coverageStart, f.coverageEnd, f.firstTime, f.lastTime, f.records, f.elements,
                             f.events.count, f.status.rawValue, f.errors.joined(separator: "\n"),
                             Store.utcNow()])
        if db.changesCount == 0 {
            if newCollector {
                try db.execute(sql: "DELETE FROM collectors WHERE id = ?", arguments: [collectorID])
                ids.collectors[f.collector] = nil
            }
            return false
        }
        let fileID = db.lastInsertedRowID
        var peerIDs = ids.peers[collectorID] ?? [:]
        defer { ids.peers[collectorID] = peerIDs }
        let findPeer = try db.cachedStatement(sql: "SELECT id FROM peers WHERE collector_id = ? AND ip = ? AND asn = ?")
        let addPeer = try db.cachedStatement(sql: "INSERT INTO peers (collector_id, ip, asn) VALUES (?, ?, ?)")
        func peerID(_ p: PeerKey) throws -> Int64 {
            if let id = peerIDs[p] { return id }
            if let id = try Int64.fetchOne(findPeer, arguments: [collectorID, p.ip, p.asn]) {
                peerIDs[p] = id
                return id
            }
            try addPeer.execute(arguments: [collectorID, p.ip, p.asn])
            peerIDs[p] = db.lastInsertedRowID
            return db.lastInsertedRowID
        }
        let addEvent = try db.cachedStatement(sql: """
            INSERT INTO events (file_id, peer_id, time_us, kind, prefix, as_path, origin_asn, next_hop) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for e in f.events {
            try addEvent.execute(arguments: [fileID, try peerID(e.peer), e.timeMicros, e.kind.rawValue, e.prefix, e.asPath, e.originASN, e.nextHop])
        }
        let addState = try db.cachedStatement(sql: "INSERT INTO peer_states (file_id, peer_id, time_us, old_state, new_state) VALUES (?, ?, ?, ?, ?)")
        for s in f.states {
            try addState.execute(arguments: [fileID, try peerID(s.peer), s.timeMicros, s.oldState, s.newState])
        }
        let addRIB = try db.cachedStatement(sql: "INSERT INTO rib_tables (file_id, peer_id, time, ipv4_prefixes, ipv6_prefixes) VALUES (?, ?, ?, ?, ?)")
        for t in f.ribTables {
            try addRIB.execute(arguments: [fileID, try peerID(t.peer), t.time, t.ipv4Prefixes, t.ipv6Prefixes])
        }
        let addBin = try db.cachedStatement(sql: """
            INSERT INTO collector_bins (collector_id, bin_start, elements) VALUES (?, ?, ?)
            ON CONFLICT(collector_id, bin_start) DO UPDATE SET elements = elements + excluded.elements
            """)
        for (bin, n) in f.bins { try addBin.execute(arguments: [collectorID, bin, n]) }
        return true
    }

    /// `2026-11-22T21:37:00Z`, without a date formatter on the write path.
    static func utcNow() -> String {
        var t = time(nil)
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))T\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec))Z"
    }

    // MARK: Queries

    public func gaps() throws -> [CoverageGap] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT collector, gap_start, gap_end FROM gaps ORDER BY collector, gap_start").map {
                CoverageGap(collector: $0["collector"], start: $0["gap_start"], end: $0["gap_end"])
            }
        }
    }

    /// Counts of rows per table, for summaries and tests.
    public func tableCounts() throws -> [String: Int] {
        try writer.read { db in
            var out: [String: Int] = [:]
            for t in ["collectors", "files", "peers", "peer_states", "rib_tables", "events", "collector_bins"] {
                out[t] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(t)") ?? 0
            }
            return out
        }
    }

    /// Runs a read-only query and returns its rows as text columns: for tools
    /// and tests that look at the store as a user with sqlite3 would.
    public func query(_ sql: String) throws -> [[String?]] {
        try writer.read { db in
            try Row.fetchAll(db, sql: sql).map { row in row.databaseValues.map { v in v.isNull ? nil : String(describing: v.storage.value ?? "") } }
        }
    }

    /// The store's content with row ids replaced by natural keys and every
    /// table sorted: two stores with the same data give the same lines,
    /// whatever order the files were ingested in.
    public func logicalContent() throws -> [String] {
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

extension Store {
    /// Distinct prefixes announced (or in RIB dumps) with one of `asns` as origin.
    public func prefixesOriginatedBy(_ asns: [UInt32]) throws -> [String] {
        guard !asns.isEmpty else { return [] }
        let list = asns.map(String.init).joined(separator: ",")
        return try query("SELECT DISTINCT prefix FROM events WHERE kind IN ('A','R') AND origin_asn IN (\(list)) ORDER BY prefix").compactMap { $0.first ?? nil }
    }
}

/// Rows the analysis reads, typed (GRDB stays inside NKStore).
public struct StoredPeer: Sendable { public var id: Int64; public var collector: String; public var ip: String; public var asn: UInt32 }
public struct StoredEvent: Sendable { public var fileID: Int64; public var peerID: Int64; public var timeMicros: Int64; public var kind: String; public var prefix: String; public var asPath: String? }
public struct StoredRIBTable: Sendable { public var fileID: Int64; public var peerID: Int64; public var time: Int64; public var ipv4: Int; public var ipv6: Int }
public struct StoredState: Sendable { public var peerID: Int64; public var timeMicros: Int64; public var oldState: UInt16; public var newState: UInt16 }
public struct StoredFile: Sendable {
    public var id: Int64; public var path: String; public var collector: String; public var kind: String
    public var coverageStart: Int64?; public var coverageEnd: Int64?; public var firstTime: Int64?; public var status: String
}

extension Store {
    public func peers() throws -> [StoredPeer] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT p.id, c.name, p.ip, p.asn FROM peers p JOIN collectors c ON c.id = p.collector_id ORDER BY p.id").map {
                StoredPeer(id: $0[0], collector: $0[1], ip: $0[2], asn: UInt32(truncatingIfNeeded: $0[3] as Int64))
            }
        }
    }

    /// Route events ordered by time; `kinds` among "A", "W", "R".
    public func events(kinds: [String]) throws -> [StoredEvent] {
        let list = kinds.map { "'\($0)'" }.joined(separator: ",")
        return try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT file_id, peer_id, time_us, kind, prefix, as_path FROM events WHERE kind IN (\(list)) ORDER BY time_us, peer_id, prefix, kind").map {
                StoredEvent(fileID: $0[0], peerID: $0[1], timeMicros: $0[2], kind: $0[3], prefix: $0[4], asPath: $0[5])
            }
        }
    }

    public func ribTables() throws -> [StoredRIBTable] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT file_id, peer_id, time, ipv4_prefixes, ipv6_prefixes FROM rib_tables ORDER BY file_id, peer_id").map {
                StoredRIBTable(fileID: $0[0], peerID: $0[1], time: $0[2], ipv4: $0[3], ipv6: $0[4])
            }
        }
    }

    public func peerStates() throws -> [StoredState] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT peer_id, time_us, old_state, new_state FROM peer_states ORDER BY time_us, peer_id").map {
                StoredState(peerID: $0[0], timeMicros: $0[1], oldState: UInt16(truncatingIfNeeded: $0[2] as Int64), newState: UInt16(truncatingIfNeeded: $0[3] as Int64))
            }
        }
    }

    public func files() throws -> [StoredFile] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT f.id, f.path, c.name, f.kind, f.coverage_start, f.coverage_end, f.first_time, f.status FROM files f JOIN collectors c ON c.id = f.collector_id ORDER BY f.id").map {
                StoredFile(id: $0[0], path: $0[1], collector: $0[2], kind: $0[3], coverageStart: $0[4], coverageEnd: $0[5], firstTime: $0[6], status: $0[7])
            }
        }
    }
}
