import CSQLite
import CSQLiteSettings
import Foundation
import GRDB
import MRT
import NKModel
@testable import NKStore
import Testing

@Suite("The store")
struct StoreTests {
    static let peer = Peer(collector: "rrc00", ip: IPAddress("193.0.0.1")!, asn: 1299)
    static let t0 = Timestamp(seconds: 1_419_264_000)

    static func file(_ sha: String, kind: FileKind = .updates, start: Int64 = 0, events: [RouteEvent] = [], states: [SessionChange] = []) -> FileIngest {
        let file = StoredFile(path: "rrc00/2014.12/\(sha).gz", sha256: sha, size: 10, compression: .gzip, kind: kind, fileTime: nil,
                              coverage: CollectorInterval(collector: "rrc00", start: t0.adding(seconds: start), end: t0.adding(seconds: start + 300)),
                              firstTime: nil, lastTime: nil, records: events.count, elements: events.count, status: .ok, errors: [], identity: nil,
                              archiveKey: "rrc00/\(sha)", scannedThrough: 0)
        return FileIngest(file: file, collector: Collector(name: "rrc00", project: .ris), events: RouteEventList(events), states: states)
    }

    static func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("nkwatch-store-\(UUID().uuidString).sqlite").path
    }

    @Test("what is written is read back typed: events, sessions, RIB tables, coverage, gaps")
    func roundTrip() throws {
        let s = try Store.inMemory()
        try s.useScope(.northKorea)
        let kp = Prefix("175.45.176.0/24")!
        let a = RouteEvent(time: Self.t0.adding(microseconds: 5), peer: Self.peer, kind: .announce, prefix: kp, asPath: "1299 4837 131279",
                           originASN: 131279, nextHop: IPAddress("193.0.0.1"))
        let w = RouteEvent(time: Self.t0.adding(seconds: 60), peer: Self.peer, kind: .withdraw, prefix: kp)
        let st = SessionChange(time: Self.t0.adding(seconds: 30), peer: Self.peer, old: .established, new: BGPState(rawValue: 8))
        var rib = Self.file("r", kind: .rib, events: [RouteEvent(time: Self.t0, peer: Self.peer, kind: .rib, prefix: kp, asPath: "1299 4837 131279", originASN: 131279)])
        rib.ribTables = [RIBTableSize(time: Self.t0, peer: Self.peer, size: TableSize(ipv4: 500_000, ipv6: 20_000))]
        #expect(try s.insert([rib, Self.file("u1", events: [w, a], states: [st]), Self.file("u3", start: 600)]) == [.inserted, .inserted, .inserted])
        #expect(try s.insert(Self.file("u1")) == .duplicate)
        #expect(try s.scope() == .northKorea)
        #expect(try s.routeEvents(kinds: [.announce, .withdraw]).map(\.event) == [a, w])
        #expect(try s.routeEvents(kinds: [.rib]).map(\.event.kind) == [.rib])
        #expect(try s.query("SELECT kind FROM events ORDER BY time_us") == [["B"], ["A"], ["W"]])
        #expect(try s.sessionChanges() == [st])
        #expect(try s.ribTables().map(\.table) == rib.ribTables)
        #expect(try s.prefixesOriginatedBy([131279]) == [kp])
        #expect(try s.peers() == [Self.peer])
        let files = try s.files()
        #expect(files.map(\.file.kind) == [.rib, .updates, .updates])
        #expect(files.map(\.collector.project) == [.ris, .ris, .ris])
        // The gap between u1 and u3, the same from the SQL view and from Swift.
        let gap = CollectorInterval(collector: "rrc00", start: Self.t0.adding(seconds: 300), end: Self.t0.adding(seconds: 600))
        #expect(try s.gaps() == [gap])
        #expect(try s.query("SELECT collector, gap_start, gap_end FROM gaps") == [["rrc00", "\(gap.start.seconds)", "\(gap.end.seconds)"]])
    }

    @Test("SQLite keeps no memory statistics: the setting was made before SQLite started, and a store's writes count nothing")
    func noMemoryStatistics() throws {
        #expect(nk_sqlite_settings_result() == SQLITE_OK)
        let s = try Store.inMemory()
        try s.useScope(.northKorea)
        try s.insert((0..<20).map { Self.file("m\($0)") })
        #expect(sqlite3_memory_used() == 0)
        #expect(sqlite3_memory_highwater(0) == 0)
    }

    @Test("text parameters: written in place, copied when longer than the scratch, empty as '' and absent as NULL, IPv6 in inet_ntop's form")
    func textParameters() throws {
        let s = try Store.inMemory()
        try s.useScope(.northKorea)
        let v6 = Peer(collector: "rrc00", ip: IPAddress("2001:7f8::3:0:1")!, asn: 6939)
        let long = (0..<5000).map { String(64_512 + $0 % 1000) }.joined(separator: " ")  // 30 KB: more than the scratch
        let events = [
            RouteEvent(time: Self.t0, peer: v6, kind: .announce, prefix: Prefix("2001:db8::/32")!, asPath: long, originASN: 65_000,
                       nextHop: IPAddress("::ffff:192.0.2.1")),
            RouteEvent(time: Self.t0.adding(seconds: 1), peer: v6, kind: .announce, prefix: Prefix("175.45.176.0/24")!, asPath: "",
                       originASN: nil, nextHop: IPAddress("fe80::1")),
            RouteEvent(time: Self.t0.adding(seconds: 2), peer: Self.peer, kind: .withdraw, prefix: Prefix("175.45.177.0/24")!),
        ]
        #expect(try s.insert(Self.file("t", events: events)) == .inserted)
        let rows = try s.query("SELECT prefix, length(as_path), as_path IS NULL, next_hop, next_hop IS NULL, errors FROM events e JOIN files f ON f.id = e.file_id ORDER BY time_us")
        #expect(rows == [["2001:db8::/32", "\(long.utf8.count)", "0", "::ffff:192.0.2.1", "0", ""],
                         ["175.45.176.0/24", "0", "0", "fe80::1", "0", ""],
                         ["175.45.177.0/24", nil, "1", nil, "1", ""]])
        #expect(try s.query("SELECT as_path = ? FROM events WHERE prefix = '2001:db8::/32'".replacingOccurrences(of: "?", with: "'\(long)'")) == [["1"]])
        #expect(try s.routeEvents(kinds: [.announce, .withdraw]).map(\.event) == events)
    }

    @Test("closing leaves one file in rollback-journal mode; with another connection open it returns at once, the log checkpointed and empty, and the next close finishes the job")
    func closeBackToOneFile() throws {
        let path = Self.tempPath()
        defer { for s in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + s) } }
        func exists(_ suffix: String) -> Bool { FileManager.default.fileExists(atPath: path + suffix) }
        let s = try Store.open(path: path)
        try s.useScope(.northKorea)
        try s.insert((0..<50).map { Self.file("c\($0)") })
        #expect(try s.query("SELECT COUNT(*) FROM files") == [["50"]])
        try s.close()
        #expect(!exists("-wal") && !exists("-shm"))
        let q = try DatabaseQueue(path: path)
        #expect(try q.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "delete")
        #expect(try q.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM files") } == 50)
        try q.close()
        // Another connection (a reader) holds the file while the writer closes.
        let again = try Store.open(path: path)
        try again.insert((50..<80).map { Self.file("c\($0)") })
        let reader = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        #expect(try reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM files") } == 80)
        let start = Date()
        try again.close()
        #expect(Date().timeIntervalSince(start) < 5, "close waited for the reader")
        #expect(exists("-wal"))
        #expect((try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) == 0)
        #expect(try reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM files") } == 80)
        try reader.close()
        try Store.open(path: path).close()
        #expect(!exists("-wal") && !exists("-shm"))
        let last = try Store.open(path: path, mode: .read)
        #expect(try last.query("SELECT COUNT(*) FROM files") == [["80"]])
    }

    @Test("a store refuses a different scope")
    func scopeMismatch() throws {
        let s = try Store.inMemory()
        try s.useScope(.northKorea)
        do {
            try s.useScope(Scope(prefixes: [Prefix("41.0.0.0/8")!], originASNs: [8452]))
            Issue.record("accepted another scope")
        } catch {
            #expect(error.code == .scopeMismatch)
        }
    }

    @Test("a foreign SQLite file and a text file are refused, untouched")
    func foreign() throws {
        let path = Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("notes\n".utf8).write(to: URL(fileURLWithPath: path))
        do { _ = try Store.open(path: path); Issue.record("opened a text file") } catch { #expect(error.code == .notAStore) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("notes\n".utf8))
        try FileManager.default.removeItem(atPath: path)
        let q = try DatabaseQueue(path: path)
        try q.write { try $0.execute(sql: "CREATE TABLE t(x)") }
        try q.close()
        do { _ = try Store.open(path: path); Issue.record("opened a foreign database") } catch { #expect(error.code == .notAStore) }
    }

    @Test("a store of schema 1 is migrated: RIB entries spelled B, the scope JSON in the common form, identity columns")
    func migrationFromV1() throws {
        let path = Self.tempPath()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let q = try DatabaseQueue(path: path)
        try Store.migrator.migrate(q, upTo: "v1")
        try q.write { db in
            try db.execute(sql: #"INSERT INTO meta VALUES ('scope', '{"country":null,"originASNs":[131279],"prefixes":["175.45.176.0\/22"]}')"#)
            try db.execute(sql: "INSERT INTO collectors VALUES (1, 'rrc00', 'ris')")
            try db.execute(sql: "INSERT INTO files (id, path, sha256, size, compression, collector_id, kind, records, elements, events, status, errors, ingested_at) VALUES (1, 'x', 'h', 1, 'gzip', 1, 'rib', 1, 1, 1, 'ok', '', 'now')")
            try db.execute(sql: "INSERT INTO peers VALUES (1, 1, '193.0.0.1', 1299)")
            try db.execute(sql: "INSERT INTO events VALUES (1, 1, 5, 'R', '175.45.176.0/24', '1299 131279', 131279, NULL)")
        }
        try q.close()
        let s = try Store.open(path: path)
        #expect(try s.query("SELECT kind FROM events") == [["B"]])
        #expect(try s.query("SELECT value FROM meta WHERE key = 'scope'") == [[#"{"origin_asns":[131279],"prefixes":["175.45.176.0/22"]}"#]])
        #expect(try s.query("SELECT value FROM meta WHERE key = 'schema_version'") == [["4"]])
        // Schema 3: the file's archive key from its collector and name, the learned prefixes of the origin AS.
        #expect(try s.query("SELECT archive_key, scanned_through FROM files") == [["rrc00/x", "1"]])
        #expect(try s.learnedPrefixes().map(\.prefix.description) == ["175.45.176.0/24"])
        #expect(try s.scope() == .northKorea)
        #expect(try s.routeEvents(kinds: [.rib]).count == 1)
        #expect(try s.files().first?.file.identity == nil)
    }

    @Test("schema 4: a store of schema 3 keeps every file and event; the same bytes at two archive times are two files, a copy is one")
    func migrationToV4() throws {
        let path = Self.tempPath()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let q = try DatabaseQueue(path: path)
        try Store.migrator.migrate(q, upTo: "v3")
        try q.write { db in
            try db.execute(sql: "INSERT INTO collectors VALUES (1, 'rrc00', 'ris')")
            try db.execute(sql: """
                INSERT INTO files (id, path, sha256, size, compression, collector_id, kind, file_time, coverage_start, coverage_end, records, elements,
                                   events, status, errors, ingested_at, archive_key, scanned_through)
                VALUES (7, 'rrc00/2014.12/updates.20141222.1600.gz', 'e', 20, 'gzip', 1, 'updates', 1419264000, 1419264000, 1419264300, 0, 0, 1,
                        'ok', '', 'now', 'rrc00/updates/20141222.1600', 0)
                """)
            try db.execute(sql: "INSERT INTO peers VALUES (1, 1, '193.0.0.1', 1299)")
            try db.execute(sql: "INSERT INTO events VALUES (7, 1, 5, 'W', '175.45.176.0/24', NULL, NULL, NULL)")
        }
        try q.close()
        let s = try Store.open(path: path)
        #expect(try s.query("SELECT id, path, archive_key FROM files") == [["7", "rrc00/2014.12/updates.20141222.1600.gz", "rrc00/updates/20141222.1600"]])
        #expect(try s.query("SELECT COUNT(*) FROM events WHERE file_id = 7") == [["1"]])
        #expect(try s.query("PRAGMA foreign_key_check") == [])
        // The same (empty) bytes as the 16:05 file of the collector: another file.
        func empty(_ name: String, _ key: String) -> FileIngest {
            var f = Self.file("e")
            f.file.path = name
            f.file.archiveKey = key
            return f
        }
        let outcomes = try s.insert([empty("rrc00/2014.12/updates.20141222.1605.gz", "rrc00/updates/20141222.1605"),
                                     empty("mirror/rrc00/2014.12/updates.20141222.1600.gz", "rrc00/updates/20141222.1600"),
                                     empty("elsewhere/renamed.gz", "elsewhere/renamed.gz")])
        #expect(outcomes == [.inserted, .duplicate, .duplicate])
        #expect(try s.query("SELECT COUNT(*) FROM files") == [["2"]])
        #expect(try s.query("SELECT * FROM gaps") == [])
    }

    @Test("v5: a store made before it loses the two unused indexes and nothing else; lookups by hash and by archive key stay indexed; still schema 4")
    func migrationToV5() throws {
        let path = Self.tempPath()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let q = try DatabaseQueue(path: path)
        try Store.migrator.migrate(q, upTo: "v4")
        try q.close()
        // A store written by the build before v5 (its migrations stop at v4).
        let old = try DatabaseQueue(path: path)
        #expect(try old.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'files' ORDER BY name") }
                == ["files_archive_key", "files_path", "files_sha256", "sqlite_autoindex_files_1"])
        try old.close()
        let s = try Store.open(path: path)
        try s.useScope(.northKorea)
        #expect(try s.insert([Self.file("a"), Self.file("b")]) == [.inserted, .inserted])
        #expect(try s.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'files' ORDER BY name")
                == [["files_archive_key"], ["sqlite_autoindex_files_1"]])
        #expect(try s.query("SELECT value FROM meta WHERE key = 'schema_version'") == [["4"]])
        #expect(try s.insert(Self.file("a")) == .duplicate)
        // The writer's lookups, planned on the indexes that are left.
        let plans = try s.query("EXPLAIN QUERY PLAN " + Store.bySHASQL.replacingOccurrences(of: "?", with: "'a'"))
            + s.query("EXPLAIN QUERY PLAN " + Store.byKeySQL.replacingOccurrences(of: "?", with: "'rrc00/a'"))
        #expect(plans.map { $0.last! ?? "" } == ["SEARCH files USING COVERING INDEX sqlite_autoindex_files_1 (sha256=?)",
                                                  "SEARCH files USING INDEX files_archive_key (archive_key=?)"])
        try s.close()
        // A build of schema 4 without v5 opens it and migrates nothing.
        var upToV4 = DatabaseMigrator()
        for id in ["v1", "v2", "v3", "v4"] { upToV4.registerMigration(id) { _ in Issue.record("migration \(id) ran again") } }
        let older = try DatabaseQueue(path: path)
        try upToV4.migrate(older)
        #expect(try older.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM files") } == 2)
        try older.close()
    }

    @Test("a store from a newer nkwatch is refused")
    func newer() throws {
        let path = Self.tempPath()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        _ = try Store.open(path: path)
        let q = try DatabaseQueue(path: path)
        try q.write { try $0.execute(sql: "UPDATE meta SET value = '99' WHERE key = 'schema_version'") }
        try q.close()
        do { _ = try Store.open(path: path); Issue.record("opened a newer store") } catch { #expect(error.code == .newerSchema) }
    }

    @Test("a store left with a hot journal (a run killed mid-write in rollback-journal mode) opens for writing and reading, at its last commit")
    func hotJournal() throws {
        let path = Self.tempPath(), copy = Self.tempPath()
        defer { for p in [path, copy] { for s in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: p + s) } } }
        let s = try Store.open(path: path)
        try s.insert([Self.file("a")])
        try s.close() // back in rollback-journal mode
        // A writer whose transaction spilled into the file, copied as a kill
        // leaves it: the database file and its journal, no lock held.
        let q = try DatabaseQueue(path: path)
        try q.inDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = 2")
            try db.execute(sql: "BEGIN IMMEDIATE")
            try db.execute(sql: "CREATE TABLE junk AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
                + "SELECT i, randomblob(100) AS b FROM n")
            try db.execute(sql: "UPDATE files SET records = 99")
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            try FileManager.default.copyItem(atPath: path + "-journal", toPath: copy + "-journal")
            try db.execute(sql: "ROLLBACK")
        }
        try q.close()
        #expect(FileManager.default.fileExists(atPath: copy + "-journal"))
        let writer = try Store.open(path: copy)
        #expect(try writer.query("SELECT COUNT(*), MAX(records) FROM files") == [["1", "0"]])
        #expect(try writer.query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'junk'") == [["0"]])
        try writer.close()
        let reader = try Store.open(path: copy, mode: .read)
        #expect(try reader.query("SELECT COUNT(*) FROM files") == [["1"]])
    }

    @Test("verify: nothing for no store, the file's identity for a whole one, damage named, and an open after it checks again a file that changed")
    func verifyThenOpen() throws {
        let path = Self.tempPath()
        defer { for s in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + s) } }
        #expect(try Store.verify(path: path) == nil)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect(try Store.verify(path: path) == nil)
        let s = try Store.open(path: path)
        try s.insert([Self.file("a")])
        try s.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let verified = try #require(try Store.verify(path: path))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)  // nothing written
        // Still the file checked: it opens.
        try Store.open(path: path, verified: verified).close()
        // Damaged, and a page longer: the open checks it again, and refuses it.
        let reader = try Store.open(path: path, mode: .read)
        let root = try #require(Int(try reader.query("SELECT rootpage FROM sqlite_master WHERE name = 'files'").first?.first.flatMap { $0 } ?? ""))
        let pageSize = try #require(Int(try reader.query("PRAGMA page_size").first?.first.flatMap { $0 } ?? ""))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for i in 0..<8 { bytes[(root - 1) * pageSize + i] = 0xA5 }
        bytes.append(Data(count: pageSize))
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { try Store.open(path: path, verified: verified) }
        let e = #expect(throws: StoreError.self) { try Store.verify(path: path) }
        #expect(e?.code == .damaged, "\(String(describing: e))")
    }

    @Test("a new store, made in one transaction, is the store the migrations make of an empty database: schema, migrations recorded, version, application id")
    func squashedSchema() throws {
        let a = Self.tempPath(), b = Self.tempPath()
        defer { for p in [a, b] { for s in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: p + s) } } }
        #expect(Store.migrator.migrations == Store.migrationIdentifiers)
        let migrated = try DatabaseQueue(path: a)
        try Store.migrator.migrate(migrated)
        try Store.open(path: b).close()
        let made = try DatabaseQueue(path: b)
        func describe(_ q: DatabaseQueue) throws -> [String] {
            try q.read { db in
                try String.fetchAll(db, sql: "SELECT type || ' ' || name || ' ' || tbl_name || ' ' || IFNULL(sql, '-') FROM sqlite_master ORDER BY type, name")
                    + String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
                    + String.fetchAll(db, sql: "SELECT key || '=' || value FROM meta ORDER BY key")
                    + [String(try Int.fetchOne(db, sql: "PRAGMA application_id") ?? 0)]
            }
        }
        let expected = try describe(migrated), got = try describe(made)
        #expect(expected.count == got.count && expected.count > 30)
        for (e, g) in zip(expected, got) { #expect(e == g) }
        #expect(try made.read { try Store.migrator.hasCompletedMigrations($0) })
        // Opened again, it is a store like any other.
        let again = try Store.open(path: b)
        try again.insert([Self.file("a")])
        #expect(try again.query("SELECT COUNT(*) FROM files") == [["1"]])
        try again.close()
    }

    @Test("file identities are kept for files read from disk")
    func identities() throws {
        let s = try Store.inMemory()
        var f = Self.file("a")
        f.file.device = 1
        f.file.inode = 2
        f.file.modifiedNanoseconds = 3
        try s.insert([f, Self.file("b")])
        #expect(try s.fileIdentities() == [f.file.path: FileIdentity(device: 1, inode: 2, size: 10, modifiedNanoseconds: 3)])
        #expect(try s.fileHashes() == ["a": ["rrc00/a"], "b": ["rrc00/b"]])
    }

    @Test("files read by column index equal files read by name, and the lean coverage read equals coverage from whole files")
    func filesByIndex() throws {
        let s = try Store.inMemory()
        var a = Self.file("a", events: [RouteEvent(time: Self.t0, peer: Self.peer, kind: .withdraw, prefix: Prefix("175.45.176.0/24")!)])
        a.file.device = -1
        a.file.inode = 2
        a.file.modifiedNanoseconds = 3
        a.file.fileTime = Self.t0.seconds
        a.file.firstTime = Self.t0.seconds + 1
        a.file.lastTime = Self.t0.seconds + 299
        var b = Self.file("b", start: 900)
        b.file.status = .damaged
        b.file.errors = "cut at byte 4096\nsecond cause"
        b.file.compression = .bzip2
        b.file.archiveKey = nil
        b.file.coverageEnd = nil
        let r = Self.file("r", kind: .rib, start: 300)
        try s.insert([a, b, r, Self.file("c", start: 1200)])
        let byIndex = try s.files()
        let byName = try s.read("test") { db in try Row.fetchAll(db, sql: "SELECT * FROM files ORDER BY id").map(StoredFile.init(row:)) }
        #expect(byIndex.map(\.file) == byName)
        #expect(byIndex.count == 4)
        #expect(byIndex[0].file.identity == FileIdentity(device: UInt64(bitPattern: -1), inode: 2, size: 10, modifiedNanoseconds: 3))
        #expect(byIndex[1].file.status == .damaged && byIndex[1].file.errors == "cut at byte 4096\nsecond cause" && byIndex[1].file.archiveKey == nil)
        #expect(byIndex[1].file.compression == .bzip2 && byIndex[2].file.kind == .rib)
        #expect(try s.coverage() == Store.coverage(of: byIndex))
        // The damaged file with no end and no last time covers nothing; the RIB dump is not an update file.
        #expect(try s.coverage() == [CollectorInterval(collector: "rrc00", start: Self.t0, end: Self.t0.adding(seconds: 300)),
                                     CollectorInterval(collector: "rrc00", start: Self.t0.adding(seconds: 1200), end: Self.t0.adding(seconds: 1500))])
    }
}
