import Foundation
import CSQLite
import CSQLiteSettings
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
            case .SQLITE_IOERR where fileSizeLimitReached(path):
                // A write at the limit fails with EFBIG, which SQLite reports
                // as an I/O error (one that crosses it, as a full disk).
                return StoreError(.full, "\(path): the file size limit (ulimit -f) is reached, as on a full disk: \(what) failed; what was committed before is intact")
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

    /// True when the process has a file size limit and the store or its
    /// write-ahead log is within a page or two of it.
    static func fileSizeLimitReached(_ path: String) -> Bool {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return false }
        return [path, path + "-wal", path + "-journal"].contains { p in
            var st = stat()
            return stat(p, &st) == 0 && UInt64(st.st_size) + 2 * 65_536 >= UInt64(limit.rlim_cur)
        }
    }
}

/// The SQLite store: one file, readable by sqlite3 and anything that speaks
/// SQL. GRDB stays behind this type; nothing else in nkwatch sees it.
///
/// Opened for writing (`ingest`), it runs in WAL mode so that readers work
/// while it writes, and every file is written in one transaction, so a killed
/// ingest leaves no half file; `close()` puts it back in rollback-journal mode,
/// leaving a single file that can be read from anywhere. Opened for reading
/// (`timeline`, `classify`, `report`), it never writes and creates no file
/// beside it.
public struct Store: Sendable {
    /// `PRAGMA application_id` of nkwatch stores ("nkwt").
    public static let applicationID: Int32 = 0x6E6B_7774
    /// The schema version this build writes and reads.
    public static let schemaVersion = 4

    public enum Mode: Sendable {
        /// Create the store if needed, migrate it, check its integrity first.
        case write
        /// Read only: nothing is written, no side file is created.
        case read
    }

    let writer: any DatabaseWriter
    public let path: String
    public let mode: Mode
    /// The descriptor of the creation lock, kept open while the connections
    /// are (see `OpenFile`).
    let lockFile: OpenFile?

    init(writer: any DatabaseWriter, path: String, mode: Mode, lockFile: OpenFile? = nil) {
        self.writer = writer
        self.path = path
        self.mode = mode
        self.lockFile = lockFile
    }

    /// Opens the store at `path`. For writing, a missing store is created; a
    /// file that is not an nkwatch store, one written by a newer nkwatch, or a
    /// damaged one is refused and never modified. Two processes creating the
    /// same store wait for each other.
    ///
    /// `verified`, from `verify(path:)` on this path a moment before, spares
    /// the integrity check when the file is still the one that was checked
    /// (same device, inode and size).
    public static func open(path: String, mode: Mode = .write, verified: Verified? = nil) throws(StoreError) -> Store {
        switch mode {
        case .write: return try openForWriting(path: path, verified: verified)
        case .read: return try openForReading(path: path)
        }
    }

    /// True when there is no store at `path` yet: no file, or an empty one
    /// (what `verify` and `open` take for a store to create).
    public static func isAbsent(path: String) -> Bool {
        var st = stat()
        if stat(path, &st) != 0 { return errno == ENOENT }
        return (st.st_mode & S_IFMT) == S_IFREG && st.st_size == 0
    }

    /// A store found whole by `verify(path:)`: the file that was checked.
    public struct Verified: Sendable, Equatable {
        let device: UInt64, inode: UInt64, size: Int
    }

    /// Checks the store at `path` as opening it for writing does — an
    /// nkwatch store, of a schema this build reads, every page readable —
    /// without writing to it, so that the check (which reads the whole file)
    /// can run before it is known whether the store will be written to. Nil
    /// when there is no store there yet (no file, or an empty one) or it
    /// cannot be opened: `open` then does it all and says why.
    public static func verify(path: String) throws(StoreError) -> Verified? {
        guard let lock = try? FileLock(path: path, shared: true) else { return nil }
        // A writer's exclusive lock from this process would wait on this
        // descriptor's shared one: let both go before returning.
        defer {
            lock.unlock()
            lock.file.close()
        }
        guard lock.size > 0 else { return nil }
        try checkExisting(path: path, integrity: true)
        return lock.identity
    }

    static func openForWriting(path: String, verified: Verified? = nil) throws(StoreError) -> Store {
        // The whole of opening — creating, checking, migrating — under an
        // exclusive lock on the file: a second ingest creating the same store
        // waits here instead of racing the first one's migration. (flock(2)
        // locks are apart from SQLite's own fcntl locks.)
        let lock = try FileLock(path: path)
        defer { lock.unlock() }
        if lock.size > 0 { try checkExisting(path: path, integrity: verified == nil || verified != lock.identity || lock.identity.inode == 0) }
        var config = Store.configuration()
        config.busyMode = .timeout(30)
        do {
            let pool = try DatabasePool(path: path, configuration: config)
            let store = Store(writer: pool, path: path, mode: .write, lockFile: lock.file)
            try store.migrate()
            return store
        } catch {
            throw StoreError.from(error, path: path, doing: "opening the store")
        }
    }

