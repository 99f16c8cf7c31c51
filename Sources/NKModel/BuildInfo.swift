/// What this build of nkwatch is.
public enum BuildInfo {
    /// The release version.
    public static let version = "0.11.0"
    /// `nkwatch/0.11.0`: the User-Agent of every download.
    public static var userAgent: String { "nkwatch/\(version) (+https://github.com/nkwatch/nkwatch; BGP outage analysis)" }
}
