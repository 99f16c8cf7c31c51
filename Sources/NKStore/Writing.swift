import Foundation
import GRDB
import MRT
import NKModel

/// What happened to one file given to `Store.insert`.
public enum InsertOutcome: Sendable, Equatable {
    /// Written.
    case inserted
    /// The same content (SHA-256) is already stored as this archive file (or as a file whose name gives no time): nothing written.
    case duplicate
    /// Another version of the same archive file was stored; this one is more
    /// complete and replaced it (its rows are gone, in the same transaction).
    case replaced(StoredFile)
    /// Another version of the same archive file is stored and is more
    /// complete: it stays, this one was not written.
    case superseded(by: StoredFile)
}

extension StoredFile {
    /// Which of two versions of one archive file to keep, whatever the order
    /// they arrive in: a file read to its end over a damaged one, then the one
    /// with more records (a file still being written only grows), then more
    /// bytes, then the content hash (so that the choice never depends on order).
    public func isMoreComplete(than other: StoredFile) -> Bool {
        (status == .ok ? 1 : 0, records, size, sha256) > (other.status == .ok ? 1 : 0, other.records, other.size, other.sha256)
    }
}

extension Store {
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

    /// Records `scopes` (their union as the scope that ingest reads for), or
    /// checks they equal the ones already recorded.
    public func useScopes(_ scopes: [NamedScope]) throws(StoreError) {
        let isNew = try scope() == nil
        try useScope(NamedScope.union(scopes))
        let recorded = try namedScopes()
        if recorded == scopes { return }
        let path = self.path
        let hasKey: Bool = try read("reading the scopes") { db in try MetaRow.fetchOne(db, key: MetaRow.scopesKey) != nil }
        guard isNew && !hasKey else {
            throw StoreError(.scopeMismatch, "\(path) holds data for other scopes (\(recorded.map(\.name).joined(separator: ", "))), "
                + "not (\(scopes.map(\.name).joined(separator: ", "))); use another --store")
        }
        // One scope under its default name is what a store of one scope says
        // already; anything else is recorded.
        try write("recording the named scopes") { db in
            // Another ingest creating the same store may have recorded them meanwhile.
            if let row = try MetaRow.fetchOne(db, key: MetaRow.scopesKey) {
                guard try NamedScope.parse(row.value) == scopes else {
                    throw StoreError(.scopeMismatch, "\(path) holds data for other scopes; use another --store")
                }
                return
            }
            try MetaRow(key: MetaRow.scopesKey, value: NamedScope.json(scopes).compact()).insert(db)
        }
    }

    /// The named scopes: those recorded, or the one scope under its default
    /// name (a store ingested for one scope); empty before any ingest.
    public func namedScopes() throws(StoreError) -> [NamedScope] {
        let rows: (String?, String?) = try read("reading the scopes") { db in
            (try MetaRow.fetchOne(db, key: MetaRow.scopesKey)?.value, try MetaRow.fetchOne(db, key: MetaRow.scopeKey)?.value)
        }
        if let text = rows.0 {
            do { return try NamedScope.parse(text) } catch { throw StoreError(.damaged, "\(path): the recorded scopes cannot be read: \(error)") }
        }
        guard let text = rows.1 else { return [] }
        do {
            let scope = try Scope(json: text)
            return [NamedScope(name: NamedScope.defaultName(for: scope), scope: scope)]
        } catch {
            throw StoreError(.damaged, "\(path): the recorded scope cannot be read: \(error)")
        }
    }

    // MARK: Files

    /// Writes one file's contribution in one transaction.
    @discardableResult
    public func insert(_ f: FileIngest) throws(StoreError) -> InsertOutcome {
        try insert([f])[0]
    }

    /// Writes several files' contributions in one transaction (one commit,
    /// one sync); all or none of them land. A file whose content is stored is
    /// skipped; a new version of a stored archive file replaces the stored one
    /// when it is more complete (`StoredFile.isMoreComplete`), and is
    /// skipped otherwise.
    @discardableResult
    public func insert(_ batch: [FileIngest]) throws(StoreError) -> [InsertOutcome] {
        try write("writing \(batch.count) file(s)") { db in
            var ids = BatchIDs()
            let rows = try Inserters(db)
            // One time for the files of one transaction: they are committed together.
            let now = Timestamp.now.iso
            return try batch.map { try insertFile($0, db, &ids, rows, ingestedAt: now) }
        }
    }

