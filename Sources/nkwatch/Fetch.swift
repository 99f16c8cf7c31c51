import ArgumentParser
import Foundation
import NKArchive
import NKFetch
import NKModel
import NKWatchCore
#if canImport(Glibc)
import Glibc
#endif

/// A duration that may be a fraction of a second: `50ms`, `0.5s`, `2s`, `1m`.
struct Wait: ExpressibleByArgument, Sendable {
    var seconds: Double
    init(_ seconds: Double) { self.seconds = seconds }
    init?(argument: String) {
        if argument.hasSuffix("ms"), let v = Double(argument.dropLast(2)), v >= 0 { seconds = v / 1000; return }
        if argument.hasSuffix("s"), let v = Double(argument.dropLast()), v >= 0 { seconds = v; return }
        guard let v = DurationText.parse(argument) else { return nil }
        seconds = Double(v)
    }
    var defaultValueDescription: String { seconds < 1 ? "\(Int(seconds * 1000))ms" : DurationText.compact(Int64(seconds)) }
}

extension FetchSelection.RIBs: ExpressibleByArgument {}

/// Where and how to download: shared by `fetch`, `ingest --fetch` and URL inputs.
struct DownloadOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Cache folder, laid out like the archives (default: $NKWATCH_CACHE or ./archive).", valueName: "dir"))
    var cache: String?

    @Option(name: .customLong("routeviews-url"), help: ArgumentHelp("RouteViews archive or mirror (default: $NKWATCH_ROUTEVIEWS_URL or https://archive.routeviews.org).", valueName: "url"))
    var routeViewsURL: String?

    @Option(name: .customLong("ris-url"), help: ArgumentHelp("RIPE RIS archive or mirror (default: $NKWATCH_RIS_URL or https://data.ris.ripe.net).", valueName: "url"))
    var risURL: String?

    @Option(help: ArgumentHelp("Tries without progress before a file is given up (server errors, timeouts, dropped connections).", valueName: "n"))
    var retries = 6

    @Option(name: .customLong("retry-wait"), help: ArgumentHelp("First wait before trying again; it doubles each time, with jitter, up to 60 s.", valueName: "duration"))
    var retryWait = Wait(1)

    @Option(help: ArgumentHelp("A transfer that receives nothing this long is stalled and tried again.", valueName: "duration"))
    var timeout = Wait(60)

    func validate() throws {
        if retries < 1 { throw ValidationError("--retries must be at least 1") }
        if timeout.seconds <= 0 { throw ValidationError("--timeout must be more than 0") }
        for (flag, value) in [("--routeviews-url", routeViewsURL), ("--ris-url", risURL)] {
            if let value, URL(string: value)?.host == nil { throw ValidationError("\(flag) '\(value)' is not an http(s) URL") }
        }
    }

    var retry: RetryPolicy { RetryPolicy(attempts: retries, baseDelay: retryWait.seconds, maxDelay: max(60, retryWait.seconds)) }
    var cachePath: String { ArchiveCache.path(cache) }

    var sites: ArchiveSites {
        let env = ProcessInfo.processInfo.environment
        var s = ArchiveSites.publicArchives
        if let u = (routeViewsURL ?? env["NKWATCH_ROUTEVIEWS_URL"]).flatMap(URL.init(string:)), u.host != nil { s.routeViews = u }
        if let u = (risURL ?? env["NKWATCH_RIS_URL"]).flatMap(URL.init(string:)), u.host != nil { s.ris = u }
        return s
    }

    /// Replaces URL arguments by the cache files they were fetched to.
    func resolve(_ args: [String]) throws -> [String] {
        let r = RemoteInputs.resolve(args, cache: cachePath, retry: retry, idleTimeout: timeout.seconds)
        for p in r.problems { Stderr.line(p) }
        if let e = r.environment { throw EnvironmentFailure(description: e) }
        if !r.problems.isEmpty && r.paths.isEmpty { throw ExitStatus.badInput.code }
        return r.paths
    }
}

struct EnvironmentFailure: Error, CustomStringConvertible { var description: String }

/// Collectors and a range to fetch, checked the same way for `fetch` and `ingest --fetch`.
func fetchRequest(collectors names: [String], range: TimeRangeOptions, ribs: FetchSelection.RIBs, jobs: Int, options: DownloadOptions) throws -> FetchRequest {
    var collectors: [ArchiveCollector] = []
    for n in names {
        guard let c = ArchiveCollector.named(n) else {
            throw ValidationError("unknown collector '\(n)': RIS collectors are rrc00, rrc01, …; RouteViews ones route-views2, route-views3, route-views.linx, …")
        }
        if !collectors.contains(c) { collectors.append(c) }
    }
    guard let from = range.from?.value, let to = range.to?.value else { throw ValidationError("give the range to fetch: --from TIME --to TIME") }
    return FetchRequest(collectors: collectors, from: from, to: to, ribs: ribs, cache: options.cachePath, sites: options.sites, jobs: jobs,
                        retry: options.retry, idleTimeout: options.timeout.seconds)
}

