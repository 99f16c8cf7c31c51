import GRDB
import MRT
import NKModel

// One record type per table, used for writing and reading. Column names are
// the coding keys; `Columns` are the typed columns queries use. Times in the
// store: `*_us` columns are microseconds, the others seconds (docs/store.md).

/// `meta`: the schema version and the scope.
struct MetaRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "meta"
    var key: String
    var value: String

    static let schemaVersionKey = "schema_version"
    static let scopeKey = "scope"
    enum Columns { static let key = Column(CodingKeys.key), value = Column(CodingKeys.value) }
}

/// `collectors`.
struct CollectorRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "collectors"
    var id: Int64?
    var name: String
    var project: Project

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
    enum Columns { static let id = Column(CodingKeys.id), name = Column(CodingKeys.name) }
    var collector: Collector { Collector(name: name, project: project) }
}

/// `files`: one row per ingested file.
public struct StoredFile: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
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

    enum CodingKeys: String, CodingKey {
        case id, path, sha256, size, compression, collectorID = "collector_id", kind, fileTime = "file_time"
        case coverageStart = "coverage_start", coverageEnd = "coverage_end", firstTime = "first_time", lastTime = "last_time"
        case records, elements, events, status, errors, ingestedAt = "ingested_at", device, inode
        case modifiedNanoseconds = "mtime_ns"
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id), path = Column(CodingKeys.path), sha256 = Column(CodingKeys.sha256)
        public static let kind = Column(CodingKeys.kind), status = Column(CodingKeys.status)
        public static let collectorID = Column(CodingKeys.collectorID)
        public static let coverageStart = Column(CodingKeys.coverageStart), coverageEnd = Column(CodingKeys.coverageEnd)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The identity recorded for the file, when it was read from a regular file.
    public var identity: FileIdentity? {
        guard let device, let inode, let modifiedNanoseconds else { return nil }
        return FileIdentity(device: UInt64(bitPattern: device), inode: UInt64(bitPattern: inode), size: size,
                            modifiedNanoseconds: modifiedNanoseconds)
    }

    /// [coverage start, coverage end) as a collector interval.
    func coverage(collector: String) -> CollectorInterval? {
        guard let s = coverageStart, let e = coverageEnd else { return nil }
        return CollectorInterval(collector: collector, start: Timestamp(seconds: s), end: Timestamp(seconds: e))
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
    enum Columns {
        static let id = Column(CodingKeys.id), collectorID = Column(CodingKeys.collectorID)
        static let ip = Column(CodingKeys.ip), asn = Column(CodingKeys.asn)
    }
    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// `peer_states`: every session state change.
struct SessionChangeRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "peer_states"
    var fileID: Int64
    var peerID: Int64
    var timeUs: Int64
    var oldState: BGPState
    var newState: BGPState

    enum CodingKeys: String, CodingKey { case fileID = "file_id", peerID = "peer_id", timeUs = "time_us", oldState = "old_state", newState = "new_state" }
    enum Columns { static let timeUs = Column(CodingKeys.timeUs), peerID = Column(CodingKeys.peerID) }
}

/// `rib_tables`: each peer's table size in each RIB dump.
struct RIBTableRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "rib_tables"
    var fileID: Int64
    var peerID: Int64
    var time: Int64
    var ipv4Prefixes: Int
    var ipv6Prefixes: Int

    enum CodingKeys: String, CodingKey { case fileID = "file_id", peerID = "peer_id", time, ipv4Prefixes = "ipv4_prefixes", ipv6Prefixes = "ipv6_prefixes" }
    enum Columns { static let fileID = Column(CodingKeys.fileID), peerID = Column(CodingKeys.peerID) }
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

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id", peerID = "peer_id", timeUs = "time_us", kind, prefix, asPath = "as_path"
        case originASN = "origin_asn", nextHop = "next_hop"
    }
    enum Columns {
        static let fileID = Column(CodingKeys.fileID), peerID = Column(CodingKeys.peerID), timeUs = Column(CodingKeys.timeUs)
        static let kind = Column(CodingKeys.kind), prefix = Column(CodingKeys.prefix), originASN = Column(CodingKeys.originASN)
    }

    init(fileID: Int64, peerID: Int64, _ e: RouteEvent) {
        self.fileID = fileID
        self.peerID = peerID
        timeUs = e.time.microseconds
        kind = e.kind
        prefix = e.prefix.description
        asPath = e.asPath
        originASN = e.originASN.map(Int64.init)
        nextHop = e.nextHop?.description
    }
}

/// `collector_bins`: elements per collector per 5-minute bin.
struct CollectorBinRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "collector_bins"
    var collectorID: Int64
    var binStart: Int64
    var elements: Int

    enum CodingKeys: String, CodingKey { case collectorID = "collector_id", binStart = "bin_start", elements }

    /// Inserts the row, or adds its elements to the bin's.
    func add(_ db: Database) throws {
        typealias K = CodingKeys
        try db.cachedStatement(sql: """
            INSERT INTO \(Self.databaseTableName) (\(K.collectorID.rawValue), \(K.binStart.rawValue), \(K.elements.rawValue)) VALUES (?, ?, ?)
            ON CONFLICT(\(K.collectorID.rawValue), \(K.binStart.rawValue)) DO UPDATE SET \(K.elements.rawValue) = \(K.elements.rawValue) + excluded.\(K.elements.rawValue)
            """).execute(arguments: [collectorID, binStart, elements])
    }
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

/// Everything one file contributes to the store, written in one transaction.
public struct FileIngest: Sendable, Equatable {
    public var path: String
    public var sha256: String
    /// Raw (compressed) bytes read.
    public var size: Int
    public var compression: Compression
    public var collector: Collector
    public var kind: FileKind
    /// Time in the file name, when the name carries one.
    public var fileTime: Timestamp?
    /// The time the file's data covers, [start, end); for a damaged file, up
    /// to its last good record.
    public var coverage: CollectorInterval?
    public var firstTime: Timestamp?
    public var lastTime: Timestamp?
    public var records: Int
    public var elements: Int
    public var status: FileStatus
    public var errors: [String]
    public var events: [RouteEvent]
    public var states: [SessionChange]
    public var ribTables: [RIBTableSize]
    /// Elements per 5-minute bin (bin start, seconds).
    public var bins: [Int64: Int]
    /// The file's identity when it was read.
    public var identity: FileIdentity?

    public init(path: String, sha256: String, size: Int, compression: Compression, collector: Collector, kind: FileKind) {
        self.path = path
        self.sha256 = sha256
        self.size = size
        self.compression = compression
        self.collector = collector
        self.kind = kind
        records = 0
        elements = 0
        status = .ok
        errors = []
        events = []
        states = []
        ribTables = []
        bins = [:]
    }
}
