#if canImport(Glibc)
import Glibc
#endif
import MRT
import NKModel

/// What the command-line paths name: the files to read, and what could not be
/// walked.
public struct InputListing: Sendable {
    /// Files to read, in order: as given, and each directory's in name order.
    public var files: [String] = []
    /// Paths and directories that could not be read (reported, skipped).
    public var problems: [FileError] = []
    /// Files in the directories walked that are not MRT (READMEs, checksums, …).
    public var notMRT = 0
}

/// Turns command-line paths into the files to read: files as given,
/// directories walked recursively (each directory once, however many links
/// lead to it; hidden entries skipped; dumps recognised by name or content),
/// quoted globs expanded, '-' kept. Paths are kept as the bytes they are
/// (`PathBytes`).
public enum InputPaths {
    public static func list(_ paths: [String]) -> InputListing {
        var listing = InputListing()
        var visited = Set<DirectoryID>()
        for p in paths {
            if p == "-" { listing.files.append(p); continue }
            var st = stat()
            guard PathBytes.withCString(p, { stat($0, &st) }) == 0 else {
                let e = errno
                // A quoted glob ('dumps/*.bz2'): expand it here.
                if p.contains(where: { "*?[".contains($0) }) {
                    let matches = glob(p)
                    if !matches.isEmpty {
                        let inner = list(matches)
                        listing.files += inner.files
                        listing.problems += inner.problems
                        listing.notMRT += inner.notMRT
                        continue
                    }
                }
                listing.problems.append(FileError(path: p, ArchiveError.opening(errno: e)))
                continue
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                walk(p, into: &listing, visited: &visited)
            } else {
                // A file named on the command line is read whatever its name.
                listing.files.append(p)
            }
        }
        return listing
    }

    /// `list`, throwing the first problem: for callers that need every path.
    public static func expand(_ paths: [String]) throws(FileError) -> [String] {
        let l = list(paths)
        if let first = l.problems.first { throw first }
        return l.files
    }

    /// A directory's identity: the same directory reached twice (through a
    /// symbolic link) is walked once.
    struct DirectoryID: Hashable { var device: UInt64; var inode: UInt64 }

