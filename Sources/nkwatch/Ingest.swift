import ArgumentParser
import Foundation
import MRT
import NKArchive
import NKFetch
import NKModel
import NKStore
import NKWatchCore

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read MRT archives into the SQLite store, keeping what the scope needs.",
        discussion: """
        Reads RIB and update dumps of any number of collectors — files, directories \
        (recursive) and globs, in any order — and keeps, for the scope: every route \
        event (announcement, withdrawal, RIB entry) of its prefixes, their \
        more-specifics and the less-specifics covering them, and announcements by its \
        origin ASNs; for every peer: session state changes and RIB table sizes; per \
        collector: element counts per 5 minutes and the time its files cover, so that \
        a missing or damaged file is a known gap.

        The collector and dump kind come from the RouteViews and RIS archive layouts \
        (route-views2/bgpdata/2014.12/UPDATES/updates.20141222.1615.bz2, \
        rrc00/2014.12/updates.20141222.1615.gz, bview.*, rib.*) or --collector.

        The store ends the same whatever the order and the number of runs: a file \
        already stored (same path and identity, or same SHA-256) is skipped; a new \
        version of a stored file (a download completed, a file rewritten) replaces \
        it when it is more complete; prefixes the origin ASNs announce join the \
        scope, and files read before are read again for them. So re-running and \
        adding files later (a cron job every 5 minutes, over a folder a mirror is \
        still writing) are safe; a killed ingest leaves no half file. Files are \
        decoded in parallel. Tables, columns and guarantees: docs/store.md.

        Several scopes in one pass: --country repeated (one scope per country, \
        their resources from every --delegations file given: all five RIRs' \
        delegated-extended files), or --scopes FILE naming countries, prefixes and \
        origin ASNs (docs/scopes.md). The archives are read once for all of them; \
        timeline, classify and report take --scope NAME, and 'report --all-scopes' \
        writes one report per scope.

        With --fetch COLLECTOR (repeatable) and --from/--to, the archives are \
        downloaded into the cache first, as 'nkwatch fetch' does, and ingested as \
        they arrive. http(s) URLs are accepted as paths (fetched into the cache).

        Exit status: 0 ok; 3 a file damaged or unreadable, a folder that cannot be \
        read, nothing to read, or a file that could not be fetched (everything \
        readable is stored); 4 the store or the environment failed (damaged, \
        locked or read-only store, disk full).

        Examples:
          nkwatch ingest archive/route-views2/bgpdata/2014.12/ archive/rrc00/2014.12/
          nkwatch ingest --country KP --delegations delegated-apnic-extended-latest dumps/*.bz2
          nkwatch ingest --prefix 41.0.0.0/8 --origin-asn 8452 --store egypt.sqlite dumps/
          nkwatch ingest --country SY --country IR --country KP --delegations delegated-*-extended-latest dumps/
          nkwatch ingest --scopes watchlist.json --store week.sqlite dumps/
          nkwatch ingest --fetch route-views2 --fetch rrc00 --from 2014-12-19 --to 2014-12-24
          sqlite3 nkwatch.sqlite 'select * from files'
        """,
        version: nkwatchVersion
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: ArgumentHelp("MRT files, directories or globs.", valueName: "path"))
    var paths: [String] = []

    @OptionGroup var store: StoreOptions
    @OptionGroup var scope: ScopeOptions

    @Option(help: ArgumentHelp("Collector name for every file (instead of the archive layout).", valueName: "name"))
    var collector: String?

    @Option(help: ArgumentHelp("Files decoded at once (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Option(help: "Summary format: text on standard error, or json on standard output.")
    var format: Format = .text

    @Option(name: .customLong("fetch"), help: ArgumentHelp("Download this collector's archives over --from/--to first, and ingest them as they arrive (repeatable).", valueName: "collector"))
    var fetchCollectors: [String] = []

    @OptionGroup(title: "Fetching (with --fetch)") var range: TimeRangeOptions

    @Option(help: "With --fetch, RIB dumps: all (the starting one and those inside the range), first, none.")
    var ribs: FetchSelection.RIBs = .all

    @Option(name: .customLong("download-jobs"), help: ArgumentHelp("With --fetch, downloads at once per host.", valueName: "n"))
    var downloadJobs = 4

    @OptionGroup(title: "Downloads (with --fetch, or http(s) URLs as paths)") var download: DownloadOptions

    @Flag(help: "No progress bar and no summary line.")
    var quiet = false

    func validate() throws {
        if paths.isEmpty && fetchCollectors.isEmpty { throw ValidationError("give at least one MRT file, directory or glob, or --fetch COLLECTOR") }
        if !fetchCollectors.isEmpty && (range.from == nil || range.to == nil) { throw ValidationError("--fetch needs the range: --from TIME --to TIME") }
        if downloadJobs < 1 { throw ValidationError("--download-jobs must be at least 1") }
        if let j = jobs, j < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let scopes = try self.scope.resolveAll()
        let scope = NamedScope.union(scopes)
        let local = try download.resolve(paths)
        var fetchFailed = local.count < paths.count
        // The store opens on a thread of its own (8-13 ms for a new store:
        // the schema) while this one lists and sorts out the files and the
        // first file starts decompressing; an existing store's integrity
        // check (it reads every page) starts before the listing. Nothing is
        // written to the store, nor a new one created, before there is
        // something to read.
        let opening = StoreOpening(path: self.store.path)
        let listing = InputPaths.list(local)
        for p in listing.problems { Stderr.line(p.description) }
        if listing.files.isEmpty && fetchCollectors.isEmpty {
            if listing.problems.isEmpty && !fetchFailed { Stderr.line("nothing to read: \(paths.map(PathBytes.display).joined(separator: ", ")) hold(s) no MRT file") }
            throw ExitStatus.badInput.code
        }
        let ingestor = Ingestor(scope: scope, collectorOverride: collector, jobs: jobs ?? Cores.available)
        opening.proceed()
        // The store, opened (or created) once, with the scopes recorded.
        var opened: Store?
        func openedStore() throws -> Store {
            if let opened { return opened }
            let made: Store
            do { made = try opening.wait() } catch {
                EarlyRead.discardAll()
                throw error
            }
            do { try made.useScopes(scopes) } catch {
                try? made.close()
                EarlyRead.discardAll()
                throw error
            }
            opened = made
            return made
        }
        // A store that is not there yet is created while the first files
        // are decoded (Ingestor.run(paths:creating:)); an existing one is
        // checked and opened while the first file decompresses.
        let creating = !listing.files.isEmpty && Store.isAbsent(path: self.store.path)
        if !creating {
            ingestor.startFirstRead(paths: listing.files)
            _ = try openedStore()
        }
        Interrupt.install()
        let bar = !quiet && isatty(2) == 1 ? ProgressBar() : nil
        var summary = IngestSummary()
        var fetched: (FetchSummary, FetchRequest)?
        do {
            var progress: (@Sendable (IngestProgress) -> Void)? = nil
            if let bar { progress = { p in bar.update(p) } }
            if !listing.files.isEmpty {
                let shown = fetchCollectors.isEmpty ? progress : nil
                summary = creating
                    ? try ingestor.run(paths: listing.files, creating: openedStore, progress: shown, shouldStop: { Interrupt.isRequested })
                    : try ingestor.run(paths: listing.files, store: try openedStore(), progress: shown, shouldStop: { Interrupt.isRequested })
            }
            if !fetchCollectors.isEmpty && !summary.interrupted {
                let request = try fetchRequest(collectors: fetchCollectors, range: range, ribs: ribs, jobs: downloadJobs, options: download)
                let (f, s) = try PipelinedFetch.run(request: request, ingestor: ingestor, store: try openedStore(), quiet: quiet)
                summary.add(s)
                fetched = (f, request)
                if f.isIncomplete { fetchFailed = true }
            }
        } catch {
            bar?.finish()
            try? opened?.close()
            throw error
        }
        bar?.finish()
        try openedStore().close()
        if summary.interrupted {
            Stderr.write("interrupted: \(summary.ingested) file\(summary.ingested == 1 ? "" : "s") committed to \(PathBytes.display(self.store.path)); "
                + "run the same command again to finish\n")
            throw ExitCode(130)
        }
        if let (f, request) = fetched {
            let lines = f.text(request: request)
            for l in lines.dropLast() { Stderr.line(l) }
            if !quiet, let last = lines.last { Stderr.write(last + "\n") }
            if let e = f.environmentFailure { throw EnvironmentFailure(description: e) }
        }
        for p in summary.problems { Stderr.line(p) }
        if !quiet { for n in summary.notes { Stderr.line(n) } }
        switch format {
        case .json:
            var w = StdoutWriter()
            w.write(summary.json(store: self.store.path, scope: scope).compact() + "\n")
            w.flush()
        case .text:
            if !quiet {
                var parts = ["\(summary.ingested) new (\(summary.damaged) damaged)", "\(summary.skipped) already there"]
                if !summary.replaced.isEmpty { parts.append("\(summary.replaced.count) replacing an older version") }
                if !summary.superseded.isEmpty { parts.append("\(summary.superseded.count) older than the stored version") }
                parts.append("\(summary.unreadable) unreadable")
                Stderr.write("ingested \(summary.files) file\(summary.files == 1 ? "" : "s") into \(PathBytes.display(self.store.path)): \(parts.joined(separator: ", ")); "
                    + "\(summary.elements) elements, \(summary.events) in-scope events; \(summary.gaps) gap\(summary.gaps == 1 ? "" : "s") in the store; "
                    + "\(String(format: "%.1f", summary.seconds)) s\n")
            }
        }
        if summary.damaged > 0 || summary.unreadable > 0 || !listing.problems.isEmpty || !summary.incomplete.isEmpty || fetchFailed {
            throw ExitStatus.badInput.code
        }
    }
}

/// `ingest --fetch`: downloads and ingests at once. Files are ingested in
/// batches as they arrive (every batch is an ingest run; the store ends the
/// same whatever the order and grouping of runs), so that decoding overlaps
/// the network.
enum PipelinedFetch {
    /// Files per ingest batch (a batch also goes when the downloads pause).
    static let batch = 64

    static func run(request: FetchRequest, ingestor: Ingestor, store: Store, quiet: Bool) throws -> (FetchSummary, IngestSummary) {
        let arrived = Arrivals()
        let bar = !quiet && isatty(2) == 1 ? FetchBar() : nil
        let fetcher = Fetcher(request: request, userAgent: BuildInfo.userAgent)
        let result = Box<FetchSummary>()
        let thread = JoinableThread {
            var progress: (@Sendable (FetchProgress) -> Void)? = nil
            if let bar { progress = { p in bar.update(p) } }
            result.value = fetcher.run(progress: progress, onFile: { arrived.add($0) })
            arrived.finish()
        }
        var summary = IngestSummary()
        while let paths = arrived.take(atLeast: batch) {
            summary.add(try ingestor.run(paths: paths, store: store, shouldStop: { Interrupt.isRequested }))
            // Downloads in flight are left as NAME.partial: the next run resumes them.
            if summary.interrupted || Interrupt.isRequested {
                summary.interrupted = true
                bar?.finish()
                return (FetchSummary(), summary)
            }
        }
        thread.join()
        bar?.finish()
        return (result.value ?? FetchSummary(), summary)
    }
}

/// A value handed from one thread to another (after a join or a semaphore).
final class Box<T>: @unchecked Sendable {
    var value: T?
}

/// Files that arrived and wait for ingest.
final class Arrivals: @unchecked Sendable {
    private let condition = NSCondition()
    private var paths: [String] = []
    private var finished = false

    func add(_ path: String) {
        condition.lock()
        paths.append(path)
        condition.signal()
        condition.unlock()
    }

    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// At least `n` paths, or what there is when nothing arrives for a
    /// second or the fetch is over; nil when everything was taken.
    func take(atLeast n: Int) -> [String]? {
        condition.lock()
        defer { condition.unlock() }
        while paths.count < n && !finished {
            if !condition.wait(until: Date().addingTimeInterval(1)) && !paths.isEmpty { break }
        }
        if paths.isEmpty && finished { return nil }
        defer { paths.removeAll() }
        return paths
    }
}

/// A one-line progress bar on standard error (only on a terminal).
final class ProgressBar: @unchecked Sendable {
    let lock = NSLock()
    var last = 0.0

    func update(_ p: IngestProgress) {
        lock.lock()
        defer { lock.unlock() }
        guard p.seconds - last >= 0.1 || p.filesDone == p.filesTotal else { return }
        last = p.seconds
        let width = 24
        let frac = p.bytesTotal > 0 ? Double(p.bytesDone) / Double(p.bytesTotal) : Double(p.filesDone) / Double(max(1, p.filesTotal))
        let filled = Int(frac * Double(width))
        let rate = p.seconds > 0 ? Double(p.elements) / p.seconds : 0
        let eta = frac > 0 ? p.seconds * (1 - frac) / frac : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        Stderr.write(String(format: "\r%@ %d/%d files  %.1f MB  %.2f M elements/s  ETA %d:%02d ",
                            bar, p.filesDone, p.filesTotal, Double(p.bytesDone) / 1e6, rate / 1e6, Int(eta) / 60, Int(eta) % 60))
    }

    func finish() { Stderr.write("\r\u{1B}[K") }
}

/// `Store.open` on a thread of its own; `wait` gives the store or its error.
final class StoreOpening: @unchecked Sendable {
    private let go = DispatchSemaphore(value: 0)
    private let result = Box<Result<Store, StoreError>>()
    private let thread: JoinableThread

    /// Starts checking the store at `path` if there is one (`Store.verify`,
    /// which writes nothing); it is opened for writing after `proceed()`.
    init(path: String) {
        let (go, result) = (self.go, self.result)
        thread = JoinableThread {
            do throws(StoreError) {
                let verified = try Store.verify(path: path)
                go.wait()
                result.value = .success(try Store.open(path: path, verified: verified))
            } catch {
                result.value = .failure(error)
            }
        }
    }

    /// There is something to read: open (or create) the store.
    func proceed() { go.signal() }

    /// The store, once `proceed()` was called; the check's failure (a
    /// damaged store, not a store) if it failed. Called from one thread.
    func wait() throws(StoreError) -> Store {
        thread.join()
        return try result.value!.get()
    }
}
