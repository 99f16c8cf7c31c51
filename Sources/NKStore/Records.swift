import GRDB
import MRT
import NKModel

// One record type per table, used for writing and reading. Column names are
// the coding keys; `Columns` are the typed columns queries use. Times in the
// store: `*_us` columns are microseconds, the others seconds (docs/store.md).

/// The write path's records: inserted through one cached statement per
/// table, built once from the record's own coding keys. GRDB's Codable insert
/// encodes each record through a container and builds its SQL each time;
/// on the per-event path that was 40 % of a small file's ingest.
protocol CachedInsert {
    /// `INSERT INTO table (every coding key) VALUES (?, …)`.
    static var insertSQL: String { get }
    /// Binds the values in the order of the coding keys (`RowInserter`).
    func bind(_ b: inout RowInserter.Binder)
}

/// `INSERT INTO table (every coding key) VALUES (?, …)`.
func makeInsertSQL<K: CodingKey & CaseIterable>(_ table: String, _ keys: K.Type) -> String {
    let names = K.allCases.map(\.stringValue)
    return "INSERT INTO \(table) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
}

extension CachedInsert {
    /// Inserts the row through a statement prepared for its table; in a
    /// loop, `RowInserter(db, sql: insertSQL)` once is cheaper.
    func insertCached(_ db: Database) throws {
        try RowInserter(db, sql: Self.insertSQL).insert(self)
    }
}

/// `meta`: the schema version and the scope.
struct MetaRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "meta"
    var key: String
    var value: String

    static let schemaVersionKey = "schema_version"
    static let scopeKey = "scope"
    /// The named scopes of a store ingested for several in one pass.
    static let scopesKey = "scopes"
    enum Columns { static let key = Column(CodingKeys.key), value = Column(CodingKeys.value) }
}

/// `collectors`.
struct CollectorRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "collectors"
    var id: Int64?
    var name: String
    var project: Project

    enum CodingKeys: String, CodingKey { case id, name, project }

    init(id: Int64?, name: String, project: Project) {
        self.id = id
        self.name = name
        self.project = project
    }

    init(row: Row) throws {
        id = row[CodingKeys.id.rawValue]
        name = row[CodingKeys.name.rawValue]
        guard let p = Project.fromDatabaseValue(row[CodingKeys.project.rawValue] as DatabaseValue) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "collectors.project holds '\(row[CodingKeys.project.rawValue] as DatabaseValue)'")
        }
        project = p
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
    enum Columns { static let id = Column(CodingKeys.id), name = Column(CodingKeys.name) }
    var collector: Collector { Collector(name: name, project: project) }
}

