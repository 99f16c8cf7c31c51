import Foundation
import MRT
import NKAnalysis
import NKArchive
import NKModel
import NKStore

/// What `timeline`, `classify` and `report` ask for.
public struct AnalysisRequest: Sendable {
    public enum Data: Sendable {
        /// A store ingested before.
        case store(String)
        /// MRT files and directories, ingested into a temporary store first.
        case files([String])
    }

    public var data: Data
    /// The scopes the command line names; nil: the store's (or, for files,
    /// North Korea). One of them is analysed: the one `scopeName` names, or
    /// the only one.
    public var scopes: [NamedScope]?
    /// `--scope NAME`: which of the store's (or `scopes`') named scopes.
    public var scopeName: String?
    public var from: Timestamp?
    public var to: Timestamp?
    public var parameters: Parameters

    public init(data: Data, scope: Scope?, scopeName: String? = nil, from: Timestamp?, to: Timestamp?, parameters: Parameters) {
        self.init(data: data, scopes: scope.map { [NamedScope(name: NamedScope.defaultName(for: $0), scope: $0)] }, scopeName: scopeName,
                  from: from, to: to, parameters: parameters)
    }

    public init(data: Data, scopes: [NamedScope]?, scopeName: String? = nil, from: Timestamp?, to: Timestamp?, parameters: Parameters) {
        self.data = data
        self.scopes = scopes
        self.scopeName = scopeName
        self.from = from
        self.to = to
        self.parameters = parameters
    }
}

/// The answer and where it came from.
public struct AnalysisReport: Sendable {
    public var result: AnalysisResult
    public var sources: DataSources
}

/// Why an analysis could not start.
public enum AnalysisError: Error, Sendable, CustomStringConvertible {
    /// There is no store at the path.
    case noStore(String)
    /// The store holds no ingested data.
    case emptyStore(String)
    /// The store was ingested for another scope.
    case scopeMismatch(path: String, stored: Scope, wanted: Scope)
    /// `--scope NAME` names none of the store's scopes.
    case unknownScope(path: String, name: String, available: [String])
    /// The store holds several scopes and the command did not say which.
    case severalScopes(path: String, names: [String])
    /// None of the input files could be read.
    case nothingReadable(files: Int)
    /// The paths name no MRT file at all.
    case nothingToRead([String])
    /// No block had a known state anywhere in the range: nothing can be said
    /// (no files for the range, or no eligible peers). `data`: the span the
    /// store's files cover, if any.
    case noData(from: Timestamp, to: Timestamp, data: (start: Timestamp, end: Timestamp)?, files: Int)

    public var description: String {
        switch self {
        case .noStore(let path):
            return "no store at \(path): run 'nkwatch ingest ARCHIVES' first, give --store, or give MRT paths to the command"
        case .emptyStore(let path):
            return "\(path) holds no ingested data yet: run 'nkwatch ingest ARCHIVES --store \(path)'"
        case .scopeMismatch(let path, let stored, let wanted):
            return "\(path) was ingested for another scope (\(stored)), not (\(wanted)); ingest into another --store"
        case .unknownScope(let path, let name, let available):
            return "\(path) holds no scope named '\(name)'; its scopes: \(available.joined(separator: ", "))"
        case .severalScopes(let path, let names):
            return "\(path) holds \(names.count) scopes (\(names.prefix(12).joined(separator: ", "))\(names.count > 12 ? ", …" : "")): "
                + "give --scope NAME, or 'nkwatch report --all-scopes --out-dir DIR' for all of them"
        case .nothingReadable(let n):
            return "none of the \(n) input file(s) could be read"
        case .nothingToRead(let paths):
            return "nothing to read: \(paths.map(PathBytes.display).joined(separator: ", ")) hold\(paths.count == 1 ? "s" : "") no MRT file"
        case .noData(let from, let to, let data, let files):
            let range = "from \(from.prose) to \(to.prose)"
            if let d = data, d.end <= from || d.start >= to {
                return "no data \(range): the store's \(files) file\(files == 1 ? "" : "s") cover \(d.start.prose) to \(d.end.prose). "
                    + "Ingest the archives of the range (nkwatch fetch COLLECTOR --from \(from.iso) --to \(to.iso), then nkwatch ingest), or choose a range inside the data"
            }
            return "no data \(range): no block of the scope had a known state (fewer than the minimum of eligible full-feed peers saw it at any time). "
                + "Ingest RIB dumps (they tell full-feed peers) and more collectors, or lower --min-peers"
        }
    }
}

/// The analysis pipeline: store (or files) → input → method → answer.
public enum AnalysisPipeline {
    /// Runs `request`. Problems with single input files go to `problem`;
    /// throws `AnalysisError`, `StoreError` or `FileError`.
    public static func run(_ request: AnalysisRequest, problem: (String) -> Void = { _ in }) throws -> AnalysisReport {
        switch request.data {
        case .store(let path):
            let store = try openStore(path)
            let scope = try choose(request, from: try store.namedScopes(), path: path)
            return try analyse(store: store, name: path, scope: scope, request: request)
        case .files(let paths):
            let scopes = request.scopes ?? [NamedScope(name: NamedScope.defaultName(for: .northKorea), scope: .northKorea)]
            var one = request
            one.scopes = nil
            // Which scope, before anything is read.
            let scope = try choose(one, from: scopes, path: paths.count == 1 ? paths[0] : "the MRT files")
            return try withIngested(paths, scopes: scopes, problem: problem) { store, name in
                try analyse(store: store, name: name, scope: scope, request: request)
            }
        }
    }

