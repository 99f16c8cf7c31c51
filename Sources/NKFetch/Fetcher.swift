import Foundation
import NKArchive
import NKModel

/// What to fetch.
public struct FetchRequest: Sendable {
    public var collectors: [ArchiveCollector]
    public var from: Timestamp
    public var to: Timestamp
    public var ribs: FetchSelection.RIBs
    /// The cache folder (the archives' layout).
    public var cache: String
    public var sites: ArchiveSites
    /// Downloads at once per host.
    public var jobs: Int
    public var retry: RetryPolicy
    /// Seconds without a byte before a transfer counts as stalled.
    public var idleTimeout: Double

    public init(collectors: [ArchiveCollector], from: Timestamp, to: Timestamp, ribs: FetchSelection.RIBs = .all, cache: String,
                sites: ArchiveSites = .publicArchives, jobs: Int = 4, retry: RetryPolicy = RetryPolicy(), idleTimeout: Double = 60) {
        self.collectors = collectors
        self.from = from
        self.to = to
        self.ribs = ribs
        self.cache = cache
        self.sites = sites
        self.jobs = jobs
        self.retry = retry
        self.idleTimeout = idleTimeout
    }
}

/// Progress of a fetch, for a progress bar.
public struct FetchProgress: Sendable {
    public var filesDone: Int
    public var filesTotal: Int
    public var bytes: Int64
    public var seconds: Double
    /// Bytes per second so far.
    public var rate: Double { seconds > 0 ? Double(bytes) / seconds : 0 }
    /// Seconds left at the pace so far, by files.
    public var eta: Double? { filesDone > 0 && filesTotal > filesDone ? seconds / Double(filesDone) * Double(filesTotal - filesDone) : nil }
}

/// What a fetch obtained, and every file it did not, with why.
public struct FetchSummary: Sendable {
    public init() {}
    public struct NotObtained: Sendable, Equatable {
        public var url: String
        public var path: String
        public var reason: String
        /// The archive does not have it (404, 410): fetching again will not help.
        public var missing: Bool
    }
    public var planned = 0
    public var downloaded = 0
    public var cached = 0
    public var bytes: Int64 = 0
    public var seconds = 0.0
    /// Files obtained (downloaded or cached), cache paths.
    public var paths: [String] = []
    public var notObtained: [NotObtained] = []
    /// Update files the listings lack inside the range (the archive's own gaps).
    public var listingGaps: [ListingGap] = []
    /// Listings that could not be read (after retries): their files are not known.
    public var listingProblems: [String] = []
    /// The local disk failed.
    public var environmentFailure: String?

    /// Something the range needs was not obtained.
    public var isIncomplete: Bool { !notObtained.isEmpty || !listingGaps.isEmpty || !listingProblems.isEmpty }
}

/// Finds the files of collectors over a time range from the archives'
/// listings and downloads them into the cache, several at once per host.
public final class Fetcher: @unchecked Sendable {
    public let request: FetchRequest
    let downloader: Downloader

    public init(request: FetchRequest, userAgent: String) {
        self.request = request
        downloader = Downloader(http: HTTPClient(userAgent: userAgent, idleTimeout: request.idleTimeout), retry: request.retry)
    }

    /// The files to fetch, from the listings; fills the listing gaps and problems of `summary`.
    public func plan(_ summary: inout FetchSummary) -> [ArchiveFile] {
        var files: [ArchiveFile] = []
        let r = request
        for collector in r.collectors {
            var months = ArchiveMonth.covering(from: r.from, to: r.to)
            var listed: [(name: String, kind: FileKind, time: Timestamp, month: ArchiveMonth)] = []
            var urls: [String: URL] = [:]
            func key(_ name: String, _ kind: FileKind, _ month: ArchiveMonth) -> String { "\(month)/\(kind.rawValue)/\(name)" }
            var listedMonths = Set<ArchiveMonth>()
            func list(_ month: ArchiveMonth) {
                listedMonths.insert(month)
                for (url, kindHint) in collector.listings(month, sites: r.sites) {
                    switch downloader.listing(url) {
                    case .failure(let e):
                        summary.listingProblems.append("\(collector.name) \(month): \(e.description)")
                    case .success(nil):
                        continue
                    case .success(let html?):
                        for name in DirectoryListing.names(inHTML: html) where !name.hasSuffix("/") {
                            let layout = ArchiveLayout.parse(path: name)
                            guard let t = layout.fileTime, layout.kind != .unknown, kindHint == nil || kindHint == layout.kind else { continue }
                            guard !name.hasSuffix(".partial") else { continue }
                            listed.append((name, layout.kind, t, month))
                            urls[key(name, layout.kind, month)] = url.appendingPathComponent(name)
                        }
                    }
                }
            }
            for m in months { list(m) }
            // The starting state: the last RIB dump at or before `from` may be
            // in the month before.
            if r.ribs != .none, !listed.contains(where: { $0.kind == .rib && $0.time <= r.from }), let first = months.first {
                list(first.previous)
                months.insert(first.previous, at: 0)
            }
            let chosen = FetchSelection.select(listed, collector: collector, from: r.from, to: r.to, ribs: r.ribs, sites: r.sites, cache: r.cache) { name, kind, month in
                urls[key(name, kind, month)]!
            }
            files += chosen
            summary.listingGaps += FetchSelection.gaps(updateTimes: listed.filter { $0.kind == .updates }.map(\.time), collector: collector,
                                                       from: r.from, to: r.to)
        }
        return files
    }

