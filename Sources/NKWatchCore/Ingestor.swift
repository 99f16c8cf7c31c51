#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import MRT
import NKArchive
import NKStore

/// The result of one ingest run.
public struct IngestSummary: Sendable, Codable {
    public var files = 0
    public var ingested = 0
    public var skipped = 0
    public var damaged = 0
    public var unreadable = 0
    public var elements = 0
    public var events = 0
    public var gaps = 0
    public var bytes = 0
    public var seconds = 0.0
    public var problems: [String] = []
}

/// Progress after each file, for a progress bar.
public struct IngestProgress: Sendable {
    public var filesDone: Int
    public var filesTotal: Int
    public var bytesDone: Int
    public var bytesTotal: Int
    public var elements: Int
    public var seconds: Double
}

/// Ingests many files into a store: files are decoded in parallel on
/// `jobs` threads; writes go through one writer at a time, which commits
/// every file decoded while the previous commit ran in one transaction
/// (group commit: many small files cost one sync, not one each). A file's
/// data lands whole or not at all.
/// A file whose content (SHA-256) is already in the store is skipped, so
/// re-running, adding files later, or resuming after a kill all give the
/// store an uninterrupted run would.
public struct Ingestor: Sendable {
    public var scope: Scope
    public var collectorOverride: String?
    public var jobs: Int

    public init(scope: Scope, collectorOverride: String? = nil, jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.scope = scope
        self.collectorOverride = collectorOverride
        self.jobs = max(1, jobs)
    }

    final class Shared: @unchecked Sendable {
        let lock = NSLock()
        var next = 0
        var summary = IngestSummary()
        var bytesDone = 0
        var filesDone = 0
        /// Decoded files waiting for the writer, and whether a worker is writing.
        var pending: [Decoded] = []
        var pendingBytes = 0
        var writing = false
    }

    struct Decoded {
        var ingest: FileIngest
        var report: FileReport
        var size: Int
    }