    static func openForReading(path: String) throws(StoreError) -> Store {
        // A shared lock while checking and opening: a writer that is creating
        // or migrating the store holds it exclusively, and a reader waits for
        // it instead of finding a half-made file. The descriptor stays open
        // with the connection, like the writer's (see `OpenFile`).
        let lock = try FileLock(path: path, shared: true)
        defer { lock.unlock() }
        guard let version = try checkExisting(path: path, integrity: false) else {
            throw StoreError(.notAStore, "\(path) holds no nkwatch data yet (an empty database)")
        }
        if version < schemaVersion {
            // An older schema is upgraded where it can be written to; elsewhere
            // it cannot be read by this build.
            guard access(path, W_OK) == 0, access(Self.directory(of: path), W_OK) == 0 else {
                throw StoreError(.readOnly, "\(path) was written by an older nkwatch (store schema \(version)) and cannot be upgraded here (read-only); "
                    + "open it once where it can be written to (any nkwatch ingest --store \(path), even of files it already holds), or copy it")
            }
            // The writer takes the lock exclusively: let go of the shared one
            // first (flock locks of two descriptors of one process conflict),
            // then read the upgraded store afresh.
            lock.unlock()
            lock.file.close()
            try openForWriting(path: path).close()
            let upgraded = try FileLock(path: path, shared: true)
            defer { upgraded.unlock() }
            guard let now = try checkExisting(path: path, integrity: false), now == schemaVersion else {
                throw StoreError(.failed, "\(path): upgrading the store from schema \(version) did not complete")
            }
            return try openQueue(path: path, lock: upgraded)
        }
        return try openQueue(path: path, lock: lock)
    }

    /// The read-only connection of a checked store, holding `lock`'s descriptor.
    static func openQueue(path: String, lock: FileLock) throws(StoreError) -> Store {
        if let wal = walSize(path), wal > 0, access(Self.directory(of: path), W_OK) != 0 || access(path, W_OK) != 0 {
            throw StoreError(.readOnly, "\(path): the last writer left \(wal) bytes in \(path)-wal that cannot be replayed here (read-only); "
                + "open the store once where it can be written to (any nkwatch ingest --store \(path), even of files it already holds) or copy it with its -wal file")
        }
        var config = Store.configuration()
        config.readonly = true
        config.busyMode = .timeout(30)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            return Store(writer: queue, path: path, mode: .read, lockFile: lock.file)
        } catch {
            throw StoreError.from(error, path: path, doing: "opening the store for reading")
        }
    }

    /// A store in memory, for tests.
    public static func inMemory() throws -> Store {
        let store = Store(writer: try DatabaseQueue(configuration: configuration()), path: ":memory:", mode: .write)
        try store.migrate()
        return store
    }

    /// Ends a writing session: checkpoints the write-ahead log and returns the
    /// file to rollback-journal mode, so that it is one file again and can be
    /// read where nothing can be written. If a reader is still at work, the
    /// store stays in WAL mode (its next writer or reader finishes the job).
    ///
    /// The switch is made on the writer's own connection once the pool's
    /// readers are closed: leaving WAL mode checkpoints the whole log and
    /// removes it, in one step, where a checkpoint, closing the pool and
    /// opening a connection to switch took three (2-3 ms of the end of
    /// every ingest). When another process has the store open, the switch
    /// is refused at once (no wait) and the log is checkpointed and
    /// truncated instead.
    public func close() throws(StoreError) {
        guard mode == .write, path != ":memory:" else { return }
        defer { lockFile?.close() }
        do {
            if let pool = writer as? DatabasePool {
                pool.releaseMemory()
                pool.writeWithoutTransaction { db in
                    sqlite3_busy_timeout(db.sqliteConnection, 0)
                    let mode = try? String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
                    if mode?.lowercased() != "delete" { _ = try? db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
                }
                try pool.close()
            }
        } catch {
            throw StoreError.from(error, path: path, doing: "closing the store")
        }
    }

    /// A connection's configuration. SQLite's process-wide settings were
    /// made when the program was loaded (`CSQLiteSettings`); asking for
    /// their result here keeps that code linked into every program that
    /// opens a store.
    static func configuration() -> Configuration {
        _ = nk_sqlite_settings_result()
        return Configuration()
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The size of the store's write-ahead log, when there is one.
    static func walSize(_ path: String) -> Int? {
        var st = stat()
        guard stat(path + "-wal", &st) == 0 else { return nil }
        return Int(st.st_size)
    }

    /// Refuses a file that is not an nkwatch store, one from a newer nkwatch,
    /// and (with `integrity`) a damaged one, without touching it. Returns the
    /// store's schema version (nil for an empty database, a store whose
    /// creation was interrupted before its schema was committed).
    ///
    /// The check reads through a read-only connection. A run killed while
    /// the store was in rollback-journal mode and mid-write (switching to
    /// WAL on opening, back on closing) leaves a hot journal, which only a
    /// connection that can write rolls back; a read-only one fails with
    /// SQLITE_READONLY. Then, when the file and its folder can be written
    /// to, the check is made again through a writable connection: SQLite
    /// rolls the journal back to the last commit (what any writer would do
    /// first), and the check still only reads.
    @discardableResult
    static func checkExisting(path: String, integrity: Bool) throws(StoreError) -> Int? {
        do {
            return try checkExisting(path: path, integrity: integrity, readonly: true)
        } catch let e where e.code == .readOnly && access(path, W_OK) == 0 && access(Self.directory(of: path), W_OK) == 0 {
            return try checkExisting(path: path, integrity: integrity, readonly: false)
        }
    }

    static func checkExisting(path: String, integrity: Bool, readonly: Bool) throws(StoreError) -> Int? {
        var config = Store.configuration()
        config.readonly = readonly
        config.busyMode = .timeout(30)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            defer { try? queue.close() }
            let (appID, version, objects): (Int32, Int?, Int) = try queue.read { db in
                let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                var v: Int? = nil
                if try db.tableExists(MetaRow.databaseTableName) {
                    v = try MetaRow.filter(MetaRow.Columns.key == MetaRow.schemaVersionKey).fetchOne(db).flatMap { Int($0.value) }
                }
                return (id, v, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") ?? 0)
            }
            if appID == 0 && objects == 0 { return nil }
            guard appID == applicationID else {
                throw StoreError(.notAStore, "\(path) is not an nkwatch store (SQLite application_id \(appID)); it was not modified")
            }
            if let v = version, v > schemaVersion {
                throw StoreError(.newerSchema, "\(path) was written by a newer nkwatch (store schema \(v), this build reads up to \(schemaVersion)); it was not modified")
            }
            if integrity {
                // Every page is read once: a damaged store is never written to.
                let problems = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
                if problems != ["ok"] {
                    throw StoreError(.damaged, "\(path) is damaged (\(problems.prefix(3).joined(separator: "; "))); it was not written to. "
                        + "Re-ingest into a new store, or try sqlite3's .recover")
                }
            }
            return version
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
            if try Self.createSquashed(writer) { return }
            try Self.migrator.migrate(writer)
        } catch {
            throw StoreError.from(error, path: path, doing: "preparing the store")
        }
    }

    /// Runs `body` in a read transaction, with errors as `StoreError`.
    func read<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try writer.read(body) } catch { throw StoreError.from(error, path: path, doing: what) }
    }

    /// Runs `body` in a write transaction, with errors as `StoreError`.
    func write<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        guard mode == .write else { throw StoreError(.readOnly, "\(path) was opened for reading: \(what) needs to write") }
        do { return try writer.write(body) } catch { throw StoreError.from(error, path: path, doing: what) }
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