    /// Fetches everything; `onFile` gets each cache path as soon as the file
    /// is there (for a pipelined ingest), from several threads.
    public func run(progress: (@Sendable (FetchProgress) -> Void)? = nil, onFile: (@Sendable (String) -> Void)? = nil) -> FetchSummary {
        let start = Date()
        var summary = FetchSummary()
        if let why = HTTPClient.unavailable {
            summary.environmentFailure = why
            return summary
        }
        let files = plan(&summary)
        summary.planned = files.count
        let state = RunState(total: files.count, start: start, progress: progress)
        // One queue of files per host, `jobs` workers each.
        let byHost = Dictionary(grouping: files, by: { $0.url.host ?? "" })
        var threads: [JoinableThread] = []
        for (_, hostFiles) in byHost.sorted(by: { $0.key < $1.key }) {
            let queue = WorkQueue(hostFiles)
            for _ in 0..<max(1, min(request.jobs, hostFiles.count)) {
                threads.append(JoinableThread { [downloader] in
                    while let f = queue.next(), !state.stopped {
                        let outcome = downloader.obtain(f.url, to: f.path) { n in state.add(bytes: n) }
                        state.finish(f, outcome)
                        if case .downloaded = outcome { onFile?(f.path) }
                        if case .cached = outcome { onFile?(f.path) }
                    }
                })
            }
        }
        for t in threads { t.join() }
        state.fill(&summary)
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }
}

/// Files waiting for a worker.
final class WorkQueue: @unchecked Sendable {
    private var files: [ArchiveFile]
    private var position = 0
    private let lock = NSLock()
    init(_ files: [ArchiveFile]) { self.files = files }
    func next() -> ArchiveFile? {
        lock.lock()
        defer { lock.unlock() }
        guard position < files.count else { return nil }
        defer { position += 1 }
        return files[position]
    }
}

/// The outcomes of a run, gathered from its workers.
final class RunState: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let start: Date
    private let progress: (@Sendable (FetchProgress) -> Void)?
    private var done = 0
    private var bytes: Int64 = 0
    private var lastReport = Date.distantPast
    private var outcomes: [(ArchiveFile, DownloadOutcome)] = []
    private(set) var stopped = false

    init(total: Int, start: Date, progress: (@Sendable (FetchProgress) -> Void)?) {
        self.total = total
        self.start = start
        self.progress = progress
    }

    func add(bytes n: Int64) {
        lock.lock()
        bytes += n
        let now = Date()
        let report = now.timeIntervalSince(lastReport) > 0.2
        if report { lastReport = now }
        let p = FetchProgress(filesDone: done, filesTotal: total, bytes: bytes, seconds: now.timeIntervalSince(start))
        lock.unlock()
        if report { progress?(p) }
    }

    func finish(_ f: ArchiveFile, _ outcome: DownloadOutcome) {
        lock.lock()
        done += 1
        outcomes.append((f, outcome))
        if case .environment = outcome { stopped = true }
        let p = FetchProgress(filesDone: done, filesTotal: total, bytes: bytes, seconds: Date().timeIntervalSince(start))
        lock.unlock()
        progress?(p)
    }

    func fill(_ s: inout FetchSummary) {
        lock.lock()
        defer { lock.unlock() }
        s.bytes = bytes
        for (f, o) in outcomes.sorted(by: { ($0.0.time, $0.0.path) < ($1.0.time, $1.0.path) }) {
            switch o {
            case .downloaded:
                s.downloaded += 1
                s.paths.append(f.path)
            case .cached:
                s.cached += 1
                s.paths.append(f.path)
            case .missing(let why):
                s.notObtained.append(.init(url: f.url.absoluteString, path: f.path, reason: why, missing: true))
            case .failed(let why):
                s.notObtained.append(.init(url: f.url.absoluteString, path: f.path, reason: why, missing: false))
            case .environment(let why):
                s.environmentFailure = s.environmentFailure ?? why
                s.notObtained.append(.init(url: f.url.absoluteString, path: f.path, reason: why, missing: false))
            }
        }
    }
}
