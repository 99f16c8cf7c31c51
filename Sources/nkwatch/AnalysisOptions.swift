import ArgumentParser
import Foundation
import MRT
import NKAnalysis
import NKArchive
import NKRender
import NKStore
import NKWatchCore

/// Options shared by timeline, classify and report: the data (a store, or
/// MRT paths ingested into a temporary store), the scope, the time range, the
/// bin and every threshold of the method.
struct AnalysisOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("MRT files or directories to analyse directly (ingested into a temporary store); without them, the store is read.", valueName: "path"))
    var paths: [String] = []

    @OptionGroup var store: StoreOptions
    @OptionGroup var scope: ScopeOptions

    @Option(help: ArgumentHelp("Start of the range, UTC (2014-12-21, 2014-12-22T16:15Z); default: the data's start.", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("End of the range (exclusive); default: the data's end.", valueName: "time"))
    var to: String?

    @Option(help: ArgumentHelp("Bin size: 90s, 5m, 15m, 1h.", valueName: "duration"))
    var bin: String = "5m"

    @Option(name: .customLong("visible-ratio"), help: ArgumentHelp("A block is up when at least this share of eligible peers reach it.", valueName: "ratio"))
    var visibleRatio: Double = 0.5

    @Option(name: .customLong("min-peers"), help: ArgumentHelp("Fewer eligible peers with a known state: unknown.", valueName: "n"))
    var minPeers: Int = 3

    @Option(name: .customLong("full-feed-ratio"), help: ArgumentHelp("Full feed: at least this share of the collector's largest table.", valueName: "ratio"))
    var fullFeedRatio: Double = 0.8

    @Option(name: .customLong("full-feed-min"), help: ArgumentHelp("Or at least this many IPv4 prefixes (IODA: 400000).", valueName: "n"))
    var fullFeedMin: Int?

    @Option(name: .customLong("full-feed-min-v6"), help: ArgumentHelp("Or at least this many IPv6 prefixes (IODA: 10000).", valueName: "n"))
    var fullFeedMinV6: Int?

    @Option(help: ArgumentHelp("After a session comes back, its peer is unknown this long.", valueName: "duration"))
    var settle: String = "15m"

    @Option(name: .customLong("hard-min"), help: ArgumentHelp("All blocks down at least this long: hard outage.", valueName: "duration"))
    var hardMin: String = "60m"

    @Option(help: ArgumentHelp("No other episode within this: isolated; shorter gaps cluster episodes.", valueName: "duration"))
    var isolation: String = "6h"

    func validate() throws {
        if let f = from, TimeParsing.parseTime(f) == nil { throw ValidationError("--from '\(f)' is not a time (use 2014-12-22T16:15Z or 2014-12-22)") }
        if let t = to, TimeParsing.parseTime(t) == nil { throw ValidationError("--to '\(t)' is not a time (use 2014-12-22T16:15Z or 2014-12-22)") }
        if let f = from.flatMap(TimeParsing.parseTime), let t = to.flatMap(TimeParsing.parseTime), t <= f { throw ValidationError("--to must be after --from") }
        for (name, v) in [("--bin", bin), ("--settle", settle), ("--hard-min", hardMin), ("--isolation", isolation)] {
            guard let d = TimeParsing.parseDuration(v) else { throw ValidationError("\(name) '\(v)' is not a duration (90s, 5m, 2h, 1d)") }
            if name == "--bin" && (d < 1 || d > 86400) { throw ValidationError("--bin must be between 1s and 1d") }
        }
        if !(visibleRatio > 0 && visibleRatio <= 1) { throw ValidationError("--visible-ratio must be in (0, 1]") }
        if !(fullFeedRatio >= 0 && fullFeedRatio <= 1) { throw ValidationError("--full-feed-ratio must be in [0, 1]") }
        if minPeers < 1 { throw ValidationError("--min-peers must be at least 1") }
    }

    var parameters: Parameters {
        var p = Parameters()
        p.binSeconds = TimeParsing.parseDuration(bin) ?? 300
        p.visibleRatio = visibleRatio
        p.minPeers = minPeers
        p.fullFeedRatio = fullFeedRatio
        p.fullFeedMinIPv4 = fullFeedMin
        p.fullFeedMinIPv6 = fullFeedMinV6
        p.settleSeconds = TimeParsing.parseDuration(settle) ?? 900
        p.hardMinSeconds = TimeParsing.parseDuration(hardMin) ?? 3600
        p.isolationSeconds = TimeParsing.parseDuration(isolation) ?? 21600
        return p
    }

    struct Loaded {
        var result: AnalysisResult
        var sources: DataSources
        var title: String
    }

    /// Reads the data and runs the analysis. Exits 2 for a missing store or a
    /// scope mismatch, 3 for unreadable input.
    func load(command: String) throws -> Loaded {
        var storePath = store.path
        var temporary: URL? = nil
        defer { if let t = temporary { try? FileManager.default.removeItem(at: t) } }
        let resolvedScope: Scope
        let db: Store
        if !paths.isEmpty {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nkwatch-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            temporary = dir
            storePath = dir.appendingPathComponent("store.sqlite").path
            resolvedScope = try scope.resolve()
            let inputs = try expandInputs(paths)
            db = try StoreOptions(storePath: storePath).open()
            let summary = try Ingestor(scope: resolvedScope).run(paths: inputs, store: db)
            for p in summary.problems { Stderr.line(p) }
            if summary.ingested == 0 {
                Stderr.line("none of the \(inputs.count) input file(s) could be read")
                throw ExitCode(NKWatch.Exit.badInput)
            }
            storePath = paths.count == 1 ? paths[0] : "\(inputs.count) MRT files"
        } else {
            guard FileManager.default.fileExists(atPath: storePath) else {
                Stderr.line("no store at \(storePath): run 'nkwatch ingest ARCHIVES' first, give --store, or give MRT paths to \(command)")
                throw ExitCode(NKWatch.Exit.usage)
            }
            db = try store.open()
            guard let stored = try db.scope() else {
                Stderr.line("\(storePath) holds no ingested data yet: run 'nkwatch ingest ARCHIVES --store \(storePath)'")
                throw ExitCode(NKWatch.Exit.usage)
            }
            if scope.isGiven {
                let wanted = try scope.resolve()
                guard wanted.stored == stored else {
                    Stderr.line("\(storePath) was ingested for another scope (\(stored)), not (\(wanted.stored)); ingest into another --store")
                    throw ExitCode(NKWatch.Exit.usage)
                }
                resolvedScope = wanted
            } else {
                resolvedScope = Scope(prefixes: stored.prefixes.compactMap { Prefix($0) }, originASNs: Set(stored.originASNs), country: stored.country)
            }
        }
        let p = parameters
        let input = try AnalysisLoader.input(store: db, scope: resolvedScope, from: from.flatMap(TimeParsing.parseTime),
                                             to: to.flatMap(TimeParsing.parseTime), binSeconds: p.binSeconds)
        let result = Analyzer.analyze(input, parameters: p)
        let files = try db.files()
        let sources = DataSources(store: storePath, files: files.count, damagedFiles: files.filter { $0.status == "damaged" }.count,
                                  collectors: result.collectors, peers: result.peers, scopePrefixes: resolvedScope.prefixes.map(\.description),
                                  originASNs: resolvedScope.originASNs.sorted(), country: resolvedScope.country)
        let title = "nkwatch \(command) — \(sources.scopeDescription) — \(UTCTime.prose(result.from / 1_000_000)) to \(UTCTime.prose(result.to / 1_000_000))"
        return Loaded(result: result, sources: sources, title: title)
    }
}

