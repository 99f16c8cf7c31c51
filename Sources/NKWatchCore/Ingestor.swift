#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import MRT
import NKArchive
import NKModel
import NKStore

/// The result of one ingest run.
public struct IngestSummary: Sendable {
    public var files = 0
    public var ingested = 0
    /// Already in the store: the same file unchanged, or the same content.
    public var skipped = 0
    public var damaged = 0
    public var unreadable = 0
    public var elements = 0
    public var events = 0
    public var gaps = 0
    /// Uncompressed MRT bytes read.
    public var bytes = 0
    public var seconds = 0.0
    /// One line per problem: the file, the byte offset, the cause.
    public var problems: [String] = []

    /// `nkwatch.ingest/v1` (docs/store.md).
    public func json(store: String, scope: Scope) -> JSON {
        .object([
            ("schema", .string("nkwatch.ingest/v1")),
            ("store", .string(store)),
            ("scope_prefixes", .strings(scope.prefixes.map(\.description))),
            ("scope_origin_asns", .array(scope.originASNs.sorted().map { .int(Int64($0)) })),
            ("files", .int(files)), ("ingested", .int(ingested)), ("damaged", .int(damaged)), ("skipped", .int(skipped)),
            ("unreadable", .int(unreadable)), ("elements", .int(elements)), ("events", .int(events)), ("gaps", .int(gaps)),
            ("bytes", .int(bytes)), ("seconds", .number(seconds, decimals: 3)),
            ("problems", .strings(problems)),
        ])
    }
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
///
/// A file whose path and identity (device, inode, size, modification time)
/// are those stored is skipped without being read; a file whose content
/// (SHA-256) is already stored is skipped after reading. So re-running,
/// adding files later, or resuming after a kill all give the store an
/// uninterrupted run would.
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
        /// The store failed: no more work is started, and the run throws it.
        var storeFailure: StoreError?
    }

    struct Decoded {
        var ingest: FileIngest
        var report: FileReport
    }

    /// What the store knew before this run.
    struct Known: Sendable {
        var identities: [String: FileIdentity]
        var hashes: Set<String>
    }

    /// Runs the ingest. RIB dumps go first, so that prefixes the scope's
    /// origin ASNs announce in them are known when update files are read.
    /// Throws a `StoreError` when the store fails (the files committed
    /// before stay committed).
    public func run(paths: [String], store: Store, progress: (@Sendable (IngestProgress) -> Void)? = nil) throws(StoreError) -> IngestSummary {
        try store.useScope(scope)
        let start = Date()
        // Sizes only for a progress bar. Everything before the first phase
        // runs on one core, so it is kept to the minimum.
        let totalBytes = progress == nil ? 0 : paths.reduce(0) { $0 + Int(FileSource.identity(ofPath: $1)?.size ?? 0) }
        let kinds = paths.map { ArchiveLayout.kind(ofPath: $0) }
        let ribs = paths.indices.filter { kinds[$0] == .rib }
        let rest = paths.indices.filter { kinds[$0] != .rib }
        let shared = Shared()
        shared.summary.files = paths.count
        // Read once: one query per file cost more than decoding a small file.
        // Files that arrive meanwhile from another run are caught inside the
        // write transaction.
        let known = Known(identities: try store.fileIdentities(), hashes: try store.fileHashes())

        func phase(_ indices: [Int], ingester: FileIngester) {
            shared.lock.lock(); shared.next = 0; shared.lock.unlock()
            DispatchQueue.concurrentPerform(iterations: min(jobs, max(1, indices.count))) { _ in
                while true {
                    shared.lock.lock()
                    let k = shared.next
                    shared.next += 1
                    let stop = shared.storeFailure != nil
                    shared.lock.unlock()
                    guard k < indices.count, !stop else { return }
                    process(path: paths[indices[k]], ingester: ingester, store: store, known: known, shared: shared)
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
            if shared.pending.isEmpty || shared.storeFailure != nil {
                shared.lock.unlock()
            } else {
                shared.writing = true
                flushLocked(store: store, shared: shared)
            }
        }

        phase(ribs, ingester: FileIngester(scope: scope, collectorOverride: collectorOverride))
        if let failure = shared.storeFailure { throw failure }
        let learned = try store.prefixesOriginatedBy(scope.originASNs)
        phase(rest, ingester: FileIngester(scope: scope, extraPrefixes: learned, collectorOverride: collectorOverride))
        if let failure = shared.storeFailure { throw failure }

        var summary = shared.summary
        summary.gaps = try store.gaps().count
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    func process(path: String, ingester: FileIngester, store: Store, known: Known, shared: Shared) {
        if let stored = known.identities[path], let now = FileSource.identity(ofPath: path), stored == now {
            count(shared, size: Int(now.size)) { $0.skipped += 1 }
            return
        }
        let (ingest, report) = ingester.ingest(path: path)
        guard let ingest else {
            count(shared, size: report.rawBytes) { s in
                s.unreadable += 1
                s.problems += report.allErrors.map(\.description)
            }
            return
        }
        if known.hashes.contains(ingest.file.sha256) {
            count(shared, size: report.rawBytes) { $0.skipped += 1 }
            return
        }
        shared.lock.lock()
        shared.pending.append(Decoded(ingest: ingest, report: report))
        shared.pendingBytes += report.rawBytes
        // Small files wait for company; a writer already at work takes them too.
        if shared.writing || (shared.pending.count < Self.batchFiles && shared.pendingBytes < Self.batchBytes) {
            shared.lock.unlock()
            return
        }
        shared.writing = true
        flushLocked(store: store, shared: shared)
    }

    /// Counts one file that will not be written.
    func count(_ shared: Shared, size: Int, _ body: (inout IngestSummary) -> Void) {
        shared.lock.lock()
        body(&shared.summary)
        shared.filesDone += 1
        shared.bytesDone += size
        shared.lock.unlock()
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
            if shared.pending.isEmpty || shared.storeFailure != nil { shared.writing = false; shared.lock.unlock(); return }
        }
    }

    /// Commits `batch` in one transaction and counts it; a store failure
    /// stops the run.
    func write(_ batch: [Decoded], store: Store, shared: Shared) {
        let inserted: [Bool]
        do {
            inserted = try store.insert(batch.map(\.ingest))
        } catch {
            shared.lock.lock()
            if shared.storeFailure == nil { shared.storeFailure = error }
            shared.lock.unlock()
            return
        }
        shared.lock.lock()
        defer { shared.lock.unlock() }
        for (d, written) in zip(batch, inserted) {
            shared.filesDone += 1
            shared.bytesDone += d.report.rawBytes
            guard written else { shared.summary.skipped += 1; continue }
            shared.summary.ingested += 1
            shared.summary.elements += d.ingest.file.elements
            shared.summary.events += d.ingest.events.count
            shared.summary.bytes += d.report.bytes
            if d.ingest.file.status == .damaged {
                shared.summary.damaged += 1
                shared.summary.problems += d.report.allErrors.map(\.description)
            }
        }
    }
}
