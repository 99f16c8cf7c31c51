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
    /// The scope asked for; nil: the store's (or, for files, North Korea).
    public var scope: Scope?
    public var from: Timestamp?
    public var to: Timestamp?
    public var parameters: Parameters

    public init(data: Data, scope: Scope?, from: Timestamp?, to: Timestamp?, parameters: Parameters) {
        self.data = data
        self.scope = scope
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
            guard FileSource.identity(ofPath: path) != nil else { throw AnalysisError.noStore(path) }
            let store = try Store.open(path: path, mode: .read)
            guard let stored = try store.scope() else { throw AnalysisError.emptyStore(path) }
            if let wanted = request.scope, wanted != stored {
                throw AnalysisError.scopeMismatch(path: path, stored: stored, wanted: wanted)
            }
            return try analyse(store: store, name: path, scope: stored, request: request)
        case .files(let paths):
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nkwatch-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let scope = request.scope ?? .northKorea
            let listing = InputPaths.list(paths)
            listing.problems.forEach { problem($0.description) }
            if listing.files.isEmpty { throw AnalysisError.nothingToRead(paths) }
            let store = try Store.open(path: dir.appendingPathComponent("store.sqlite").path)
            let summary = try Ingestor(scope: scope).run(paths: listing.files, store: store)
            summary.problems.forEach(problem)
            if summary.ingested == 0 { throw AnalysisError.nothingReadable(files: listing.files.count) }
            return try analyse(store: store, name: paths.count == 1 ? paths[0] : "\(listing.files.count) MRT files", scope: scope, request: request)
        }
    }

    static func analyse(store: Store, name: String, scope: Scope, request: AnalysisRequest) throws -> AnalysisReport {
        let p = request.parameters
        let result = try AnalysisLoader.analyze(store: store, scope: scope, from: request.from, to: request.to, parameters: p)
        let files = try store.files()
        if result.seesNothing {
            let starts = files.compactMap { $0.file.coverageStart ?? $0.file.firstTime }, ends = files.compactMap { $0.file.coverageEnd ?? $0.file.lastTime }
            let span = starts.min().flatMap { s in ends.max().map { (Timestamp(seconds: s), Timestamp(seconds: $0)) } }
            throw AnalysisError.noData(from: result.from, to: result.to, data: span, files: files.count)
        }
        let sources = DataSources(store: name, files: files.count, damagedFiles: files.filter { $0.file.status == .damaged }.count,
                                  collectors: result.collectors, peers: result.peers, scope: scope)
        return AnalysisReport(result: result, sources: sources)
    }
}
