#if canImport(Glibc)
import Glibc
#endif
import MRT

/// A problem below the MRT layer: opening or reading a file, or a damaged
/// compressed stream. Tests assert `code`, never the message.
public struct ArchiveError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let notFound = Code(rawValue: "not-found")
        public static let permissionDenied = Code(rawValue: "permission-denied")
        public static let isDirectory = Code(rawValue: "is-directory")
        public static let cannotOpen = Code(rawValue: "cannot-open")
        public static let readFailed = Code(rawValue: "read-failed")
        /// The compressed data is corrupt (a CRC or a block that does not decode).
        public static let damagedStream = Code(rawValue: "damaged-stream")
        /// The compressed data ends before its stream does.
        public static let truncatedStream = Code(rawValue: "truncated-stream")
        /// Bytes after the compressed data that are not another member.
        public static let trailingData = Code(rawValue: "trailing-data")
        /// zlib, libbz2 or OpenSSL could not set itself up (memory).
        public static let libraryFailed = Code(rawValue: "library-failed")
    }

    public var code: Code
    /// Offset in the decompressed stream (what the MRT reader sees) where the
    /// problem is; 0 for problems opening the file.
    public var offset: Int
    /// Offset in the compressed file, for stream damage.
    public var compressedOffset: Int?
    public var detail: String

    public init(_ code: Code, offset: Int = 0, compressedOffset: Int? = nil, _ detail: String) {
        self.code = code
        self.offset = offset
        self.compressedOffset = compressedOffset
        self.detail = detail
    }

    public var description: String { offset > 0 || code == .damagedStream || code == .truncatedStream ? "byte offset \(offset): \(detail)" : detail }

    /// The error for a failed open(2) or opendir(3).
    @inline(never)
    static func opening(errno e: Int32, what: String = "") -> ArchiveError {
        let text = String(cString: strerror(e))
        switch e {
        case ENOENT: return ArchiveError(.notFound, "no such file or directory")
        case EACCES, EPERM: return ArchiveError(.permissionDenied, "permission denied\(what)")
        case EISDIR: return ArchiveError(.isDirectory, "is a directory")
        default: return ArchiveError(.cannotOpen, "cannot open\(what): \(text)")
        }
    }
}

/// A problem with one input: its path and what went wrong, at which byte
/// offset of the decompressed stream.
public struct FileError: Error, Sendable, CustomStringConvertible {
    public enum Cause: Sendable {
        /// A record or the MRT framing (MRT's own error).
        case record(MRTError)
        /// The file or its compression.
        case source(ArchiveError)
    }

    public var path: String
    public var cause: Cause

    public init(path: String, cause: Cause) {
        self.path = path
        self.cause = cause
    }

    public init(path: String, _ error: MRTError) { self.init(path: path, cause: .record(error)) }
    public init(path: String, _ error: ArchiveError) { self.init(path: path, cause: .source(error)) }

    public var offset: Int {
        switch cause {
        case .record(let e): return e.offset
        case .source(let e): return e.offset
        }
    }

    public var recordError: MRTError? { if case .record(let e) = cause { return e } else { return nil } }
    public var sourceError: ArchiveError? { if case .source(let e) = cause { return e } else { return nil } }

    public var description: String {
        let name = path == "-" ? "<stdin>" : PathBytes.display(path)
        switch cause {
        case .record(let e): return "\(name): \(e)"
        case .source(let e): return "\(name): \(e)"
        }
    }
}
