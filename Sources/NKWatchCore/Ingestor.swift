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
    public init() {}
    public var files = 0
    public var ingested = 0
    /// Already in the store: the same file unchanged, or the same content.
    public var skipped = 0
    public var damaged = 0
    public var unreadable = 0
    /// New versions of stored archive files that replaced them.
    public var replaced: [String] = []
    /// Versions not kept because the stored one is more complete.
    public var superseded: [String] = []
    /// Stored files read again for prefixes learned after them.
    public var completed = 0
    /// Stored files that could not be read again for prefixes learned after
    /// them (moved or changed): their events of those prefixes are missing.
    public var incomplete: [String] = []
    public var elements = 0
    public var events = 0
    public var gaps = 0
    /// Uncompressed MRT bytes read.
    public var bytes = 0
    public var seconds = 0.0
    /// One line per problem: the file, the byte offset, the cause.
    public var problems: [String] = []
    /// Remarks that are not problems (versions replaced, files read again).
    public var notes: [String] = []
    /// The run was asked to stop (Ctrl-C) and stopped after committing what
    /// it had decoded; running it again finishes the work.
    public var interrupted = false

    /// Adds a later run's counts (a pipelined ingest runs in batches).
    public mutating func add(_ o: IngestSummary) {
        files += o.files
        ingested += o.ingested
        skipped += o.skipped
        damaged += o.damaged
        unreadable += o.unreadable
        replaced += o.replaced
        superseded += o.superseded
        completed += o.completed
        incomplete = Array(Set(incomplete + o.incomplete)).sorted()
        elements += o.elements
        events += o.events
        gaps = o.gaps
        bytes += o.bytes
        seconds += o.seconds
        problems += o.problems
        notes += o.notes
        interrupted = interrupted || o.interrupted
    }

    /// `nkwatch.ingest/v1` (docs/store.md).
    public func json(store: String, scope: Scope) -> JSON {
        .object([("schema", .string("nkwatch.ingest/v1"))] + BuildInfo.documentFields + [
            ("store", .string(store)),
            ("scope_prefixes", .strings(scope.prefixes.map(\.description))),
            ("scope_origin_asns", .array(scope.originASNs.sorted().map { .int(Int64($0)) })),
            ("files", .int(files)), ("ingested", .int(ingested)), ("damaged", .int(damaged)), ("skipped", .int(skipped)),
            ("unreadable", .int(unreadable)), ("replaced", .int(replaced.count)), ("superseded", .int(superseded.count)),
            ("completed", .int(completed)), ("incomplete", .strings(incomplete)),
            ("elements", .int(elements)), ("events", .int(events)), ("gaps", .int(gaps)),
            ("bytes", .int(bytes)), ("seconds", .number(seconds, decimals: 3)),
            ("problems", .strings(problems)), ("notes", .strings(notes)),
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
/// `jobs` threads; writes go through one writer at a time, in batches of
/// `batchFiles` files (or `batchBytes`) per transaction, more when more
/// were decoded while the previous commit ran (group commit: many small
/// files cost one commit, not one each). The thread that writes goes back
/// to decoding once less than a batch is pending, rather than committing
/// each file as it comes (sample, two cores: 25 transactions instead of
/// 60–90, the writer busy 75 ms instead of 85–125). A file's data lands
/// whole or not at all.
///
/// The store ends the same whatever the order, grouping and number of runs:
/// - a path whose identity (device, inode, size, modification time) is the
///   one stored is skipped without being read, and a content (SHA-256)
///   already stored is skipped after reading;
/// - a new version of a stored archive file (the same collector, kind and
///   time) replaces the stored one when it is more complete, and is skipped
///   otherwise (`StoredFile.isMoreComplete`);
/// - prefixes the scope's origin ASNs announce join the scope; files read
///   before a prefix joined are read again for it at the end of the run (or
///   listed as incomplete when they are gone).
public struct Ingestor: Sendable {
    public var scope: Scope
    public var collectorOverride: String?
    public var jobs: Int

    public init(scope: Scope, collectorOverride: String? = nil, jobs: Int = Cores.available) {
        self.scope = scope
        self.collectorOverride = collectorOverride
        self.jobs = max(1, jobs)
    }

    final class Shared: @unchecked Sendable {
        /// Guards everything here; waited on for the store (`awaitStore`).
        let lock = NSCondition()
        var next = 0
        /// The store, once it is open: a new store is created while the
        /// first phase decodes (`run(paths:creating:)`), and nothing is
        /// written before it is set.
        var store: Store?
        var summary = IngestSummary()
        var bytesDone = 0
        var filesDone = 0
        /// Decoded files waiting for the writer, and whether a worker is writing.
        var pending: [Decoded] = []
        var pendingBytes = 0
        var writing = false
        /// The store or the environment failed: no more work is started, and
        /// the run throws it.
        var failure: (any Error & Sendable)?
        /// Paths of this run whose content was already stored (by SHA-256):
        /// where a stored file that moved can be read again.
        var copies: [String: String] = [:]
        /// Prefixes the scope's origin ASNs announced in the files this run
        /// wrote, and those of them `learn` has recorded already.
        var originated: Set<Prefix> = []
        var recorded: Set<Prefix> = []
        /// Files of the first phase being decoded, and what the scope's
        /// origin ASNs announced in those decoded so far (whether or not
        /// they end up written: more than their writes can teach).
        var firstPhaseDecoding = 0
        var firstPhaseOriginated: Set<Prefix> = []
        /// How the files after the first phase are read (`laterIngester`).
        var gate = Gate.closed

        /// One file of the first phase is decoded (with `lock` held).
        func firstPhaseDecoded() {
            firstPhaseDecoding -= 1
            if firstPhaseDecoding == 0 { lock.broadcast() }
        }

        /// Fewer files (and bytes) are pending than make a batch.
        var batchWaits: Bool { pending.count < Ingestor.batchFiles && pendingBytes < Ingestor.batchBytes }

        /// Waits (with `lock` held) while the store is being created; true
        /// when it is there, false when the run failed meanwhile.
        func awaitStore() -> Bool {
            while store == nil && failure == nil { lock.wait() }
            return store != nil && failure == nil
        }
    }

    /// The files after the first phase wait until it is known what the
    /// first taught: `closed` until a thread needs to know, `deciding`
    /// while it finds out, then `open` with the ingester to read them with
    /// (nil when the run failed meanwhile).
    enum Gate {
        case closed, deciding
        case open(FileIngester?)
    }

    /// Stops the decoding when the store could not be created (the run
    /// throws the creation's own error).
    struct CreationFailed: Error {}

    struct Decoded {
        var ingest: FileIngest
        var report: FileReport
    }

    /// What the store knew before this run.
    struct Known: Sendable {
        var identities: [String: FileIdentity]
        var hashes: [String: [String?]]
    }

    /// Runs the ingest. RIB dumps go first, so that prefixes the scope's
    /// origin ASNs announce in them are known when update files are read.
    /// Throws a `StoreError` when the store fails, or an `EnvironmentError`
    /// (the files committed before stay committed).
    ///
    /// `shouldStop` is asked before each file: once it says yes, no file is
    /// started, what was decoded is committed, and the summary says
    /// `interrupted` (the store is as a kill would leave it, minus nothing).
    public func run(paths allPaths: [String], store: Store, progress: (@Sendable (IngestProgress) -> Void)? = nil,
                    shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> IngestSummary {
        try run(paths: allPaths, open: store, create: { store }, progress: progress, shouldStop: shouldStop)
    }

    /// Runs the ingest into a store that does not exist yet, which `create`
    /// makes (on the calling thread) while the first phase's files are
    /// already being decoded: a new store has no file to skip and no prefix
    /// learned, so nothing the decoding needs comes from it, and the cores
    /// do not wait for its creation. What is decoded before it is ready
    /// waits for it, a batch at most (`batchFiles`, `batchBytes`). Another
    /// ingest creating the same store at the same time is no different from
    /// one writing to it meanwhile: its files are found in the write
    /// transaction and its prefixes by `complete`. When `create` throws,
    /// the decoding stops and nothing is written.
    public func run(paths allPaths: [String], creating create: () throws -> Store, progress: (@Sendable (IngestProgress) -> Void)? = nil,
                    shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> IngestSummary {
        try run(paths: allPaths, open: nil, create: create, progress: progress, shouldStop: shouldStop)
    }

    /// Into the store `open`, or into the one `create` makes when it is nil.
    func run(paths allPaths: [String], open: Store?, create: () throws -> Store, progress: (@Sendable (IngestProgress) -> Void)?,
             shouldStop: @escaping @Sendable () -> Bool) throws -> IngestSummary {
        // A read `startFirstRead` began and no file took (it was stored already) stops here.
        defer { EarlyRead.discardAll() }
        try open?.useScope(scope)
        let (paths, refused, collectorNotes) = Self.collectorsKnown(allPaths, override: collectorOverride)
        let start = Date()
        let totalBytes = progress == nil ? 0 : paths.reduce(0) { $0 + Int(FileSource.identity(ofPath: $1)?.size ?? 0) }
        let kinds = paths.map { ArchiveLayout.kind(ofPath: $0) }
        let shared = Shared()
        shared.summary.files = allPaths.count
        shared.summary.unreadable = allPaths.count - paths.count
        shared.summary.problems += refused
        shared.summary.notes += collectorNotes
        let progressReport: @Sendable () -> Void = {
            guard let progress else { return }
            shared.lock.lock()
            let p = IngestProgress(filesDone: shared.filesDone, filesTotal: paths.count, bytesDone: shared.bytesDone,
                                   bytesTotal: totalBytes, elements: shared.summary.elements, seconds: Date().timeIntervalSince(start))
            shared.lock.unlock()
            progress(p)
        }

        // RIB dumps first; with none, the update files are the first phase.
        var phases = [readOrder(paths.indices.filter { kinds[$0] == .rib }.map { paths[$0] }),
                      readOrder(paths.indices.filter { kinds[$0] != .rib }.map { paths[$0] })]
        if phases[0].isEmpty { phases.swapAt(0, 1) }
        let store: Store
        let known: Known
        var learned: [(seq: Int64, prefix: Prefix)]
        if let open {
            store = open
            shared.store = open
            // Read once: one query per file cost more than decoding a small file.
            // Files that arrive meanwhile from another run are caught inside the
            // write transaction.
            known = Known(identities: try store.fileIdentities(), hashes: try store.fileHashes())
            learned = try learn(store: store, scanning: true, shared: shared)
            phase(phases, ingester: ingester(learned), known: known, shared: shared, progress: progressReport, shouldStop: shouldStop)
        } else {
            // A new store: nothing to skip, no prefix learned yet.
            known = Known(identities: [:], hashes: [:])
            learned = []
            let all = phases
            // A stack as the main thread's: concurrentPerform runs an iteration on it.
            let decoding = JoinableThread(stackSize: 8 << 20) { [self] in
                phase(all, ingester: ingester([]), known: known, shared: shared, progress: progressReport, shouldStop: shouldStop)
            }
            let made: Store
            do {
                made = try create()
                try made.useScope(scope)
            } catch {
                shared.lock.lock()
                if shared.failure == nil { shared.failure = CreationFailed() }
                shared.lock.broadcast()
                shared.lock.unlock()
                decoding.join()
                throw error
            }
            store = made
            shared.lock.lock()
            shared.store = made
            shared.lock.broadcast()
            shared.lock.unlock()
            decoding.join()
        }
        if let failure = shared.failure { throw failure }
        if shouldStop() {
            shared.summary.interrupted = true
        } else {
            learned = try learn(store: store, scanning: false, shared: shared)
            try complete(store: store, learned: learned, shared: shared)
        }
        let coverage = try store.recordCoverage()
        var summary = shared.summary
        summary.gaps = coverage.gaps.count
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// Starts decompressing the file `run(paths:)` reads first, on the
    /// pipeline's threads, so that it overlaps what comes before the first
    /// read: opening the store, learning the scope. `run` takes it over, or
    /// stops it when the file needs no reading.
    public func startFirstRead(paths: [String]) {
        // Not `collectorsKnown` (a layout parse of every path, 4 ms for the
        // sample's 3 449, on the path to the first byte): a file it would
        // refuse is a rare first pick, and its early read is then dropped.
        let ribs = paths.filter { ArchiveLayout.kind(ofPath: $0) == .rib }
        let phase = readOrder(ribs.isEmpty ? paths : ribs)
        guard let first = phase.first else { return }
        // As `phase` sets it for its first file.
        let parallelBzip2 = jobs > 1 && phase.count < jobs
        EarlyRead.start(path: first, options: FileIngester.readOptions(parallelBzip2: parallelBzip2))
    }

    /// The order the files of a phase are started in. On several threads,
    /// the longest first (longest-processing-time order, by size weighted
    /// by compression: the bench file's .bz2 costs 2.8 times its .gz per
    /// compressed byte to ingest; a plain byte is weighted 0.15, an
    /// estimate): a large file started last would leave
    /// the other cores idle while it is read alone (two RouteViews .bz2 of
    /// 1.6 and 1.9 MB and a RIS .gz of 16 MB: 0.27–0.30 s in path order,
    /// 0.25–0.28 s longest first, on 2 cores). Ties keep the given
    /// order; so does one thread, and a phase of more than
    /// `orderedFilesLimit` files, where each file is a small part of the
    /// run and a stat per file would cost more than it saves. The store
    /// ends the same in any order.
    func readOrder(_ paths: [String]) -> [String] {
        guard jobs > 1, paths.count > 1, paths.count <= Self.orderedFilesLimit else { return paths }
        let cost = paths.map { path -> Double in
            let size = Double(FileSource.identity(ofPath: path)?.size ?? 0)
            return size * (path.hasSuffix(".bz2") ? 3 : path.hasSuffix(".gz") ? 1 : 0.15)
        }
        return paths.indices.sorted { cost[$0] != cost[$1] ? cost[$0] > cost[$1] : $0 < $1 }.map { paths[$0] }
    }

    static let orderedFilesLimit = 1024

    /// Files whose path and name say nothing of their collector are named
    /// after their folder — unless the folder holds files of more than one
    /// collector (the same kind and time twice, or gzip and bzip2 update
    /// files side by side: RIS and RouteViews), which are refused rather than
    /// merged into one collector. Returns the files to read, the refusals
    /// and notes.
    static func collectorsKnown(_ paths: [String], override: String?) -> (paths: [String], problems: [String], notes: [String]) {
        guard override == nil else { return (paths, [], []) }
        var unknown: [String: [String]] = [:]
        var keep: [String] = []
        for p in paths {
            let layout = ArchiveLayout.parse(path: p)
            if layout.collectorKnown { keep.append(p) } else { unknown[layout.collector.name, default: []].append(p) }
        }
        guard !unknown.isEmpty else { return (paths, [], []) }
        var problems: [String] = [], notes: [String] = []
        var refused = Set<String>()
        for (folder, files) in unknown.sorted(by: { $0.key < $1.key }) {
            let names = files.map { PathBytes.display($0) }
            let keys = files.compactMap { f -> String? in
                let l = ArchiveLayout.parse(path: f)
                return l.fileTime.map { "\(l.kind.rawValue)/\($0.seconds)" }
            }
            let updates = files.filter { ArchiveLayout.kind(ofPath: $0) == .updates }
            let gz = updates.contains { $0.hasSuffix(".gz") }, bz2 = updates.contains { $0.hasSuffix(".bz2") }
            let shown = names.prefix(10).joined(separator: ", ") + (names.count > 10 ? " and \(names.count - 10) more" : "")
            if Set(keys).count < keys.count || (gz && bz2) {
                refused.formUnion(files)
                problems.append("\(files.count) file\(files.count == 1 ? "" : "s") in '\(folder)' say nothing of their collector, and they are of more than one "
                    + "(\(Set(keys).count < keys.count ? "the same dump time twice" : "gzip and bzip2 update files side by side")): not merged into one collector "
                    + "named '\(folder)'. Keep the archives' layout (rrc00/2014.12/…, route-views2/bgpdata/2014.12/UPDATES/…), or ingest each collector's "
                    + "files with --collector NAME: \(shown)")
            } else {
                notes.append("\(files.count) file\(files.count == 1 ? "" : "s") say\(files.count == 1 ? "s" : "") nothing of \(files.count == 1 ? "its" : "their") collector "
                    + "(not in an archive layout, no collector in the name): counted as collector '\(folder)'; give --collector NAME to name it: \(shown)")
            }
        }
        return (keep + unknown.values.flatMap { $0 }.filter { !refused.contains($0) }.sorted(), problems, notes)
    }

    /// The ingester for what has been learned so far.
    func ingester(_ learned: [(seq: Int64, prefix: Prefix)]) -> FileIngester {
        FileIngester(scope: scope, learned: learned.map(\.prefix), scannedThrough: learned.last?.seq ?? 0, collectorOverride: collectorOverride)
    }

    /// Records the prefixes the scope's origin ASNs announced that no scope
    /// prefix holds (those are in scope already), and returns every learned
    /// prefix in the order it was learned.
    ///
    /// What the store held before this run is found by a scan of its events
    /// (`scanning`: once per run, before its first file, and not for a new
    /// store): it may hold files no run learned from (a run killed before
    /// its end, a merge). After that only this run's own files can teach
    /// anything, and what they teach was gathered as they were written
    /// (`FileIngest.originated`): no scan of every event at each phase and
    /// at the end, which grew with the store. Another ingest writing at the
    /// same time learns from its own files.
    func learn(store: Store, scanning: Bool, shared: Shared) throws(StoreError) -> [(seq: Int64, prefix: Prefix)] {
        guard !scope.originASNs.isEmpty else { return [] }
        let inScope = scope.prefixSet
        var announced: [Prefix]
        if scanning {
            announced = try store.prefixesOriginatedBy(scope.originASNs)
        } else {
            shared.lock.lock()
            announced = shared.originated.subtracting(shared.recorded).sorted()
            shared.lock.unlock()
        }
        let teach = announced.filter { !inScope.overlaps($0) }
        if !teach.isEmpty { try store.learn(teach) }
        shared.lock.lock()
        shared.recorded.formUnion(announced)
        shared.lock.unlock()
        return try store.learnedPrefixes()
    }

    /// Decodes the files of `phases` on `jobs` threads and writes them.
    /// The files of the second phase (update files, after the RIB dumps)
    /// are read with what the first taught (`laterIngester`), and start as
    /// soon as that is known: when the first phase taught nothing new, its
    /// last files are still being written while the second's decode.
    func phase(_ phases: [[String]], ingester: FileIngester, known: Known, shared: Shared, progress: @Sendable () -> Void,
               shouldStop: @Sendable () -> Bool) {
        let paths = phases.flatMap { $0 }
        let firstCount = phases.first?.count ?? 0
        shared.lock.lock(); shared.next = 0; shared.gate = .closed; shared.lock.unlock()
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(1, paths.count))) { _ in
            // What the first phase taught, once this thread has asked.
            var later: FileIngester?
            while true {
                shared.lock.lock()
                let k = shared.next
                shared.next += 1
                let stop = shared.failure != nil || shouldStop()
                if k >= paths.count && !stop && !shared.pending.isEmpty && !shared.writing && shared.awaitStore() {
                    // No file left to start: this thread writes what is
                    // decoded while the others finish theirs, rather than
                    // leaving every file to one write after the last.
                    shared.writing = true
                    flushLocked(shared: shared)
                    return
                }
                let firstPhase = k < firstCount
                if firstPhase && !stop { shared.firstPhaseDecoding += 1 }
                shared.lock.unlock()
                guard k < paths.count, !stop else { return }
                var one = ingester
                if !firstPhase {
                    if later == nil { later = laterIngester(ingester, shared: shared) }
                    guard let later else { return }
                    one = later
                }
                // Blocks of one bzip2 file on several cores only when there
                // are fewer files left than threads (one large file, or the
                // last ones): otherwise the files keep every core busy.
                one.parallelBzip2 = jobs > 1 && paths.count - k < jobs
                process(path: paths[k], ingester: one, known: known, shared: shared, firstPhase: firstPhase)
                progress()
            }
        }
        // What is left waits for no one (but the store, while it is created).
        shared.lock.lock()
        if shared.pending.isEmpty || !shared.awaitStore() {
            shared.lock.unlock()
        } else {
            shared.writing = true
            flushLocked(shared: shared)
        }
    }

    /// The ingester for the files after the first phase. The first thread
    /// to ask waits until every file of the first phase is decoded (at most
    /// one file's time: the others are decoded or being decoded). When what
    /// the scope's origin ASNs announced in them holds no prefix out of the
    /// scope that is not recorded yet, they teach nothing and the later
    /// files are read as the first; otherwise it waits for their writes
    /// (writing them itself when no thread is), records what they taught
    /// (`learn`) and reads the later files with it. The other threads wait
    /// for its answer. Nil when the run failed.
    func laterIngester(_ first: FileIngester, shared: Shared) -> FileIngester? {
        shared.lock.lock()
        switch shared.gate {
        case .open(let answer):
            shared.lock.unlock()
            return answer
        case .deciding:
            while true {
                if case .open(let answer) = shared.gate { shared.lock.unlock(); return answer }
                shared.lock.wait()
            }
        case .closed:
            shared.gate = .deciding
        }
        while shared.firstPhaseDecoding > 0 { shared.lock.wait() }
        let inScope = scope.prefixSet
        let teaches = shared.firstPhaseOriginated.subtracting(shared.recorded).contains { !inScope.overlaps($0) }
        var answer: FileIngester? = first
        if shared.failure != nil {
            answer = nil
        } else if teaches {
            // Everything the first phase decoded is committed before `learn`
            // reads what it taught.
            while shared.failure == nil && (shared.writing || !shared.pending.isEmpty) {
                if !shared.writing && shared.awaitStore() {
                    shared.writing = true
                    flushLocked(shared: shared)
                    shared.lock.lock()
                } else if shared.writing {
                    shared.lock.wait()
                }
            }
            if shared.failure == nil, let store = shared.store {
                shared.lock.unlock()
                do {
                    answer = self.ingester(try learn(store: store, scanning: false, shared: shared))
                } catch {
                    answer = nil
                    shared.lock.lock()
                    if shared.failure == nil { shared.failure = error }
                    shared.lock.unlock()
                }
                shared.lock.lock()
            } else {
                answer = nil
            }
        }
        shared.gate = .open(answer)
        shared.lock.broadcast()
        shared.lock.unlock()
        return answer
    }

    /// Decodes one file and hands it to the writer. A file of the first
    /// phase is counted as decoded (`firstPhaseDecoded`) when it is handed
    /// over, before this thread may write, or when it is left out.
    func process(path: String, ingester: FileIngester, known: Known, shared: Shared, firstPhase: Bool) {
        var counted = !firstPhase
        defer {
            if !counted {
                shared.lock.lock()
                shared.firstPhaseDecoded()
                shared.lock.unlock()
            }
        }
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
        if let failure = ingest.events.failure {
            shared.lock.lock()
            if shared.failure == nil { shared.failure = EnvironmentError(description: "\(PathBytes.display(path)): \(failure)") }
            shared.lock.unlock()
            return
        }
        if let keys = known.hashes[ingest.file.sha256], StoredFile.isCopy(archiveKey: ingest.file.archiveKey, ofStored: keys) {
            shared.lock.lock()
            shared.copies[ingest.file.sha256] = path
            shared.lock.unlock()
            count(shared, size: report.rawBytes) { $0.skipped += 1 }
            return
        }
        if report.changedWhileRead {
            shared.lock.lock()
            shared.summary.notes.append("\(PathBytes.display(path)): changed while it was read; what was read is stored, and the next run reads it again")
            shared.lock.unlock()
        }
        shared.lock.lock()
        if firstPhase {
            shared.firstPhaseOriginated.formUnion(ingest.originated)
            shared.firstPhaseDecoded()
            counted = true
        }
        shared.pending.append(Decoded(ingest: ingest, report: report))
        shared.pendingBytes += report.rawBytes
        // Small files wait for company; a writer already at work takes them
        // too, a batch at a time. While the store is created, a batch waits for it, and this
        // decoder with it: no more than a batch is held. The wait lets go of
        // the lock, so what it found before is asked again after it (another
        // decoder may have started the writing meanwhile).
        guard !shared.writing, !shared.batchWaits, shared.awaitStore(), !shared.writing, !shared.batchWaits else {
            shared.lock.unlock()
            return
        }
        shared.writing = true
        flushLocked(shared: shared, draining: false)
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

    /// Writes what is pending, and what arrives meanwhile: everything when
    /// `draining` (no file is left to start), otherwise as long as a whole
    /// batch is pending, the rest going with a later batch. Called
    /// with `shared.lock` held and `shared.writing` set; returns with the lock released.
    func flushLocked(shared: Shared, draining: Bool = true) {
        let store = shared.store!
        while true {
            let batch = shared.pending
            shared.pending.removeAll()
            shared.pendingBytes = 0
            shared.lock.unlock()
            write(batch, store: store, shared: shared)
            shared.lock.lock()
            if shared.pending.isEmpty || shared.failure != nil || (!draining && shared.batchWaits) {
                shared.writing = false
                // A thread may wait for the writes to end (`laterIngester`).
                shared.lock.broadcast()
                shared.lock.unlock()
                return
            }
        }
    }

    /// Commits `batch` in one transaction and counts it; a store failure
    /// stops the run.
    func write(_ batch: [Decoded], store: Store, shared: Shared) {
        let outcomes: [InsertOutcome]
        do {
            outcomes = try store.insert(batch.map(\.ingest))
        } catch {
            shared.lock.lock()
            if shared.failure == nil { shared.failure = error }
            shared.lock.unlock()
            return
        }
        shared.lock.lock()
        defer { shared.lock.unlock() }
        for (d, outcome) in zip(batch, outcomes) {
            shared.filesDone += 1
            shared.bytesDone += d.report.rawBytes
            var path: String { PathBytes.display(d.ingest.file.path) }
            switch outcome {
            case .duplicate:
                shared.summary.skipped += 1
                continue
            case .superseded(let kept):
                shared.summary.superseded.append(d.ingest.file.path)
                shared.summary.notes.append("\(path): not kept: the stored version \(PathBytes.display(kept.path)) of the same archive file is more complete "
                    + "(\(kept.records) records, \(kept.status.rawValue); this one \(d.ingest.file.records), \(d.ingest.file.status.rawValue))")
                continue
            case .replaced(let old):
                shared.summary.replaced.append(d.ingest.file.path)
                shared.summary.notes.append("\(path): a new version (\(d.ingest.file.records) records, \(d.ingest.file.status.rawValue)) "
                    + "replaced \(PathBytes.display(old.path)) (\(old.records) records, \(old.status.rawValue))")
            case .inserted:
                break
            }
            shared.originated.formUnion(d.ingest.originated)
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

    /// Reads again, for the prefixes learned after them, the stored files
    /// whose events do not include them; lists those that are gone.
    func complete(store: Store, learned: [(seq: Int64, prefix: Prefix)], shared: Shared) throws {
        guard let last = learned.last?.seq else { return }
        let stale = try store.filesScanned(before: last)
        guard !stale.isEmpty else { return }
        shared.lock.lock(); shared.next = 0; shared.lock.unlock()
        DispatchQueue.concurrentPerform(iterations: min(jobs, stale.count)) { _ in
            while true {
                shared.lock.lock()
                let k = shared.next
                shared.next += 1
                let stop = shared.failure != nil
                shared.lock.unlock()
                guard k < stale.count, !stop else { return }
                let file = stale[k]
                let old = learned.filter { $0.seq <= file.scannedThrough }.map(\.prefix)
                let new = learned.filter { $0.seq > file.scannedThrough }.map(\.prefix)
                let reader = FileIngester(scope: scope, learned: old, scannedThrough: file.scannedThrough, collectorOverride: collectorOverride)
                // The stored path, or a copy of the same content given in this run.
                shared.lock.lock()
                let candidates = [file.path] + (shared.copies[file.sha256].map { [$0] } ?? [])
                shared.lock.unlock()
                guard let events = candidates.lazy.compactMap({ reader.missedEvents(path: $0, storedSHA256: file.sha256, newPrefixes: new) }).first else {
                    shared.lock.lock()
                    shared.summary.incomplete.append(file.path)
                    shared.lock.unlock()
                    continue
                }
                do {
                    try store.addMissedEvents(file: file, events: events, scannedThrough: last)
                    shared.lock.lock()
                    shared.summary.completed += 1
                    shared.summary.events += events.count
                    shared.lock.unlock()
                } catch {
                    shared.lock.lock()
                    if shared.failure == nil { shared.failure = error }
                    shared.lock.unlock()
                }
            }
        }
        if let failure = shared.failure { throw failure }
        if shared.summary.completed > 0 {
            shared.summary.notes.append("\(shared.summary.completed) stored file(s) read again for \(learned.count) prefix(es) the origin ASNs announced")
        }
        if !shared.summary.incomplete.isEmpty {
            shared.summary.problems.append("\(shared.summary.incomplete.count) stored file(s) were read before prefixes of the origin ASNs joined the scope "
                + "and cannot be read again (moved or changed), so their events of those prefixes are missing: give them to nkwatch ingest again: "
                + shared.summary.incomplete.prefix(5).map(PathBytes.display).joined(separator: ", ") + (shared.summary.incomplete.count > 5 ? ", …" : ""))
        }
    }
}

/// The environment failed (a temporary file could not be written).
public struct EnvironmentError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