    static func walk(_ dir: String, into listing: inout InputListing, visited: inout Set<DirectoryID>) {
        var st = stat()
        guard PathBytes.withCString(dir, { stat($0, &st) }) == 0 else {
            listing.problems.append(FileError(path: dir, ArchiveError.opening(errno: errno, what: " (directory)")))
            return
        }
        guard visited.insert(DirectoryID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))).inserted else { return }
        guard let d = PathBytes.withCString(dir, { opendir($0) }) else {
            listing.problems.append(FileError(path: dir, ArchiveError.opening(errno: errno, what: " (directory)")))
            return
        }
        defer { closedir(d) }
        // The entry type comes with the name (d_type); stat(2) only where the
        // file system does not say, or for a symbolic link.
        var entries: [(name: [UInt8], type: UInt8)] = []
        while let ent = readdir(d) {
            // The name is read in place, up to its end: the record is only as
            // long as its name, and copying `d_name` (256 bytes) read past the
            // end of the last record of the buffer (AddressSanitizer).
            let at = UnsafeRawPointer(ent) + MemoryLayout<dirent>.offset(of: \dirent.d_name)!
            let name = Array(UnsafeRawBufferPointer(start: at, count: strlen(at.assumingMemoryBound(to: CChar.self))))
            if name.first == UInt8(ascii: ".") { continue }
            entries.append((name, ent.pointee.d_type))
        }
        // Byte order, compared with memcmp: the generic lexicographic
        // comparison of two arrays was half of listing the sample's 3 449 files.
        entries.sort { a, b in
            a.name.withUnsafeBufferPointer { x in
                b.name.withUnsafeBufferPointer { y in
                    let c = memcmp(x.baseAddress ?? UnsafePointer(bitPattern: 1)!, y.baseAddress ?? UnsafePointer(bitPattern: 1)!, min(x.count, y.count))
                    return c != 0 ? c < 0 : x.count < y.count
                }
            }
        }
        let prefix = dir.hasSuffix("/") ? dir : dir + "/"
        for (name, type) in entries {
            let full = prefix + PathBytes.string(name)
            var isDirectory: Bool
            switch Int32(type) {
            case Int32(DT_DIR): isDirectory = true
            case Int32(DT_REG): isDirectory = false
            default:
                var est = stat()
                guard PathBytes.withCString(full, { stat($0, &est) }) == 0 else { continue }
                isDirectory = (est.st_mode & S_IFMT) == S_IFDIR
                guard isDirectory || (est.st_mode & S_IFMT) == S_IFREG else { continue }
            }
            if isDirectory {
                walk(full, into: &listing, visited: &visited)
            } else {
                switch NameCheck(name) {
                case .dump: listing.files.append(full)
                case .notDump: listing.notMRT += 1
                case .unknown:
                    if holdsMRT(full) { listing.files.append(full) } else { listing.notMRT += 1 }
                }
            }
        }
    }

    /// What a name says about a file in a directory being walked.
    enum NameCheck {
        /// Named like the archives (`updates.*`, `rib.*`, `bview.*`) or a dump extension.
        case dump
        /// Documentation, checksums, incomplete downloads, stores.
        case notDump
        /// Nothing: the content decides (routers write MRT without an extension).
        case unknown

        static let notDumpSuffixes: [StaticString] = [".partial", ".md5", ".sha256", ".sha1", ".md", ".txt", ".json", ".html", ".csv", ".sqlite",
                                                      ".sqlite-wal", ".sqlite-shm", ".log", ".py", ".sh", ".toml", ".yaml", ".yml", ".pdf", ".png"]
        static let dumpPrefixes: [StaticString] = ["updates.", "rib.", "bview.", "ribs."]
        static let dumpSuffixes: [StaticString] = [".gz", ".bz2", ".mrt", ".dump"]

        /// Compares ASCII case-insensitively, on the name's bytes (this runs
        /// for every file of every folder walked).
        init(_ name: [UInt8]) {
            func matches(_ s: StaticString, at start: Int) -> Bool {
                s.withUTF8Buffer { t in
                    for i in 0..<t.count {
                        let b = name[start + i]
                        if (b >= 65 && b <= 90 ? b | 0x20 : b) != t[i] { return false }
                    }
                    return true
                }
            }
            // Most suffixes differ from the name in its last byte: that first.
            let last = name.last.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
            func hasSuffix(_ s: StaticString) -> Bool {
                let n = s.utf8CodeUnitCount
                return name.count >= n && s.utf8Start[n - 1] == last && matches(s, at: name.count - n)
            }
            func hasPrefix(_ s: StaticString) -> Bool { name.count >= s.utf8CodeUnitCount && matches(s, at: 0) }
            if Self.notDumpSuffixes.contains(where: hasSuffix) { self = .notDump; return }
            if Self.dumpPrefixes.contains(where: hasPrefix) { self = .dump; return }
            self = Self.dumpSuffixes.contains(where: hasSuffix) ? .dump : .unknown
        }
    }

    /// True when the file starts with an MRT header of a type RFC 6396
    /// defines, plain or inside gzip or bzip2.
    public static func holdsMRT(_ path: String) -> Bool {
        guard let stream = try? ArchiveStream(path: path, bufferSize: 4096) else { return false }
        var head = [UInt8](repeating: 0, count: 12)
        var got = 0
        while got < 12 {
            let n = (try? head.withUnsafeMutableBytes { try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got...])) }) ?? 0
            if n == 0 { break }
            got += n
        }
        guard got == 12 else { return false }
        let type = UInt16(head[4]) << 8 | UInt16(head[5])
        let length = Int(head[8]) << 24 | Int(head[9]) << 16 | Int(head[10]) << 8 | Int(head[11])
        return knownMRTTypes.contains(type) && length <= MRTRecordReader.maxRecordLength
    }

    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard PathBytes.withCString(pattern, { Glibc.glob($0, 0, nil, &g) }) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] {
                out.append(PathBytes.string(UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p))))
            }
        }
        return out.sorted()
    }
}
