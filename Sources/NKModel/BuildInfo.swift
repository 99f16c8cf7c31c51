/// What this build of nkwatch is.
public enum BuildInfo {
    /// The release version.
    public static let version = "0.12.0"

    /// The git commit the binary was built from (`-dirty` with uncommitted
    /// changes), set by the command line at start; nil in a library or a
    /// build outside a checkout.
    nonisolated(unsafe) public static var revision: String?

    /// `0.12.0 (rev 1a2b3c4d5e6f)`, or `0.12.0`.
    public static var versionText: String { revision.map { "\(version) (rev \($0))" } ?? version }

    /// The User-Agent of every download.
    public static var userAgent: String { "nkwatch/\(version) (+https://github.com/nkwatch/nkwatch; BGP outage analysis)" }
}

extension BuildInfo {
    /// The keys every nkwatch document carries after `schema`: `version`
    /// and `revision` (null outside a git build).
    public static var documentFields: [(String, JSON)] {
        [("version", .string(version)), ("revision", revision.map { .string($0) } ?? .null)]
    }
}