/// `files`: one row per ingested file.
public struct StoredFile: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Equatable, CachedInsert {
    public static let databaseTableName = "files"
    public var id: Int64?
    public var path: String
    public var sha256: String
    /// Raw (compressed) bytes.
    public var size: Int64
    public var compression: Compression
    public var collectorID: Int64
    public var kind: FileKind
    /// Seconds: the time in the name, the time the data covers [start, end),
    /// the first and last record.
    public var fileTime: Int64?
    public var coverageStart: Int64?
    public var coverageEnd: Int64?
    public var firstTime: Int64?
    public var lastTime: Int64?
    public var records: Int
    public var elements: Int
    public var events: Int
    public var status: FileStatus
    /// One problem per line.
    public var errors: String
    public var ingestedAt: String
    /// The file's identity when it was read (nil for standard input).
    public var device: Int64?
    public var inode: Int64?
    public var modifiedNanoseconds: Int64?
    /// Which archive file this is a version of: `collector/kind/YYYYMMDD.HHMM`,
    /// or `collector/name` when the name holds no time.
    public var archiveKey: String?
    /// The learned prefixes (`learned_prefixes.seq`) its events include.
    public var scannedThrough: Int64

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, path, sha256, size, compression, collectorID = "collector_id", kind, fileTime = "file_time"
        case coverageStart = "coverage_start", coverageEnd = "coverage_end", firstTime = "first_time", lastTime = "last_time"
        case records, elements, events, status, errors, ingestedAt = "ingested_at", device, inode
        case modifiedNanoseconds = "mtime_ns", archiveKey = "archive_key", scannedThrough = "scanned_through"
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id), path = Column(CodingKeys.path), sha256 = Column(CodingKeys.sha256)
        public static let kind = Column(CodingKeys.kind), status = Column(CodingKeys.status)
        public static let collectorID = Column(CodingKeys.collectorID)
        public static let coverageStart = Column(CodingKeys.coverageStart), coverageEnd = Column(CodingKeys.coverageEnd)
        public static let archiveKey = Column(CodingKeys.archiveKey), scannedThrough = Column(CodingKeys.scannedThrough)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// A file as read, before it is written (the store sets its id, its
    /// collector's id, its event count and the time of ingest).
    public init(path: String, sha256: String, size: Int, compression: Compression, kind: FileKind, fileTime: Timestamp?,
                coverage: CollectorInterval?, firstTime: Timestamp?, lastTime: Timestamp?, records: Int, elements: Int,
                status: FileStatus, errors: [String], identity: FileIdentity?, archiveKey: String?, scannedThrough: Int64) {
        self.id = nil
        self.path = path
        self.sha256 = sha256
        self.size = Int64(size)
        self.compression = compression
        self.collectorID = 0
        self.kind = kind
        self.fileTime = fileTime?.seconds
        self.coverageStart = coverage?.start.seconds
        self.coverageEnd = coverage?.end.seconds
        self.firstTime = firstTime?.seconds
        self.lastTime = lastTime?.seconds
        self.records = records
        self.elements = elements
        self.events = 0
        self.status = status
        self.errors = errors.joined(separator: "\n")
        self.ingestedAt = ""
        self.device = identity.map { Int64(bitPattern: $0.device) }
        self.inode = identity.map { Int64(bitPattern: $0.inode) }
        self.modifiedNanoseconds = identity?.modifiedNanoseconds
        self.archiveKey = archiveKey
        self.scannedThrough = scannedThrough
    }

    static let insertSQL = makeInsertSQL(databaseTableName, CodingKeys.self)
    func bind(_ b: inout RowInserter.Binder) {
        b.bind(id); b.bind(path); b.bind(sha256); b.bind(size); b.bind(compression); b.bind(collectorID); b.bind(kind)
        b.bind(fileTime); b.bind(coverageStart); b.bind(coverageEnd); b.bind(firstTime); b.bind(lastTime)
        b.bind(records); b.bind(elements); b.bind(events); b.bind(status); b.bind(errors); b.bind(ingestedAt)
        b.bind(device); b.bind(inode); b.bind(modifiedNanoseconds); b.bind(archiveKey); b.bind(scannedThrough)
    }

    /// The identity recorded for the file, when it was read from a regular file.
    public var identity: FileIdentity? {
        guard let device, let inode, let modifiedNanoseconds else { return nil }
        return FileIdentity(device: UInt64(bitPattern: device), inode: UInt64(bitPattern: inode), size: size,
                            modifiedNanoseconds: modifiedNanoseconds)
    }

    /// Whether a file with these bytes and this archive key is one already
    /// stored with `stored` keys for the same bytes: the same bytes are the
    /// same file (a copy, a renamed file), unless both names give a kind and
    /// a time and those differ — two archive files of a quiet collector can
    /// hold the same bytes (empty update files).
    public static func isCopy(archiveKey: String?, ofStored stored: [String?]) -> Bool {
        stored.contains { other in other == archiveKey || !isTimed(other) || !isTimed(archiveKey) }
    }

    /// `collector/updates/20141222.1615`: a key from a name with a kind and a time.
    static func isTimed(_ key: String?) -> Bool {
        guard let key else { return false }
        let parts = key.split(separator: "/")
        guard parts.count >= 3, parts[parts.count - 2] == "updates" || parts[parts.count - 2] == "rib" else { return false }
        let t = parts[parts.count - 1].utf8
        return t.count == 13 && t.enumerated().allSatisfy { i, c in i == 8 ? c == UInt8(ascii: ".") : (c >= 48 && c <= 57) }
    }

    /// [coverage start, coverage end) as a collector interval.
    func coverage(collector: String) -> CollectorInterval? {
        guard let s = coverageStart, let e = coverageEnd else { return nil }
        return CollectorInterval(collector: collector, start: Timestamp(seconds: s), end: Timestamp(seconds: e))
    }
}

