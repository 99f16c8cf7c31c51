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
            return "nothing to read: \(paths.map(PathBytes.display).joined(separator: ", ")) hold(s) no MRT file"
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
        let sources = DataSources(store: name, files: files.count, damagedFiles: files.filter { $0.file.status == .damaged }.count,
                                  collectors: result.collectors, peers: result.peers, scope: scope)
        return AnalysisReport(result: result, sources: sources)
    }
}
