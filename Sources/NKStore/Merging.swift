import Foundation
import GRDB
import MRT
import NKModel

extension Store {
    /// The schema version of the store at `path` without opening it for use
    /// (nil for an empty database); refuses what is not an nkwatch store or
    /// comes from a newer nkwatch.
    public static func schemaVersion(ofStoreAt path: String) throws(StoreError) -> Int? {
        try checkExisting(path: path, integrity: false)
    }

    /// Every stored file with every row that came from it, as it was written
    /// (`FileIngest`), one file at a time in the order they were stored: what
    /// `merge` copies from a shard. Bins of schema 2, which keep no file, are
    /// not included.
    public func forEachFileIngest(_ body: (FileIngest) throws -> Void) throws(StoreError) {
        try read("reading the files") { db in
            let peers = try Self.peersByID(db)
            let collectors = Dictionary(uniqueKeysWithValues: try CollectorRow.fetchAll(db).compactMap { c in c.id.map { ($0, c.collector) } })
            for stored in try StoredFile.order(StoredFile.Columns.id).fetchAll(db) {
                guard let id = stored.id, let collector = collectors[stored.collectorID] else { continue }
                var decoder = EventDecoder(peers: peers)
                let events = RouteEventList()
                let rows = try EventRow.filter(EventRow.Columns.fileID == id).order(Column.rowID).fetchCursor(db)
                while let r = try rows.next() {
                    if let e = decoder.event(r) { events.append(e) }
                }
                let states = try SessionChangeRow.filter(Column(SessionChangeRow.CodingKeys.fileID) == id).order(Column.rowID).fetchAll(db).compactMap { s in
                    peers[s.peerID].map { SessionChange(time: Timestamp(microseconds: s.timeUs), peer: $0, old: s.oldState, new: s.newState) }
                }
                let tables = try RIBTableRow.filter(RIBTableRow.Columns.fileID == id).order(RIBTableRow.Columns.peerID).fetchAll(db).compactMap { r in
                    peers[r.peerID].map { RIBTableSize(time: Timestamp(seconds: r.time), peer: $0, size: TableSize(ipv4: r.ipv4Prefixes, ipv6: r.ipv6Prefixes)) }
                }
                var bins: [Int64: Int] = [:]
                for b in try FileBinRow.filter(Column(FileBinRow.CodingKeys.fileID) == id).fetchAll(db) { bins[b.binStart, default: 0] += b.elements }
                var file = stored
                file.id = nil
                try body(FileIngest(file: file, collector: collector, events: events, states: states, ribTables: tables, bins: bins))
            }
        }
    }

    /// Sets what a stored file's events include of the learned prefixes
    /// (`scanned_through`) and drops the events it holds only for learned
    /// prefixes past that point (`keep` says which stay): a merged file is
    /// then read again for those prefixes like any file read before they
    /// were learned, and nothing is counted twice.
    public func rescope(fileSHA256 sha: String, archiveKey: String?, scannedThrough: Int64, keep: ((RouteEvent) -> Bool)?) throws(StoreError) {
        try write("narrowing a merged file to what its shard read") { db in
            let peers = try Self.peersByID(db)
            let key = StoredFile.CodingKeys.self
            guard let file = try StoredFile.filter(Column(key.sha256) == sha && Column(key.archiveKey) == archiveKey).fetchOne(db), let id = file.id else { return }
            var decoder = EventDecoder(peers: peers)
            var drop: [Int64] = []
            if let keep {
            let rows = try Row.fetchCursor(db, sql: "SELECT rowid AS r, * FROM events WHERE file_id = ?", arguments: [id])
            while let row = try rows.next() {
                let r = try EventRow(row: row)
                if let e = decoder.event(r), !keep(e) { drop.append(row["r"]) }
            }
            for chunk in stride(from: 0, to: drop.count, by: 500) {
                let ids = drop[chunk..<min(drop.count, chunk + 500)].map(String.init).joined(separator: ",")
                try db.execute(sql: "DELETE FROM events WHERE rowid IN (\(ids))")
            }
            }
            try db.execute(sql: "UPDATE files SET scanned_through = ?, events = events - ? WHERE id = ?", arguments: [scannedThrough, drop.count, id])
        }
    }
}