extension StoredFile {
    /// Reading by column name without Codable's decoder (which cost 70 000
    /// instructions a row, and the end of each ingest reads every file).
    public init(row: Row) throws {
        typealias K = CodingKeys
        id = row[K.id.rawValue]
        path = row[K.path.rawValue]
        sha256 = row[K.sha256.rawValue]
        size = row[K.size.rawValue]
        compression = try Self.decode(row, K.compression)
        collectorID = row[K.collectorID.rawValue]
        kind = try Self.decode(row, K.kind)
        fileTime = row[K.fileTime.rawValue]
        coverageStart = row[K.coverageStart.rawValue]
        coverageEnd = row[K.coverageEnd.rawValue]
        firstTime = row[K.firstTime.rawValue]
        lastTime = row[K.lastTime.rawValue]
        records = row[K.records.rawValue]
        elements = row[K.elements.rawValue]
        events = row[K.events.rawValue]
        status = try Self.decode(row, K.status)
        errors = row[K.errors.rawValue]
        ingestedAt = row[K.ingestedAt.rawValue]
        device = row[K.device.rawValue]
        inode = row[K.inode.rawValue]
        modifiedNanoseconds = row[K.modifiedNanoseconds.rawValue]
        archiveKey = row[K.archiveKey.rawValue]
        scannedThrough = row[K.scannedThrough.rawValue]
    }

    /// Every file in id order, its columns in `CodingKeys` order, for
    /// `init(orderedRow:)`.
    static let selectAllSQL = "SELECT \(CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")) FROM \(databaseTableName) ORDER BY \(CodingKeys.id.rawValue)"

    /// A row of `selectAllSQL`, read by column index: by name, each column
    /// is a search of the row's names, and the end of every ingest reads
    /// every stored file (twice 50 ms for 3 449 files).
    init(orderedRow row: Row) throws {
        id = row[0]
        path = row[1]
        sha256 = row[2]
        size = row[3]
        compression = try Self.decode(row, 4, K.compression)
        collectorID = row[5]
        kind = try Self.decode(row, 6, K.kind)
        fileTime = row[7]
        coverageStart = row[8]
        coverageEnd = row[9]
        firstTime = row[10]
        lastTime = row[11]
        records = row[12]
        elements = row[13]
        events = row[14]
        status = try Self.decode(row, 15, K.status)
        errors = row[16]
        ingestedAt = row[17]
        device = row[18]
        inode = row[19]
        modifiedNanoseconds = row[20]
        archiveKey = row[21]
        scannedThrough = row[22]
    }
    typealias K = CodingKeys

    static func decode<T: DatabaseValueConvertible>(_ row: Row, _ index: Int, _ key: CodingKeys) throws -> T {
        guard let v = T.fromDatabaseValue(row[index] as DatabaseValue) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "files.\(key.rawValue) holds '\(row[index] as DatabaseValue)', not a \(T.self)")
        }
        return v
    }

    static func decode<T: DatabaseValueConvertible>(_ row: Row, _ key: CodingKeys) throws -> T {
        guard let v = T.fromDatabaseValue(row[key.rawValue] as DatabaseValue) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "files.\(key.rawValue) holds '\(row[key.rawValue] as DatabaseValue)', not a \(T.self)")
        }
        return v
    }
}

/// `peers`: (collector, IP, AS).
struct PeerRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "peers"
    var id: Int64?
    var collectorID: Int64
    var ip: String
    var asn: Int64

    enum CodingKeys: String, CodingKey { case id, collectorID = "collector_id", ip, asn }

    init(id: Int64?, collectorID: Int64, ip: String, asn: Int64) {
        self.id = id
        self.collectorID = collectorID
        self.ip = ip
        self.asn = asn
    }

    init(row: Row) {
        typealias K = CodingKeys
        id = row[K.id.rawValue]
        collectorID = row[K.collectorID.rawValue]
        ip = row[K.ip.rawValue]
        asn = row[K.asn.rawValue]
    }
    enum Columns {
        static let id = Column(CodingKeys.id), collectorID = Column(CodingKeys.collectorID)
        static let ip = Column(CodingKeys.ip), asn = Column(CodingKeys.asn)
    }
    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// `peer_states`: every session state change.
struct SessionChangeRow: Codable, FetchableRecord, PersistableRecord, CachedInsert {
    static let databaseTableName = "peer_states"
    var fileID: Int64
    var peerID: Int64
    var timeUs: Int64
    var oldState: BGPState
    var newState: BGPState

    enum CodingKeys: String, CodingKey, CaseIterable { case fileID = "file_id", peerID = "peer_id", timeUs = "time_us", oldState = "old_state", newState = "new_state" }

    init(fileID: Int64, peerID: Int64, timeUs: Int64, oldState: BGPState, newState: BGPState) {
        self.fileID = fileID
        self.peerID = peerID
        self.timeUs = timeUs
        self.oldState = oldState
        self.newState = newState
    }

