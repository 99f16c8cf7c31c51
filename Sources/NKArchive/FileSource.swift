#if canImport(Glibc)
import Glibc
#endif
import MRT
import NKModel

/// The raw bytes of a file or of standard input, read once, in order. It
/// knows what it read: the identity of the file (device, inode, size,
/// modification time) when it was opened, and how many bytes came out.
///
/// Not `Sendable`: it owns a file descriptor.
public final class FileSource: ByteSource {
    public let path: String
    /// The file's identity when it was opened; nil for standard input and pipes.
    public let identity: FileIdentity?
    /// Bytes handed out so far.
    public private(set) var bytesRead = 0
    private let fd: Int32
    private let ownsFD: Bool

    /// Opens `path`; "-" is standard input.
    public init(path: String) throws(ArchiveError) {
        self.path = path
        if path == "-" {
            fd = 0
            ownsFD = false
            identity = nil
            return
        }
        let f = PathBytes.withCString(path) { open($0, O_RDONLY | O_CLOEXEC) }
        guard f >= 0 else { throw ArchiveError.opening(errno: errno) }
        var st = stat()
        guard fstat(f, &st) == 0 else {
            let e = errno
            close(f)
            throw ArchiveError.opening(errno: e)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(f)
            throw ArchiveError(.isDirectory, "is a directory")
        }
        fd = f
        ownsFD = true
        identity = (st.st_mode & S_IFMT) == S_IFREG ? Self.identity(st) : nil
    }

    deinit { if ownsFD { close(fd) } }

    /// The size when opened, for a regular file.
    public var size: Int? { identity.map { Int($0.size) } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(fd, base, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw ArchiveError(.readFailed, offset: bytesRead, "read failed at byte \(bytesRead): \(String(cString: strerror(errno)))")
            }
            bytesRead += n
            return n
        }
    }

    /// The file's identity now: differs from `identity` when the file was
    /// changed (rewritten, grown, truncated) while it was read.
    public func currentIdentity() -> FileIdentity? {
        guard identity != nil else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return Self.identity(st)
    }

    static func identity(_ st: stat) -> FileIdentity {
        FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                     modifiedNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }

    /// The identity of the file at `path` without opening it (nil when it
    /// cannot be stat'ed or is not a regular file).
    public static func identity(ofPath path: String) -> FileIdentity? {
        var st = stat()
        guard PathBytes.withCString(path, { stat($0, &st) }) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return identity(st)
    }
}

/// Passes another source's bytes through and hashes them (SHA-256) on the
/// way, so that the hash is of exactly the bytes that were decoded.
public final class HashingSource: ByteSource {
    public private(set) var source: any ByteSource
    private let hasher: SHA256
    public private(set) var bytesRead = 0

    public init(_ source: any ByteSource) throws(ArchiveError) {
        self.source = source
        self.hasher = try SHA256()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try source.read(into: buffer)
        if n > 0 {
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            bytesRead += n
        }
        return n
    }

    /// Reads and hashes whatever the reader above left unread, so that the
    /// hash covers the whole input even when decoding stopped early.
    public func drain() throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while try read(into: buffer) > 0 {}
    }

    /// The SHA-256 of every byte read, as 64 hex digits. Call once, at the end.
    public func finish() -> String { hasher.finalizeHex() }
}
