/// Where an answer's data came from: the store (or the files read into a
/// temporary one), what it holds, and the scope.
public struct DataSources: Sendable {
    /// The store's path, or what was read instead ("SampleData/kp-2014-12", "12 MRT files").
    public var store: String
    public var files: Int
    public var damagedFiles: Int
    public var collectors: [String]
    public var peers: Int
    public var scope: Scope
    /// The scope's name in a store of several (`--scope NAME`).
    public var scopeLabel: String?

    public init(store: String, files: Int, damagedFiles: Int, collectors: [String], peers: Int, scope: Scope, scopeLabel: String? = nil) {
        self.store = store
        self.files = files
        self.damagedFiles = damagedFiles
        self.collectors = collectors
        self.peers = peers
        self.scope = scope
        self.scopeLabel = scopeLabel
    }

    /// `country KP: 175.45.176.0/22, origin AS131279`.
    public var scopeText: String {
        (scope.country.map { "country \($0): " } ?? scopeLabel.map { "\($0): " } ?? "") + scope.prefixes.map(\.description).joined(separator: ", ")
            + (scope.originASNs.isEmpty ? "" : ", origin " + scope.originASNs.sorted().map { "AS\($0)" }.joined(separator: ", "))
    }

    /// The place the scope stands for, by name: the country of a country
    /// scope, North Korea for the default scope; nil for other scopes.
    public var scopeName: String? {
        if let cc = scope.country { return CountryNames.name(cc) ?? cc.uppercased() }
        if scope == .northKorea { return "North Korea" }
        return scopeLabel
    }

    /// Short form for titles: up to four prefixes and four ASNs.
    public var scopeSummary: String {
        let prefixes = scope.prefixes.map(\.description)
        let asns = scope.originASNs.sorted()
        return (scope.country.map { "\($0): " } ?? "") + prefixes.prefix(4).joined(separator: ", ")
            + (prefixes.count > 4 ? " and \(prefixes.count - 4) more" : "")
            + (asns.isEmpty ? "" : ", " + asns.prefix(4).map { "AS\($0)" }.joined(separator: ", "))
    }
}