    init(row: Row) {
        typealias K = CodingKeys
        fileID = row[K.fileID.rawValue]
        peerID = row[K.peerID.rawValue]
        timeUs = row[K.timeUs.rawValue]
        oldState = BGPState(rawValue: UInt16(truncatingIfNeeded: row[K.oldState.rawValue] as Int64))
        newState = BGPState(rawValue: UInt16(truncatingIfNeeded: row[K.newState.rawValue] as Int64))
    }
    enum Columns { static let timeUs = Column(CodingKeys.timeUs), peerID = Column(CodingKeys.peerID) }
    static let insertSQL = makeInsertSQL(databaseTableName, CodingKeys.self)
    func bind(_ b: inout RowInserter.Binder) {
        b.bind(fileID); b.bind(peerID); b.bind(timeUs); b.bind(Int64(oldState.rawValue)); b.bind(Int64(newState.rawValue))
    }
}

/// `rib_tables`: each peer's table size in each RIB dump.
struct RIBTableRow: Codable, FetchableRecord, PersistableRecord, CachedInsert {
    static let databaseTableName = "rib_tables"
    var fileID: Int64
    var peerID: Int64
    var time: Int64
    var ipv4Prefixes: Int
    var ipv6Prefixes: Int

    enum CodingKeys: String, CodingKey, CaseIterable { case fileID = "file_id", peerID = "peer_id", time, ipv4Prefixes = "ipv4_prefixes", ipv6Prefixes = "ipv6_prefixes" }

    init(fileID: Int64, peerID: Int64, time: Int64, ipv4Prefixes: Int, ipv6Prefixes: Int) {
        self.fileID = fileID
        self.peerID = peerID
        self.time = time
        self.ipv4Prefixes = ipv4Prefixes
        self.ipv6Prefixes = ipv6Prefixes
    }

    init(row: Row) {
        typealias K = CodingKeys
        fileID = row[K.fileID.rawValue]
        peerID = row[K.peerID.rawValue]
        time = row[K.time.rawValue]
        ipv4Prefixes = row[K.ipv4Prefixes.rawValue]
        ipv6Prefixes = row[K.ipv6Prefixes.rawValue]
    }
    enum Columns { static let fileID = Column(CodingKeys.fileID), peerID = Column(CodingKeys.peerID) }
    static let insertSQL = makeInsertSQL(databaseTableName, CodingKeys.self)
    func bind(_ b: inout RowInserter.Binder) { b.bind(fileID); b.bind(peerID); b.bind(time); b.bind(ipv4Prefixes); b.bind(ipv6Prefixes) }
}

/// `events`: in-scope route events.
struct EventRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "events"
    var fileID: Int64
    var peerID: Int64
    var timeUs: Int64
    var kind: ElementKind
    var prefix: String
    var asPath: String?
    var originASN: Int64?
    var nextHop: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case fileID = "file_id", peerID = "peer_id", timeUs = "time_us", kind, prefix, asPath = "as_path"
        case originASN = "origin_asn", nextHop = "next_hop"
    }
    static let insertSQL = makeInsertSQL(databaseTableName, CodingKeys.self)
    /// Binds the row of `e`, in the order of the coding keys, straight from
    /// the event: its prefix and next hop are written as text where SQLite
    /// reads them (the writer made two strings per event for them).
    static func bind(_ b: inout RowInserter.Binder, fileID: Int64, peerID: Int64, _ e: RouteEvent) {
        b.bind(fileID); b.bind(peerID); b.bind(e.time.microseconds); b.bind(e.kind.letter); b.bind(e.prefix); b.bind(e.asPath)
        b.bind(e.originASN.map(Int64.init)); b.bind(e.nextHop)
    }
    enum Columns {
        static let fileID = Column(CodingKeys.fileID), peerID = Column(CodingKeys.peerID), timeUs = Column(CodingKeys.timeUs)
        static let kind = Column(CodingKeys.kind), prefix = Column(CodingKeys.prefix), originASN = Column(CodingKeys.originASN)
    }

    init(row: Row) throws {
        typealias K = CodingKeys
        fileID = row[K.fileID.rawValue]
        peerID = row[K.peerID.rawValue]
        timeUs = row[K.timeUs.rawValue]
        guard let k = ElementKind.fromDatabaseValue(row[K.kind.rawValue] as DatabaseValue) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "events.kind holds '\(row[K.kind.rawValue] as DatabaseValue)', not B, A or W")
        }
        kind = k
        prefix = row[K.prefix.rawValue]
        asPath = row[K.asPath.rawValue]
        originASN = row[K.originASN.rawValue]
        nextHop = row[K.nextHop.rawValue]
    }
}

/// `file_bins`: elements per file per 5-minute bin (the view
/// `collector_bins` sums them per collector).
struct FileBinRow: Codable, FetchableRecord, PersistableRecord, CachedInsert {
    static let databaseTableName = "file_bins"
    var fileID: Int64?
    var collectorID: Int64
    var binStart: Int64
    var elements: Int

