#if canImport(Glibc)
import Glibc
#endif
import MRT

/// Turns command-line paths into the list of files to read: files as given,
/// directories walked recursively (sorted, hidden entries skipped, only files
/// that look like dumps), quoted globs expanded, '-' kept.
public enum InputPaths {
    public static func expand(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        for p in paths {
            if p == "-" { out.append(p); continue }
            var st = stat()
            guard stat(p, &st) == 0 else {
                // A quoted glob ('dumps/*.bz2'): expand it here.
                if p.contains(where: { "*?[".contains($0) }) {
                    let matches = glob(p)
                    if !matches.isEmpty {
                        out.append(contentsOf: try expand(matches))
                        continue
                    }
                }
                throw FileError(path: p, ArchiveError.opening(errno: errno))
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                out.append(contentsOf: try walk(p))
            } else {
                out.append(p)
            }
        }
        return out
    }

    /// In a directory, a dump is named like the archives (`updates.*`, `rib.*`,
    /// `bview.*`) or ends in .gz, .bz2, .mrt or .dump; anything else
    /// (READMEs, checksums, JSON) is left alone.
    public static func looksLikeDump(_ name: String) -> Bool {
        let lower = name.lowercased()
        if lower.hasPrefix("updates.") || lower.hasPrefix("rib.") || lower.hasPrefix("bview.") || lower.hasPrefix("ribs.") {
            return !lower.hasSuffix(".md5") && !lower.hasSuffix(".sha256")
        }
        return [".gz", ".bz2", ".mrt", ".dump"].contains { lower.hasSuffix($0) }
    }

    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out.sorted()
    }

    static func walk(_ dir: String) throws -> [String] {
        guard let d = opendir(dir) else {
            throw FileError(path: dir, ArchiveError.opening(errno: errno, what: " (directory)"))
        }
        defer { closedir(d) }
        // The entry type comes with the name (d_type); stat(2) only where the
        // file system does not say, or for a symbolic link.
        var entries: [(name: String, type: UInt8)] = []
        while let ent = readdir(d) {
            let name = withUnsafePointer(to: ent.pointee.d_name) { ptr in
                ptr.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name.hasPrefix(".") { continue }
            entries.append((name, ent.pointee.d_type))
        }
        entries.sort { $0.name < $1.name }
        var out: [String] = []
        for (name, type) in entries {
            let full = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            var isDirectory: Bool
            switch Int32(type) {
            case Int32(DT_DIR): isDirectory = true
            case Int32(DT_REG): isDirectory = false
            default:
                var st = stat()
                guard stat(full, &st) == 0 else { continue }
                isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
            }
            if isDirectory { out.append(contentsOf: try walk(full)) } else if looksLikeDump(name) { out.append(full) }
        }
        return out
    }
}