/// A descriptor of the store file that stays open as long as the store's
/// SQLite connections are. Closing *any* descriptor of a file drops every
/// POSIX (fcntl) lock the process holds on it — SQLite's own included: the
/// shared lock a connection in WAL mode keeps on the database tells another
/// process it may not switch the file out of WAL mode under it. Closing the
/// creation lock's descriptor right after opening let a second writer do just
/// that while the first was still writing, and corrupt the store.
final class OpenFile: @unchecked Sendable {
    private var fd: Int32
    private let guardLock = NSLock()

    init(fd: Int32) { self.fd = fd }

    /// Closes the descriptor (once): after the connections are closed.
    func close() {
        guardLock.lock()
        defer { guardLock.unlock() }
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    deinit { close() }
}

/// A flock(2) on the store file around opening it.
struct FileLock {
    let fd: Int32
    /// The file's size when the lock was taken.
    let size: Int
    /// The file's device, inode and size when the lock was taken.
    let identity: Store.Verified
    /// The descriptor, kept open after the lock is released.
    let file: OpenFile

    /// Exclusive (a writer; the file is created if missing) or shared (a
    /// reader; the file must exist and is opened read-only).
    init(path: String, shared: Bool = false) throws(StoreError) {
        let f = shared ? Glibc.open(path, O_RDONLY | O_CLOEXEC) : Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard f >= 0 else {
            let e = errno
            let text = String(cString: strerror(e))
            if shared { throw StoreError(e == ENOENT ? .notAStore : .failed, "\(path): cannot open the store (\(text))") }
            switch e {
            case EACCES, EPERM, EROFS: throw StoreError(.readOnly, "\(path): cannot create or write the store (\(text))")
            case ENOSPC, EDQUOT: throw StoreError(.full, "\(path): cannot create the store: the disk is full")
            default: throw StoreError(.failed, "\(path): cannot open the store (\(text))")
            }
        }
        while flock(f, shared ? LOCK_SH : LOCK_EX) != 0 && errno == EINTR {}
        var st = stat()
        let known = fstat(f, &st) == 0
        size = known ? Int(st.st_size) : 0
        identity = Store.Verified(device: known ? UInt64(st.st_dev) : 0, inode: known ? UInt64(st.st_ino) : 0, size: size)
        fd = f
        file = OpenFile(fd: f)
    }

    /// Releases the lock; the descriptor stays open until `file` is closed
    /// (by `Store.close()`, or when the last copy of the store goes).
    func unlock() {
        flock(fd, LOCK_UN)
    }
}
