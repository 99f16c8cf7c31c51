import CSQLite
import GRDB
import MRT

/// One `INSERT` of a write transaction, bound and stepped on SQLite's C
/// interface.
///
/// GRDB's `execute(arguments:)` boxes every value into a `DatabaseValue`,
/// checks the arguments against the statement and asks its scheduling
/// watchdog each time: of the 110 µs a small file's rows took to write
/// (3 449 sample files, 18 600 rows), SQLite itself was about 40 %. The
/// ingest writes on one thread while the others decode, so what the writer
/// spends bounds how far more cores help. Errors are GRDB's
/// `DatabaseError`s with SQLite's extended code, as GRDB raises them.
struct RowInserter {
    private let statement: Statement
    private let handle: OpaquePointer
    private let scratch = Scratch()

    /// A prepared statement of `db`'s cache: prepared once per connection.
    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
    }

    /// Where a row's text parameters are copied (or written) before they are
    /// bound, so that SQLite reads them in place (SQLITE_STATIC) instead of
    /// allocating a copy of each: memory that stays put from the first bind
    /// of a row to its step, reused row after row. A text that does not fit
    /// is bound as a copy (SQLITE_TRANSIENT).
    final class Scratch {
        static let capacity = 16 << 10
        let base = UnsafeMutablePointer<UInt8>.allocate(capacity: Scratch.capacity)
        var used = 0
        deinit { base.deallocate() }
    }

    /// Inserts `row`.
    func insert(_ row: some CachedInsert) throws { try insert { row.bind(&$0) } }

    /// Binds the row's values in order with `bind`, and inserts it.
    func insert(_ bind: (inout Binder) -> Void) throws {
        scratch.used = 0
        var b = Binder(handle: handle, scratch: scratch)
        bind(&b)
        let rc = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard rc == SQLITE_DONE else {
            let message = sqlite3_errmsg(sqlite3_db_handle(handle)).map { String(cString: $0) }
            throw DatabaseError(resultCode: ResultCode(rawValue: sqlite3_extended_errcode(sqlite3_db_handle(handle))), message: message,
                                sql: statement.sql)
        }
    }

    /// Runs the statement as a query: binds with `bind`, and hands each
    /// result row's statement handle to `row` (read it with
    /// `sqlite3_column_*`).
    func select(_ bind: (inout Binder) -> Void, row: (OpaquePointer) -> Void) throws {
        scratch.used = 0
        var b = Binder(handle: handle, scratch: scratch)
        bind(&b)
        defer { sqlite3_reset(handle) }
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else {
                let message = sqlite3_errmsg(sqlite3_db_handle(handle)).map { String(cString: $0) }
                throw DatabaseError(resultCode: ResultCode(rawValue: sqlite3_extended_errcode(sqlite3_db_handle(handle))), message: message,
                                    sql: statement.sql)
            }
            row(handle)
        }
    }

    /// Column `i` of the current row as text, nil when NULL.
    static func text(_ handle: OpaquePointer, _ i: Int32) -> String? {
        guard sqlite3_column_type(handle, i) != SQLITE_NULL, let p = sqlite3_column_text(handle, i) else { return nil }
        return String(cString: p)
    }

    /// The parameters of one row, bound left to right. Every parameter of
    /// the statement is bound for every row: a text bound in place is read
    /// by the row's step only.
    struct Binder {
        let handle: OpaquePointer
        private unowned(unsafe) let scratch: Scratch
        private var index: Int32 = 1

        init(handle: OpaquePointer, scratch: Scratch) {
            self.handle = handle
            self.scratch = scratch
        }

        mutating func bind(_ v: Int64) {
            sqlite3_bind_int64(handle, index, v)
            index += 1
        }

        mutating func bind(_ v: Int) { bind(Int64(v)) }

        mutating func bind(_ v: Int64?) {
            if let v { sqlite3_bind_int64(handle, index, v) } else { sqlite3_bind_null(handle, index) }
            index += 1
        }

        mutating func bind(_ v: String) {
            var s = v
            s.withUTF8 { u in
                bindText(maxCount: u.count) { p in
                    if let base = u.baseAddress { p.update(from: base, count: u.count) }
                    return u.count
                }
            }
        }

        mutating func bind(_ v: String?) {
            if let v { bind(v) } else {
                sqlite3_bind_null(handle, index)
                index += 1
            }
        }

        mutating func bind<R: RawRepresentable>(_ v: R) where R.RawValue == String { bind(v.rawValue) }

        /// Binds the text `write` puts at the pointer it is given (at most
        /// `maxCount` bytes; it returns how many it wrote).
        mutating func bindText(maxCount: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
            if scratch.used + maxCount <= Scratch.capacity {
                let start = scratch.base + scratch.used
                let n = write(start)
                scratch.used += n
                // SQLITE_STATIC: the bytes stay where they are until the step.
                // An empty text is bound as "" from a pointer that is not null
                // (a null one would bind NULL).
                sqlite3_bind_text(handle, index, UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self), Int32(n), nil)
            } else {
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, maxCount)) { buf in
                    let n = write(buf.baseAddress!)
                    // SQLITE_TRANSIENT: SQLite copies the bytes before this returns.
                    let transient = unsafeBitCast(-1 as Int, to: sqlite3_destructor_type.self)
                    sqlite3_bind_text(handle, index, UnsafeRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(n), transient)
                }
            }
            index += 1
        }

        /// The prefix's text, written in place.
        mutating func bind(_ p: Prefix) {
            bindText(maxCount: TextOutput.maxAddressText + 4) { out in TextOutput.write(to: out) { p.appendText(to: &$0) } }
        }

        /// The address's text, written in place; NULL for none.
        mutating func bind(_ a: IPAddress?) {
            guard let a else {
                sqlite3_bind_null(handle, index)
                index += 1
                return
            }
            bindText(maxCount: TextOutput.maxAddressText) { out in TextOutput.write(to: out) { a.appendText(to: &$0) } }
        }
    }

    /// Text written at a pointer with room for it.
    struct TextOutput: ByteOutput {
        /// The longest address text: an IPv6 address with an embedded IPv4 one,
        /// as `inet_ntop` writes it (45 bytes), with room to spare.
        static let maxAddressText = 64
        let base: UnsafeMutablePointer<UInt8>
        var count = 0

        static func write(to base: UnsafeMutablePointer<UInt8>, _ body: (inout TextOutput) -> Void) -> Int {
            var out = TextOutput(base: base)
            body(&out)
            return out.count
        }

        mutating func put(_ byte: UInt8) {
            base[count] = byte
            count += 1
        }

        mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let src = bytes.baseAddress else { return }
            (base + count).update(from: src, count: bytes.count)
            count += bytes.count
        }

        mutating func put(upTo maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
            count += body(base + count)
        }
    }
}