    /// Runs the ingest. RIB dumps go first, so that prefixes the scope's
    /// origin ASNs announce in them are known when update files are read.
    public func run(paths: [String], store: Store, progress: (@Sendable (IngestProgress) -> Void)? = nil) throws -> IngestSummary {
        try store.useScope(scope.stored)
        let start = Date()
        // Sizes only for a progress bar (stat(2), not FileManager: its
        // attributes cost several system calls per file). Everything before
        // the first phase runs on one core, so it is kept to the minimum.
        let totalBytes = progress == nil ? 0 : paths.reduce(0) { total, path in
            var st = stat()
            return total + (stat(path, &st) == 0 ? Int(st.st_size) : 0)
        }
        let kinds = paths.map { ArchiveLayout.kind(ofPath: $0) }
        let ribs = paths.indices.filter { kinds[$0] == .rib }
        let rest = paths.indices.filter { kinds[$0] != .rib }
        let shared = Shared()
        shared.summary.files = paths.count
        // Files stored before this run, read once (one query per file cost more
        // than decoding a small file). Files that arrive meanwhile from another
        // run are caught inside the write transaction.
        let known = try store.fileHashes()

        func phase(_ indices: [Int], ingester: FileIngester) {
            shared.lock.lock(); shared.next = 0; shared.lock.unlock()
            DispatchQueue.concurrentPerform(iterations: min(jobs, max(1, indices.count))) { _ in
                while true {
                    shared.lock.lock()
                    let k = shared.next
                    shared.next += 1
                    shared.lock.unlock()
                    guard k < indices.count else { return }
                    let path = paths[indices[k]]
                    process(path: path, ingester: ingester, store: store, known: known, shared: shared)
                    if let progress {
                        shared.lock.lock()
                        let p = IngestProgress(filesDone: shared.filesDone, filesTotal: paths.count, bytesDone: shared.bytesDone,
                                               bytesTotal: totalBytes, elements: shared.summary.elements,
                                               seconds: Date().timeIntervalSince(start))
                        shared.lock.unlock()
                        progress(p)
                    }
                }
            }
            // What is left waits for no one.
            shared.lock.lock()
            if shared.pending.isEmpty {
                shared.lock.unlock()
            } else {
                shared.writing = true
                flushLocked(store: store, shared: shared)
            }
        }

        phase(ribs, ingester: FileIngester(scope: scope, collectorOverride: collectorOverride))
        var learned: [Prefix] = []
        if !scope.originASNs.isEmpty {
            learned = try store.prefixesOriginatedBy(Array(scope.originASNs)).compactMap { Prefix($0) }
        }
        phase(rest, ingester: FileIngester(scope: scope, extraPrefixes: learned, collectorOverride: collectorOverride))

        var summary = shared.summary
        summary.gaps = (try? store.gaps().count) ?? 0
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    func process(path: String, ingester: FileIngester, store: Store, known: Set<String>, shared: Shared) {
        var size = 0
        func record(_ body: (inout IngestSummary) -> Void) {
            shared.lock.lock()
            body(&shared.summary)
            shared.filesDone += 1
            shared.bytesDone += size
            shared.lock.unlock()
        }
        let hash: String, fileSize: Int
        do {
            (hash, fileSize) = try SHA256.file(path)
            size = fileSize
        } catch {
            record { $0.unreadable += 1; $0.problems.append("\(path): \(error)") }
            return
        }
        if known.contains(hash) {
            record { $0.skipped += 1 }
            return
        }
        let (ingest, report) = ingester.ingest(path: path, sha256: hash, size: fileSize)
        if report.records == 0 && report.fatalError != nil {
            record { s in
                s.unreadable += 1
                s.problems += report.allErrors.map(\.description)
            }
            return
        }
        shared.lock.lock()
        shared.pending.append(Decoded(ingest: ingest, report: report, size: size))
        shared.pendingBytes += size
        // Small files wait for company; a writer already at work takes them too.
        if shared.writing || (shared.pending.count < Self.batchFiles && shared.pendingBytes < Self.batchBytes) {
            shared.lock.unlock()
            return
        }
        shared.writing = true
        flushLocked(store: store, shared: shared)
    }

    /// Files decoded but not yet committed are written once this many have
    /// gathered (or this many compressed bytes), and at the end of each phase.
    /// A kill loses at most those, and the next run ingests them again.
    static let batchFiles = 64
    static let batchBytes = 64 << 20

    /// Writes everything pending, including what arrives meanwhile. Called
    /// with `shared.lock` held and `shared.writing` set; returns with the lock released.
    func flushLocked(store: Store, shared: Shared) {
        while true {
            let batch = shared.pending
            shared.pending.removeAll()
            shared.pendingBytes = 0
            shared.lock.unlock()
            write(batch, store: store, shared: shared)
            shared.lock.lock()
            if shared.pending.isEmpty { shared.writing = false; shared.lock.unlock(); return }
        }
    }

    /// Commits `batch` in one transaction and counts it.
    func write(_ batch: [Decoded], store: Store, shared: Shared) {
        let outcome = Result { try store.insert(batch.map(\.ingest)) }
        shared.lock.lock()
        defer { shared.lock.unlock() }
        for (i, d) in batch.enumerated() {
            shared.filesDone += 1
            shared.bytesDone += d.size
            switch outcome {
            case .success(let inserted) where inserted[i]:
                shared.summary.ingested += 1
                shared.summary.elements += d.ingest.elements
                shared.summary.events += d.ingest.events.count
                shared.summary.bytes += d.report.bytes
                if d.ingest.status == .damaged {
                    shared.summary.damaged += 1
                    shared.summary.problems += d.report.allErrors.map(\.description)
                }
            case .success:
                shared.summary.skipped += 1
            case .failure(let error):
                shared.summary.unreadable += 1
                shared.summary.problems.append("\(d.ingest.path): cannot write to the store: \(error)")
            }
        }
    }
}