/// The fetch progress line on a terminal.
final class FetchBar: @unchecked Sendable {
    let lock = NSLock()
    var last = 0.0

    func update(_ p: FetchProgress) {
        lock.lock()
        defer { lock.unlock() }
        guard p.seconds - last >= 0.1 || p.filesDone == p.filesTotal else { return }
        last = p.seconds
        let width = 24
        let frac = Double(p.filesDone) / Double(max(1, p.filesTotal))
        let filled = Int(frac * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let eta = p.eta.map { String(format: "ETA %d:%02d", Int($0) / 60, Int($0) % 60) } ?? ""
        Stderr.write(String(format: "\r%@ %d/%d files  %.1f MB  %.2f MB/s  %@ ", bar, p.filesDone, p.filesTotal, Double(p.bytes) / 1e6, p.rate / 1e6, eta))
    }

    func finish() { Stderr.write("\r\u{1B}[K") }
}

struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download RouteViews and RIS archives by collector and time range into the cache.",
        discussion: """
        Finds the files from the archives' directory listings — RouteViews: \
        route-views2 at the root (/bgpdata/YYYY.MM/UPDATES/updates.*.bz2, RIBS/rib.*.bz2), \
        the others under /route-views.X/bgpdata/…; RIS: /rrcNN/YYYY.MM/updates.*.gz \
        and bview.*.gz — and downloads every update file whose time is in [--from, \
        --to) and the RIB dumps --ribs asks for (default all: the last at or before \
        --from, the starting state, and those inside the range).

        The cache mirrors the archives' layout, so 'nkwatch ingest CACHE' reads it and a \
        second fetch downloads nothing it already has. A download goes to NAME.partial \
        and is renamed only when its length is the announced one and its whole gzip \
        or bzip2 stream decodes with good checksums. A dropped connection resumes \
        with a Range request; server errors, timeouts and stalls are retried with \
        backoff; a file the archive does not have (404) or its listing lacks is a \
        data gap, named in the summary. At most --jobs downloads at once per host.

        Downloads go through libcurl, loaded by the first one (libcurl.so.4, or the \
        library $NKWATCH_LIBCURL names); proxies come from https_proxy and no_proxy.

        Exit status: 0 everything obtained; 3 a file was not obtained or is not in \
        the archive (all the others are in the cache: run again to resume); 4 the \
        local disk failed or libcurl could not be loaded. docs/fetch.md.

        Examples:
          nkwatch fetch route-views2 rrc00 rrc01 --from 2014-12-19 --to 2014-12-24
          nkwatch fetch rrc00 --from 2014-12-22T12:00Z --to 2014-12-22T18:00Z --ribs first --cache /data/archive
          nkwatch fetch route-views.linx --from 2015-03-01 --to 2015-03-02 --format json > fetch.json
          nkwatch ingest archive/ && nkwatch classify
        """,
        version: nkwatchVersion
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: ArgumentHelp("Collectors: rrc00, rrc01, …, route-views2, route-views.linx, …", valueName: "collector"))
    var collectors: [String] = []

    @OptionGroup var range: TimeRangeOptions
    @OptionGroup var download: DownloadOptions

    @Option(help: "RIB dumps: all (the starting one and those inside the range), first (the starting one), none.")
    var ribs: FetchSelection.RIBs = .all

    @Option(help: ArgumentHelp("Downloads at once per host.", valueName: "n"))
    var jobs = 4

    @Option(help: "Summary format: text on standard error, or json on standard output.")
    var format: Format = .text

    @Flag(help: "No progress bar and no summary line (problems are still printed).")
    var quiet = false

    func validate() throws {
        if collectors.isEmpty { throw ValidationError("name at least one collector, e.g. rrc00 or route-views2") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let request = try fetchRequest(collectors: collectors, range: range, ribs: ribs, jobs: jobs, options: download)
        let bar = !quiet && isatty(2) == 1 ? FetchBar() : nil
        let fetcher = Fetcher(request: request, userAgent: BuildInfo.userAgent)
        var progress: (@Sendable (FetchProgress) -> Void)? = nil
        if let bar { progress = { p in bar.update(p) } }
        let summary = fetcher.run(progress: progress)
        bar?.finish()
        let lines = summary.text(request: request)
        for l in lines.dropLast() { Stderr.line(l) }
        if !quiet, let last = lines.last { Stderr.write(last + "\n") }
        if format == .json {
            var w = StdoutWriter()
            w.write(summary.json(request: request).text())
            w.flush()
        }
        if let e = summary.environmentFailure { throw EnvironmentFailure(description: e) }
        if summary.isIncomplete { throw ExitStatus.badInput.code }
    }
}