extension DataSources {
    var scopeDescription: String {
        (country.map { "\($0): " } ?? "") + scopePrefixes.prefix(4).joined(separator: ", ") + (scopePrefixes.count > 4 ? " and \(scopePrefixes.count - 4) more" : "")
            + (originASNs.isEmpty ? "" : ", " + originASNs.prefix(4).map { "AS\($0)" }.joined(separator: ", "))
    }
}

extension ScopeOptions {
    /// True when any scope flag was given.
    var isGiven: Bool { !prefixes.isEmpty || !originASNs.isEmpty || country != nil }
}

/// `--color auto|always|never`; auto is colour on a terminal unless NO_COLOR is set.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
    var enabled: Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto: return isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        }
    }
}

/// Files, directories and globs to the files to read; a path that cannot be
/// opened is one clear line and exit 3.
func expandInputs(_ paths: [String]) throws -> [String] {
    do {
        return try InputPaths.expand(paths)
    } catch let e as FileError {
        Stderr.line(e.description)
        throw ExitCode(NKWatch.Exit.badInput)
    }
}

/// Writes to --out or standard output.
func emit(_ text: String, to out: String?) throws {
    if let out {
        do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
            Stderr.line("\(out): cannot write: \(error.localizedDescription)")
            throw ExitCode(NKWatch.Exit.badInput)
        }
    } else {
        var w = StdoutWriter()
        w.write(text)
        w.flush()
    }
}

/// The terminal width: COLUMNS, else the tty's, else 100.
func terminalWidth() -> Int {
    if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
    var ws = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
    return 100
}
