import Foundation
import GRDB
import MRT
import NKModel

extension Store {
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
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                -- Versions of one archive file: the same collector, kind and time
                -- (or, without a time in the name, the same file name).
                ALTER TABLE files ADD COLUMN archive_key TEXT;
                UPDATE files SET archive_key = (SELECT c.name FROM collectors c WHERE c.id = files.collector_id) || '/' ||
                    CASE WHEN file_time IS NOT NULL AND kind != 'unknown'
                         THEN kind || '/' || strftime('%Y%m%d.%H%M', file_time, 'unixepoch')
                         ELSE replace(path, rtrim(path, replace(path, '/', '')), '') END;
                CREATE INDEX files_archive_key ON files(archive_key);
                -- Prefixes the scope's origin ASNs announced, in the order they
                -- were learned; a file's events include those up to scanned_through.
                CREATE TABLE learned_prefixes (seq INTEGER PRIMARY KEY AUTOINCREMENT, prefix TEXT NOT NULL UNIQUE);
                ALTER TABLE files ADD COLUMN scanned_through INTEGER NOT NULL DEFAULT 0;
                -- Collector health per file, so that a replaced version takes its
                -- elements with it; rows of schema 2 keep no file.
                CREATE TABLE file_bins (
                    file_id INTEGER REFERENCES files(id), collector_id INTEGER NOT NULL REFERENCES collectors(id),
                    bin_start INTEGER NOT NULL, elements INTEGER NOT NULL);
                INSERT INTO file_bins (file_id, collector_id, bin_start, elements) SELECT NULL, collector_id, bin_start, elements FROM collector_bins;
                DROP TABLE collector_bins;
                CREATE VIEW collector_bins AS
                    SELECT collector_id, bin_start, SUM(elements) AS elements FROM file_bins GROUP BY collector_id, bin_start;
                CREATE INDEX file_bins_file ON file_bins(file_id);
                CREATE INDEX events_file ON events(file_id);
                CREATE INDEX peer_states_file ON peer_states(file_id);
                """)
            // What schema 2 stored for the origin ASNs counts as read with every
            // prefix they announced.
            if let row = try MetaRow.fetchOne(db, key: MetaRow.scopeKey), let scope = try? Scope(json: row.value), !scope.originASNs.isEmpty {
                try db.execute(sql: """
                    INSERT INTO learned_prefixes (prefix) SELECT DISTINCT prefix FROM events
                    WHERE kind IN ('A', 'B') AND origin_asn IN (\(scope.originASNs.sorted().map(String.init).joined(separator: ","))) ORDER BY prefix
                    """)
                try db.execute(sql: "UPDATE files SET scanned_through = (SELECT IFNULL(MAX(seq), 0) FROM learned_prefixes)")
            }
            try MetaRow(key: MetaRow.schemaVersionKey, value: "3").update(db)
        }
        migrator.registerMigration("v4") { db in
            // Two archive files may hold the same bytes (the empty update
            // files of a quiet collector): a file is the same one when its
            // content and its archive key are, so the uniqueness of the hash
            // alone goes (SQLite's way: a new table, copied, renamed).
            try db.execute(sql: """
                DROP VIEW gaps;
                CREATE TABLE files_v4 (
                    id INTEGER PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
                    compression TEXT NOT NULL, collector_id INTEGER NOT NULL REFERENCES collectors(id), kind TEXT NOT NULL,
                    file_time INTEGER, coverage_start INTEGER, coverage_end INTEGER, first_time INTEGER, last_time INTEGER,
                    records INTEGER NOT NULL, elements INTEGER NOT NULL, events INTEGER NOT NULL,
                    status TEXT NOT NULL, errors TEXT NOT NULL, ingested_at TEXT NOT NULL,
                    device INTEGER, inode INTEGER, mtime_ns INTEGER,
                    archive_key TEXT, scanned_through INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (sha256, archive_key));
                INSERT INTO files_v4 (id, path, sha256, size, compression, collector_id, kind, file_time, coverage_start, coverage_end,
                                      first_time, last_time, records, elements, events, status, errors, ingested_at, device, inode, mtime_ns,
                                      archive_key, scanned_through)
                    SELECT id, path, sha256, size, compression, collector_id, kind, file_time, coverage_start, coverage_end,
                           first_time, last_time, records, elements, events, status, errors, ingested_at, device, inode, mtime_ns,
                           archive_key, scanned_through FROM files;
                DROP TABLE files;
                ALTER TABLE files_v4 RENAME TO files;
                CREATE INDEX files_path ON files(path);
                CREATE INDEX files_archive_key ON files(archive_key);
                CREATE INDEX files_sha256 ON files(sha256);
                CREATE VIEW gaps AS
                    SELECT c.name AS collector, prev_end AS gap_start, coverage_start AS gap_end
                    FROM (SELECT collector_id, coverage_start,
                                 MAX(coverage_end) OVER (PARTITION BY collector_id ORDER BY coverage_start, coverage_end
                                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
                          FROM files WHERE kind = 'updates' AND coverage_start IS NOT NULL) f
                    JOIN collectors c ON c.id = f.collector_id
                    WHERE prev_end IS NOT NULL AND coverage_start > prev_end;
                """)
            try MetaRow(key: MetaRow.schemaVersionKey, value: "4").update(db)
        }
        migrator.registerMigration("v5") { db in
            // Two indexes no query uses, each a long key to insert for every
            // file (10 % of the ingest writer's instructions on small files):
            // lookups by hash use UNIQUE (sha256, archive_key), whose first
            // column it is, and none is by path (the stored paths are read all
            // at once). What the tables hold and mean is unchanged, so the
            // schema version stays 4 and a store with or without them is read
            // the same by every build of schema 4.
            try db.execute(sql: "DROP INDEX IF EXISTS files_path; DROP INDEX IF EXISTS files_sha256")
        }
        return migrator
    }

    /// The identifiers of `migrator`'s migrations, in order.
    static let migrationIdentifiers = ["v1", "v2", "v3", "v4", "v5"]

    /// What the migrations make of an empty database, as one script (the
    /// statements of its `sqlite_master`, in their order): a new store is
    /// made with it in one transaction and recorded as migrated, where the
    /// migrations one after the other took 5-8 ms, on the path to the
    /// first file's read. `StoreTests.squashedSchema` checks that it makes
    /// exactly what the migrations make; a new migration changes both.
    static let squashedSchema = """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE collectors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, project TEXT NOT NULL);
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
            CREATE TABLE learned_prefixes (seq INTEGER PRIMARY KEY AUTOINCREMENT, prefix TEXT NOT NULL UNIQUE);
            CREATE TABLE file_bins (
                file_id INTEGER REFERENCES files(id), collector_id INTEGER NOT NULL REFERENCES collectors(id),
                bin_start INTEGER NOT NULL, elements INTEGER NOT NULL);
            CREATE VIEW collector_bins AS
                SELECT collector_id, bin_start, SUM(elements) AS elements FROM file_bins GROUP BY collector_id, bin_start;
            CREATE INDEX file_bins_file ON file_bins(file_id);
            CREATE INDEX events_file ON events(file_id);
            CREATE INDEX peer_states_file ON peer_states(file_id);
            CREATE TABLE "files" (
                id INTEGER PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
                compression TEXT NOT NULL, collector_id INTEGER NOT NULL REFERENCES collectors(id), kind TEXT NOT NULL,
                file_time INTEGER, coverage_start INTEGER, coverage_end INTEGER, first_time INTEGER, last_time INTEGER,
                records INTEGER NOT NULL, elements INTEGER NOT NULL, events INTEGER NOT NULL,
                status TEXT NOT NULL, errors TEXT NOT NULL, ingested_at TEXT NOT NULL,
                device INTEGER, inode INTEGER, mtime_ns INTEGER,
                archive_key TEXT, scanned_through INTEGER NOT NULL DEFAULT 0,
                UNIQUE (sha256, archive_key));
            CREATE INDEX files_archive_key ON files(archive_key);
            CREATE VIEW gaps AS
                SELECT c.name AS collector, prev_end AS gap_start, coverage_start AS gap_end
                FROM (SELECT collector_id, coverage_start,
                             MAX(coverage_end) OVER (PARTITION BY collector_id ORDER BY coverage_start, coverage_end
                                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
                      FROM files WHERE kind = 'updates' AND coverage_start IS NOT NULL) f
                JOIN collectors c ON c.id = f.collector_id
                WHERE prev_end IS NOT NULL AND coverage_start > prev_end;
            """

    /// Makes an empty database a store of the latest schema at once; false
    /// (and nothing done) when it is not empty.
    static func createSquashed(_ writer: any DatabaseWriter) throws -> Bool {
        try writer.barrierWriteWithoutTransaction { db in
            var created = false
            try db.inTransaction(.immediate) {
                guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") == 0 else { return .commit }
                try db.execute(sql: "PRAGMA application_id = \(Store.applicationID)")
                try db.execute(sql: squashedSchema)
                for id in migrationIdentifiers { try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [id]) }
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [MetaRow.schemaVersionKey, String(Store.schemaVersion)])
                created = true
                return .commit
            }
            return created
        }
    }
}