    /// Every named scope of the data (those the request's flags name, or
    /// all the store's), each analysed alone over one read of the store (the
    /// files are ingested once): a scope that cannot be analysed keeps its error.
    public static func runAll(_ request: AnalysisRequest, problem: (String) -> Void = { _ in }) throws -> [(scope: NamedScope, report: Result<AnalysisReport, Error>)] {
        func each(_ store: Store, name: String, _ scopes: [NamedScope]) -> [(scope: NamedScope, report: Result<AnalysisReport, Error>)] {
            scopes.map { s in (s, Result { try analyse(store: store, name: name, scope: s, request: request) }) }
        }
        switch request.data {
        case .store(let path):
            let store = try openStore(path)
            let named = try store.namedScopes()
            var chosen = named
            if let wanted = request.scopes {
                chosen = []
                for w in wanted {
                    guard let s = named.first(where: { $0.scope == w.scope }) else {
                        throw AnalysisError.scopeMismatch(path: path, stored: NamedScope.union(named), wanted: w.scope)
                    }
                    chosen.append(s)
                }
            }
            return each(store, name: path, chosen)
        case .files(let paths):
            let scopes = request.scopes ?? [NamedScope(name: NamedScope.defaultName(for: .northKorea), scope: .northKorea)]
            return try withIngested(paths, scopes: scopes, problem: problem) { store, name in each(store, name: name, scopes) }
        }
    }

    /// A store to analyse: there, and ingested into.
    static func openStore(_ path: String) throws -> Store {
        guard FileSource.identity(ofPath: path) != nil else { throw AnalysisError.noStore(path) }
        let store = try Store.open(path: path, mode: .read)
        guard try store.scope() != nil else { throw AnalysisError.emptyStore(path) }
        return store
    }

    /// MRT paths ingested for `scopes` into a temporary store, handed to
    /// `body` with the name the answer gives them.
    static func withIngested<T>(_ paths: [String], scopes: [NamedScope], problem: (String) -> Void, _ body: (Store, String) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nkwatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let listing = InputPaths.list(paths)
        listing.problems.forEach { problem($0.description) }
        if listing.files.isEmpty { throw AnalysisError.nothingToRead(paths) }
        let store = try Store.open(path: dir.appendingPathComponent("store.sqlite").path)
        try store.useScopes(scopes)
        let summary = try Ingestor(scope: NamedScope.union(scopes)).run(paths: listing.files, store: store)
        summary.problems.forEach(problem)
        if summary.ingested == 0 { throw AnalysisError.nothingReadable(files: listing.files.count) }
        return try body(store, paths.count == 1 ? paths[0] : "\(listing.files.count) MRT files")
    }

    /// The one scope to analyse of a store's named scopes: the one
    /// `--scope` names, or the one the flags name, or the only one.
    public static func choose(_ request: AnalysisRequest, from named: [NamedScope], path: String) throws -> NamedScope {
        let wanted = request.scopes
        if let name = request.scopeName {
            guard let s = named.first(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw AnalysisError.unknownScope(path: path, name: name, available: named.map(\.name))
            }
            if let w = wanted, w.count == 1, w[0].scope != s.scope {
                throw AnalysisError.scopeMismatch(path: path, stored: s.scope, wanted: w[0].scope)
            }
            return s
        }
        if let w = wanted {
            guard w.count == 1 else { throw AnalysisError.severalScopes(path: path, names: w.map(\.name)) }
            if let s = named.first(where: { $0.scope == w[0].scope }) { return s }
            throw AnalysisError.scopeMismatch(path: path, stored: NamedScope.union(named), wanted: w[0].scope)
        }
        guard named.count == 1 else { throw AnalysisError.severalScopes(path: path, names: named.map(\.name)) }
        return named[0]
    }

    static func analyse(store: Store, name: String, scope named: NamedScope, request: AnalysisRequest) throws -> AnalysisReport {
        let p = request.parameters
        let scope = named.scope
        let result = try AnalysisLoader.analyze(store: store, scope: scope, from: request.from, to: request.to, parameters: p)
        let files = try store.files()
        if result.seesNothing {
            let starts = files.compactMap { $0.file.coverageStart ?? $0.file.firstTime }, ends = files.compactMap { $0.file.coverageEnd ?? $0.file.lastTime }
            let span = starts.min().flatMap { s in ends.max().map { (Timestamp(seconds: s), Timestamp(seconds: $0)) } }
            throw AnalysisError.noData(from: result.from, to: result.to, data: span, files: files.count)
        }
        let sources = DataSources(store: name, files: files.count, damagedFiles: files.filter { $0.file.status == .damaged }.count,
                                  collectors: result.collectors, peers: result.peers, scope: scope,
                                  scopeLabel: named.name == NamedScope.defaultName(for: scope) ? nil : named.name)
        return AnalysisReport(result: result, sources: sources)
    }
}