    enum CodingKeys: String, CodingKey, CaseIterable { case fileID = "file_id", collectorID = "collector_id", binStart = "bin_start", elements }
    static let insertSQL = makeInsertSQL(databaseTableName, CodingKeys.self)
    func bind(_ b: inout RowInserter.Binder) { b.bind(fileID); b.bind(collectorID); b.bind(binStart); b.bind(elements) }
}

extension BGPState: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { Int64(rawValue).databaseValue }
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> BGPState? {
        Int64.fromDatabaseValue(dbValue).flatMap { UInt16(exactly: $0) }.map(BGPState.init(rawValue:))
    }
}

extension ElementKind: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { letter.databaseValue }
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> ElementKind? {
        String.fromDatabaseValue(dbValue).flatMap { ElementKind(letter: $0) }
    }
}

extension Project: DatabaseValueConvertible {}
extension FileKind: DatabaseValueConvertible {}
extension FileStatus: DatabaseValueConvertible {}
extension Compression: DatabaseValueConvertible {}

/// Everything one file contributes to the store, written in one transaction:
/// its `files` row and the rows of the other tables that point to it.
public struct FileIngest: Sendable, Equatable {
    /// The `files` row (its collector id, event count and time of ingest
    /// are filled in when it is written).
    public var file: StoredFile
    public var collector: Collector
    public var events: RouteEventList
    public var states: [SessionChange]
    public var ribTables: [RIBTableSize]
    /// Elements per 5-minute bin (bin start, seconds).
    public var bins: [Int64: Int]
    /// The prefixes of `events` announced (or in a RIB) by one of the
    /// scope's origin ASNs: what the file teaches the scope (not stored as
    /// such; the ingest learns them from it).
    public var originated: Set<Prefix>

    public init(file: StoredFile, collector: Collector, events: RouteEventList = RouteEventList(), states: [SessionChange] = [],
                ribTables: [RIBTableSize] = [], bins: [Int64: Int] = [:], originated: Set<Prefix> = []) {
        self.file = file
        self.collector = collector
        self.events = events
        self.states = states
        self.ribTables = ribTables
        self.bins = bins
        self.originated = originated
    }
}

/// What the time an update file covers depends on: a few columns of
/// `files`, read without the rest (the end of every ingest reads them for
/// every stored update file).
struct CoverageInput {
    var id: Int64
    var collector: Collector
    var fileTime: Int64?
    var coverageStart: Int64?
    var coverageEnd: Int64?
    var lastTime: Int64?
    /// Read to its end without damage (`FileStatus.ok`).
    var complete: Bool

    init(_ f: StoredFile, _ collector: Collector) {
        id = f.id ?? 0
        self.collector = collector
        fileTime = f.fileTime
        coverageStart = f.coverageStart
        coverageEnd = f.coverageEnd
        lastTime = f.lastTime
        complete = f.status == .ok
    }

    /// The update files of every collector.
    static func fetchAll(_ db: Database) throws -> [CoverageInput] {
        let collectors = Dictionary(uniqueKeysWithValues: try CollectorRow.fetchAll(db).compactMap { c in c.id.map { ($0, c.collector) } })
        typealias K = StoredFile.CodingKeys
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT \(K.id.rawValue), \(K.collectorID.rawValue), \(K.fileTime.rawValue), \(K.coverageStart.rawValue), \(K.coverageEnd.rawValue),
                   \(K.lastTime.rawValue), \(K.status.rawValue) = ? FROM \(StoredFile.databaseTableName) WHERE \(K.kind.rawValue) = ? ORDER BY \(K.id.rawValue)
            """), arguments: [FileStatus.ok.rawValue, FileKind.updates.rawValue])
        var out: [CoverageInput] = []
        while let row = try rows.next() {
            guard let c = collectors[row[1]] else { continue }
            out.append(CoverageInput(id: row[0], collector: c, fileTime: row[2], coverageStart: row[3], coverageEnd: row[4], lastTime: row[5], complete: row[6]))
        }
        return out
    }

    init(id: Int64, collector: Collector, fileTime: Int64?, coverageStart: Int64?, coverageEnd: Int64?, lastTime: Int64?, complete: Bool) {
        self.id = id
        self.collector = collector
        self.fileTime = fileTime
        self.coverageStart = coverageStart
        self.coverageEnd = coverageEnd
        self.lastTime = lastTime
        self.complete = complete
    }
}