    /// The inserts of one write transaction, prepared once for it.
    struct Inserters {
        let files, events, sessions, ribTables, bins: RowInserter
        /// `archive_key` of the files with a SHA-256; `1` for each file with an archive key.
        let keysOfHash, withKey: RowInserter
        init(_ db: Database) throws {
            keysOfHash = try RowInserter(db, sql: Store.bySHASQL)
            withKey = try RowInserter(db, sql: "SELECT 1 FROM \(StoredFile.databaseTableName) WHERE \(StoredFile.CodingKeys.archiveKey.rawValue) = ?")
            files = try RowInserter(db, sql: StoredFile.insertSQL)
            events = try RowInserter(db, sql: EventRow.insertSQL)
            sessions = try RowInserter(db, sql: SessionChangeRow.insertSQL)
            ribTables = try RowInserter(db, sql: RIBTableRow.insertSQL)
            bins = try RowInserter(db, sql: FileBinRow.insertSQL)
        }
    }

    /// Collector and peer row IDs already looked up in this transaction.
    struct BatchIDs {
        var collectors: [String: Int64] = [:]
        /// By collector row ID, address and ASN: the collector's name is not
        /// hashed for every event.
        var peers: [PeerKey: Int64] = [:]
        /// The last peer looked up: a file's events often come from one peer in a row.
        var last: (key: PeerKey, id: Int64)?
    }

    struct PeerKey: Hashable {
        var collectorID: Int64
        var ip: IPAddress
        var asn: UInt32
    }

    func collectorID(_ c: Collector, _ db: Database, _ ids: inout BatchIDs) throws -> Int64 {
        if let id = ids.collectors[c.name] { return id }
        typealias K = CollectorRow.CodingKeys
        let find = try db.cachedStatement(sql: "SELECT \(K.id.rawValue) FROM \(CollectorRow.databaseTableName) WHERE \(K.name.rawValue) = ?")
        if let id = try Int64.fetchOne(find, arguments: [c.name]) {
            ids.collectors[c.name] = id
            return id
        }
        var row = CollectorRow(id: nil, name: c.name, project: c.project)
        try row.insert(db)
        let id = row.id ?? db.lastInsertedRowID
        ids.collectors[c.name] = id
        return id
    }

    func peerID(_ p: Peer, collectorID: Int64, _ db: Database, _ ids: inout BatchIDs) throws -> Int64 {
        let key = PeerKey(collectorID: collectorID, ip: p.ip, asn: p.asn)
        if let last = ids.last, last.key == key { return last.id }
        if let id = ids.peers[key] {
            ids.last = (key, id)
            return id
        }
        typealias K = PeerRow.CodingKeys
        let ip = p.ip.description
        let find = try db.cachedStatement(sql: """
            SELECT \(K.id.rawValue) FROM \(PeerRow.databaseTableName) WHERE \(K.collectorID.rawValue) = ? AND \(K.ip.rawValue) = ? AND \(K.asn.rawValue) = ?
            """)
        if let id = try Int64.fetchOne(find, arguments: [collectorID, ip, Int64(p.asn)]) {
            ids.peers[key] = id
            ids.last = (key, id)
            return id
        }
        var row = PeerRow(id: nil, collectorID: collectorID, ip: ip, asn: Int64(p.asn))
        try row.insert(db)
        let id = row.id ?? db.lastInsertedRowID
        ids.peers[key] = id
        ids.last = (key, id)
        return id
    }

    static let bySHASQL = "SELECT \(StoredFile.CodingKeys.archiveKey.rawValue) FROM \(StoredFile.databaseTableName) WHERE \(StoredFile.CodingKeys.sha256.rawValue) = ?"
    static let byKeySQL = "SELECT * FROM \(StoredFile.databaseTableName) WHERE \(StoredFile.CodingKeys.archiveKey.rawValue) = ?"

    private func insertFile(_ f: FileIngest, _ db: Database, _ ids: inout BatchIDs, _ rows: Inserters, ingestedAt: String) throws -> InsertOutcome {
        var sameBytes: [String?] = []
        try rows.keysOfHash.select({ $0.bind(f.file.sha256) }) { sameBytes.append(RowInserter.text($0, 0)) }
        if StoredFile.isCopy(archiveKey: f.file.archiveKey, ofStored: sameBytes) { return .duplicate }
        var outcome = InsertOutcome.inserted
        var versions = 0
        if let key = f.file.archiveKey { try rows.withKey.select({ $0.bind(key) }) { _ in versions += 1 } }
        if versions > 0, let key = f.file.archiveKey {
            let others = try StoredFile.fetchAll(db.cachedStatement(sql: Self.byKeySQL), arguments: [key])
            if let better = others.first(where: { $0.isMoreComplete(than: f.file) }) { return .superseded(by: better) }
            for old in others {
                try deleteFile(old, db)
                outcome = .replaced(old)
            }
        }
        let cid = try collectorID(f.collector, db, &ids)
        var row = f.file
        row.collectorID = cid
        row.events = f.events.count
        row.ingestedAt = ingestedAt
        try rows.files.insert(row)
        let fileID = db.lastInsertedRowID
        for e in f.events {
            let pid = try peerID(e.peer, collectorID: cid, db, &ids)
            try rows.events.insert { EventRow.bind(&$0, fileID: fileID, peerID: pid, e) }
        }
        for s in f.states {
            try rows.sessions.insert(SessionChangeRow(fileID: fileID, peerID: try peerID(s.peer, collectorID: cid, db, &ids), timeUs: s.time.microseconds,
                                                      oldState: s.old, newState: s.new))
        }
        for t in f.ribTables {
            try rows.ribTables.insert(RIBTableRow(fileID: fileID, peerID: try peerID(t.peer, collectorID: cid, db, &ids), time: t.time.seconds,
                                                  ipv4Prefixes: t.size.ipv4, ipv6Prefixes: t.size.ipv6))
        }
        for (bin, n) in f.bins {
            try rows.bins.insert(FileBinRow(fileID: fileID, collectorID: cid, binStart: bin, elements: n))
        }
        return outcome
    }

