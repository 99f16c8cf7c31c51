/// What an MRT file holds, from its name or its content.
public enum FileKind: String, Sendable, Codable, CaseIterable {
    /// A RIB dump (RouteViews `rib.*`, RIS `bview.*`): every peer's table.
    case rib
    /// Update dumps (`updates.*`): BGP messages and state changes over an interval.
    case updates
    /// Neither the name nor the content says.
    case unknown
}

/// Whether a stored file was read to its end.
public enum FileStatus: String, Sendable, Codable, CaseIterable {
    case ok
    /// Read up to damage (a truncated or corrupt stream, bad records): what
    /// was before the damage is kept, the rest of its time is a data gap.
    case damaged
}

/// How a file is compressed, found from its first bytes (never its name).
public enum Compression: String, Sendable, Codable, CaseIterable {
    case none, gzip, bzip2

    /// Detects the compression from the first bytes of a file.
    public static func detect(_ head: some Collection<UInt8>) -> Compression {
        let b = Array(head.prefix(3))
        if b.count >= 2, b[0] == 0x1F, b[1] == 0x8B { return .gzip }
        if b.count >= 3, b[0] == 0x42, b[1] == 0x5A, b[2] == 0x68 { return .bzip2 }
        return .none
    }
}

/// What identifies a file on disk without reading it: when all of it is
/// unchanged, so is the content (the check `make` and `rsync` rely on).
public struct FileIdentity: Hashable, Sendable, Codable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    /// Modification time, nanoseconds since the epoch.
    public var modifiedNanoseconds: Int64

    public init(device: UInt64, inode: UInt64, size: Int64, modifiedNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
    }
}
