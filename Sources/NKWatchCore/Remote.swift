import Foundation
import NKArchive
import NKFetch
import NKModel

/// Where downloads go: `--cache`, else `$NKWATCH_CACHE`, else `./archive`.
public enum ArchiveCache {
    public static func path(_ given: String?) -> String {
        if let given, !given.isEmpty { return given }
        if let env = ProcessInfo.processInfo.environment["NKWATCH_CACHE"], !env.isEmpty { return env }
        return "archive"
    }
}

/// http(s) URLs given where a path is accepted: each is fetched into the
/// cache (with the resuming, retrying, verifying downloader of `fetch`) and
/// the cache path stands for it.
public enum RemoteInputs {
    public static func isURL(_ s: String) -> Bool { s.hasPrefix("http://") || s.hasPrefix("https://") }

    /// The cache path of a URL: the archives' layout when the URL follows it
    /// (`/rrc00/2014.12/…`, `/bgpdata/2014.12/UPDATES/…` for route-views2,
    /// `/route-views.linx/bgpdata/…`), else `HOST/PATH`.
    public static func cachePath(for url: URL, cache: String) -> String {
        let parts = url.path.split(separator: "/").map(String.init)
        if let i = parts.firstIndex(where: { ArchiveLayout.isRISCollector($0) }) {
            return ([cache] + parts[i...]).joined(separator: "/")
        }
        if let i = parts.firstIndex(of: "bgpdata") {
            let collector = i > 0 && parts[i - 1].hasPrefix("route-views") ? [] : ["route-views2"]
            let from = i > 0 && parts[i - 1].hasPrefix("route-views") ? i - 1 : i
            return ([cache] + collector + parts[from...]).joined(separator: "/")
        }
        return ([cache, url.host ?? "host"] + parts).joined(separator: "/")
    }

    /// Replaces every URL among `args` by the cache path it was fetched to;
    /// returns the paths and, for URLs that could not be fetched, why.
    public static func resolve(_ args: [String], cache: String, retry: RetryPolicy = RetryPolicy(), idleTimeout: Double = 60)
        -> (paths: [String], problems: [String], environment: String?) {
        guard args.contains(where: isURL) else { return (args, [], nil) }
        let downloader = Downloader(http: HTTPClient(userAgent: BuildInfo.userAgent, idleTimeout: idleTimeout), retry: retry)
        var paths: [String] = [], problems: [String] = []
        var environment: String?
        for a in args {
            guard isURL(a) else { paths.append(a); continue }
            guard let url = URL(string: a), url.host != nil else { problems.append("\(a): not a URL"); continue }
            let path = cachePath(for: url, cache: cache)
            switch downloader.obtain(url, to: path) {
            case .downloaded, .cached: paths.append(path)
            case .missing(let why), .failed(let why): problems.append("\(a): \(why)")
            case .environment(let why):
                problems.append("\(a): \(why)")
                environment = environment ?? why
            }
        }
        return (paths, problems, environment)
    }
}

extension FetchSummary {
    /// `nkwatch.fetch/v1` (docs/fetch.md).
    public func json(request r: FetchRequest) -> JSON {
        .object([("schema", .string("nkwatch.fetch/v1"))] + BuildInfo.documentFields + [
            ("collectors", .strings(r.collectors.map(\.name))),
            ("range", .object([("from", .string(r.from.iso)), ("to", .string(r.to.iso))])),
            ("ribs", .string(r.ribs.rawValue)),
            ("cache", .string(r.cache)),
            ("planned", .int(planned)), ("downloaded", .int(downloaded)), ("cached", .int(cached)),
            ("not_obtained", .array(notObtained.map { n in
                .object([("url", .string(n.url)), ("path", .string(n.path)), ("reason", .string(n.reason)), ("in_archive", .bool(!n.missing))])
            })),
            ("listing_gaps", .array(listingGaps.map { g in
                .object([("collector", .string(g.collector)), ("start", .string(g.start.iso)), ("end", .string(g.end.iso)), ("files", .int(g.files))])
            })),
            ("listing_problems", .strings(listingProblems)),
            ("bytes", .int(bytes)), ("seconds", .number(seconds, decimals: 3)),
            ("complete", .bool(!isIncomplete)),
        ])
    }

    /// The lines a person reads on standard error.
    public func text(request r: FetchRequest) -> [String] {
        var lines: [String] = []
        for n in notObtained {
            lines.append("not obtained: \(n.url): \(n.reason)\(n.missing ? " (the archive does not have it: a data gap)" : " (run the same command again to resume)")")
        }
        for g in listingGaps {
            lines.append("not in the archive: \(g.collector) has no update file\(g.files == 1 ? "" : "s") from \(g.start.prose) to \(g.end.prose) "
                + "(\(g.files) missing by its cadence: a data gap)")
        }
        for p in listingProblems { lines.append("listing not read: \(p)") }
        let mb = Double(bytes) / 1e6
        lines.append("fetched \(downloaded + cached) of \(planned) file\(planned == 1 ? "" : "s") for \(r.collectors.map(\.name).joined(separator: ", ")) "
            + "from \(r.from.prose) to \(r.to.prose) into \(r.cache): \(downloaded) downloaded (\(String(format: "%.1f", mb)) MB), \(cached) already there"
            + (notObtained.isEmpty ? "" : ", \(notObtained.count) not obtained") + "; \(String(format: "%.1f", seconds)) s")
        return lines
    }
}