    /// Removes a stored file and every row that came from it.
    func deleteFile(_ f: StoredFile, _ db: Database) throws {
        guard let id = f.id else { return }
        for table in [EventRow.databaseTableName, SessionChangeRow.databaseTableName, RIBTableRow.databaseTableName, FileBinRow.databaseTableName] {
            try db.execute(sql: "DELETE FROM \(table) WHERE file_id = ?", arguments: [id])
        }
        try db.execute(sql: "DELETE FROM \(StoredFile.databaseTableName) WHERE id = ?", arguments: [id])
    }

    // MARK: Prefixes learned from the scope's origin ASNs

    /// Prefixes the scope's origin ASNs announced, with the order they were learned in.
    public func learnedPrefixes() throws(StoreError) -> [(seq: Int64, prefix: Prefix)] {
        try read("reading the learned prefixes") { db in
            try Row.fetchAll(db, sql: "SELECT seq, prefix FROM learned_prefixes ORDER BY seq").compactMap { row in
                Prefix(row["prefix"] as String).map { (row["seq"], $0) }
            }
        }
    }

    /// Adds `prefixes` not learned yet; returns the highest sequence number.
    @discardableResult
    public func learn(_ prefixes: [Prefix]) throws(StoreError) -> Int64 {
        try write("recording learned prefixes") { db in
            for p in prefixes.sorted() { try db.execute(sql: "INSERT OR IGNORE INTO learned_prefixes (prefix) VALUES (?)", arguments: [p.description]) }
            return try Int64.fetchOne(db, sql: "SELECT IFNULL(MAX(seq), 0) FROM learned_prefixes") ?? 0
        }
    }

    /// Adds the events a file missed when it was read before some prefixes
    /// were learned, and records that it now covers the prefixes up to
    /// `scannedThrough`. Nothing is added to a file that is no longer stored
    /// (replaced meanwhile) or that already covers them.
    public func addMissedEvents(file: StoredFile, events: [RouteEvent], scannedThrough: Int64) throws(StoreError) {
        guard let id = file.id else { return }
        try write("adding events of \(file.path)") { db in
            guard let current = try StoredFile.fetchOne(db, key: id), current.sha256 == file.sha256,
                  current.scannedThrough < scannedThrough else { return }
            var ids = BatchIDs()
            let rows = try RowInserter(db, sql: EventRow.insertSQL)
            for e in events {
                let pid = try peerID(e.peer, collectorID: current.collectorID, db, &ids)
                try rows.insert { EventRow.bind(&$0, fileID: id, peerID: pid, e) }
            }
            try db.execute(sql: "UPDATE files SET scanned_through = ?, events = events + ? WHERE id = ?", arguments: [scannedThrough, events.count, id])
        }
    }

    /// Writes the time each update file covers as `coverage(of:)` finds it
    /// over every stored file (the collector's cadence is learned from all of
    /// them, so the result does not depend on the order files came in), for
    /// the `gaps` view and SQL readers. Returns the rows changed and the gaps
    /// that are left (`gaps()`), from one reading of the files in the same
    /// transaction.
    @discardableResult
    public func recordCoverage() throws(StoreError) -> (updated: Int, gaps: [CollectorInterval]) {
        try write("recording the time the update files cover") { db in
            let files = try CoverageInput.fetchAll(db)
            let stored = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0.coverageEnd) })
            let coverage = Self.coverage(of: files)
            var n = 0
            for (id, iv) in coverage where stored[id] != iv.end.seconds {
                try db.cachedStatement(sql: "UPDATE files SET coverage_end = ? WHERE id = ?").execute(arguments: [iv.end.seconds, id])
                n += db.changesCount
            }
            return (n, Self.gaps(of: coverage.map(\.interval)))
        }
    }

}
