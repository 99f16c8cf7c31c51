import CSQLite
import GRDB

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

    /// A prepared statement of `db`'s cache: prepared once per connection.
    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
    }

    /// Inserts `row`.
    func insert(_ row: some CachedInsert) throws { try insert { row.bind(&$0) } }

    /// Binds the row's values in order with `bind`, and inserts it.
    func insert(_ bind: (inout Binder) -> Void) throws {
        var b = Binder(handle: handle)
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
        var b = Binder(handle: handle)
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

    /// The parameters of one row, bound left to right.
    struct Binder {
        let handle: OpaquePointer
        private var index: Int32 = 1

        init(handle: OpaquePointer) { self.handle = handle }

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
                // SQLITE_TRANSIENT: SQLite copies the bytes before this returns.
                // An empty string is bound as "" (a null pointer would bind NULL).
                let transient = unsafeBitCast(-1 as Int, to: sqlite3_destructor_type.self)
                if let base = u.baseAddress, u.count > 0 {
                    _ = UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: u.count) { p in
                        sqlite3_bind_text(handle, index, p, Int32(u.count), transient)
                    }
                } else {
                    sqlite3_bind_text(handle, index, "", 0, transient)
                }
            }
            index += 1
        }

        mutating func bind(_ v: String?) {
            if let v { bind(v) } else {
                sqlite3_bind_null(handle, index)
                index += 1
            }
        }

        mutating func bind<R: RawRepresentable>(_ v: R) where R.RawValue == String { bind(v.rawValue) }
    }
}
