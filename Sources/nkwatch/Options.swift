import ArgumentParser
import Foundation
import MRT
import NKAnalysis
import NKArchive
import NKModel
import NKStore
import NKWatchCore

/// A UTC time on the command line: `2014-12-22T16:15Z`, `2014-12-22`, or epoch seconds.
struct TimeArgument: ExpressibleByArgument, Sendable {
    var value: Timestamp
    init?(argument: String) {
        guard let t = Timestamp(parsing: argument) else { return nil }
        value = t
    }
    static var defaultCompletionKind: CompletionKind { .default }
}

/// A duration on the command line: `90s`, `5m`, `2h`, `1d`.
struct Seconds: ExpressibleByArgument, Sendable {
    var value: Int64
    init(_ value: Int64) { self.value = value }
    init?(argument: String) {
        guard let v = DurationText.parse(argument) else { return nil }
        value = v
    }
    var defaultValueDescription: String { DurationText.compact(value) }
}

extension Label: ExpressibleByArgument {}

/// `--from` and `--to`, checked the same way for every command.
struct TimeRangeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start of the range, UTC (2014-12-21, 2014-12-22T16:15Z, or epoch seconds).", valueName: "time"))
    var from: TimeArgument?

    @Option(help: ArgumentHelp("End of the range, exclusive.", valueName: "time"))
    var to: TimeArgument?

    func validate() throws {
        if let f = from?.value, let t = to?.value, t <= f {
            throw ValidationError("--to (\(t.iso)) must be after --from (\(f.iso))")
        }
    }
}

/// Where the store is: --store, else NKWATCH_STORE, else ./nkwatch.sqlite.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("store"), help: ArgumentHelp("The SQLite store (default: $NKWATCH_STORE or ./nkwatch.sqlite).", valueName: "path"))
    var storePath: String?

    var path: String { storePath ?? ProcessInfo.processInfo.environment["NKWATCH_STORE"] ?? "nkwatch.sqlite" }
}

/// What to watch. With none of these flags: North Korea (175.45.176.0/22, AS131279).
struct ScopeOptions: ParsableArguments {
    @Option(name: .customLong("prefix"), help: ArgumentHelp("A target prefix; its more-specifics and covering less-specifics are in scope (repeatable).", valueName: "prefix"))
    var prefixes: [String] = []

    @Option(name: .customLong("origin-asn"), help: ArgumentHelp("A target origin AS (repeatable).", valueName: "asn"))
    var originASNs: [UInt32] = []

    @Option(name: .customLong("country"), help: ArgumentHelp("A country: its address blocks and AS numbers from --delegations. Repeatable for ingest: one scope per country, all read in one pass.", valueName: "cc"))
    var countries: [String] = []

    @Option(name: .customLong("delegations"), help: ArgumentHelp("An RIR delegated-extended statistics file (repeatable: a country's resources are gathered from every file given; any of the five RIRs' formats).", valueName: "file"))
    var delegations: [String] = []

    @Option(name: .customLong("scopes"), help: ArgumentHelp("A JSON file naming scopes (countries, prefixes, origin ASNs), all read in one pass (docs/scopes.md).", valueName: "file"))
    var scopesFile: String?

    func validate() throws {
        for p in prefixes where Prefix(p) == nil { throw ValidationError("'\(p)' is not a prefix (expected a.b.c.d/n or x:y::/n)") }
        if !countries.isEmpty && delegations.isEmpty && scopesFile == nil { throw ValidationError("--country needs --delegations FILE (an RIR delegated-extended file)") }
        if !delegations.isEmpty && countries.isEmpty && scopesFile == nil { throw ValidationError("--delegations is used with --country CC or --scopes FILE") }
        for c in countries where c.count != 2 || !c.allSatisfy(\.isLetter) { throw ValidationError("--country '\(c)' is not a two-letter country code") }
        if Set(countries.map { $0.uppercased() }).count < countries.count { throw ValidationError("a country is given twice with --country") }
        if (countries.count > 1 || scopesFile != nil) && (!prefixes.isEmpty || !originASNs.isEmpty) {
            throw ValidationError("--prefix and --origin-asn make one scope: with several countries or --scopes, name such a scope in the --scopes file")
        }
    }

    /// True when any scope flag was given.
    var isGiven: Bool { !prefixes.isEmpty || !originASNs.isEmpty || !countries.isEmpty || scopesFile != nil }

    /// The one scope the flags name; North Korea without any.
    func resolve() throws -> Scope {
        let all = try resolveAll()
        guard all.count == 1 else {
            throw UsageError(description: "the flags name \(all.count) scopes (\(all.map(\.name).joined(separator: ", "))): this command analyses one; give --scope NAME")
        }
        return all[0].scope
    }

    /// Every scope the flags name, with its name: one per --country, those
    /// of --scopes, or one of --prefix, --origin-asn and a single --country;
    /// North Korea without any.
    func resolveAll() throws -> [NamedScope] {
        var cache = DelegationFiles(paths: delegations)
        if let file = scopesFile {
            var scopes = try ScopesFile.read(file, delegations: &cache)
            for cc in countries {
                let s = try cache.scope(country: cc)
                guard !scopes.contains(where: { $0.name.uppercased() == s.country }) else {
                    throw UsageError(description: "--country \(cc.uppercased()) names a scope \(file) names too")
                }
                scopes.append(NamedScope(name: s.country ?? cc.uppercased(), scope: s))
            }
            return scopes
        }
        if countries.count > 1 {
            return try countries.map { cc in
                let s = try cache.scope(country: cc)
                return NamedScope(name: s.country ?? cc.uppercased(), scope: s)
            }
        }
        var prefixes = self.prefixes.compactMap { Prefix($0) }
        var asns = Set(originASNs)
        var cc: String? = nil
        if let country = countries.first {
            let s = try cache.scope(country: country)
            prefixes += s.prefixes
            asns.formUnion(s.originASNs)
            cc = s.country
        }
        let scope = prefixes.isEmpty && asns.isEmpty ? Scope.northKorea : Scope(prefixes: prefixes, originASNs: asns, country: cc)
        return [NamedScope(name: NamedScope.defaultName(for: scope), scope: scope)]
    }
}

/// RIR delegation files, read once each; a country's scope gathers its
/// resources from all of them (legacy space of one country can be listed by
/// another RIR than its own).
struct DelegationFiles {
    var paths: [String]
    var texts: [String: String] = [:]

    init(paths: [String]) { self.paths = paths }

    mutating func text(_ path: String) throws -> String {
        if let t = texts[path] { return t }
        let t: String
        do { t = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw InputError(description: "\(path): cannot read: \(error.localizedDescription)")
        }
        texts[path] = t
        return t
    }

    mutating func scope(country: String) throws -> Scope {
        guard !paths.isEmpty else {
            throw UsageError(description: "country \(country.uppercased()) needs an RIR delegation file: --delegations FILE, or \"delegations\" in the --scopes file")
        }
        var prefixes: [Prefix] = []
        var asns = Set<UInt32>()
        for path in paths {
            let s: Scope
            do { s = try Delegations.scope(country: country, text: try text(path)) } catch let e as InputError { throw e } catch {
                throw InputError(description: "\(path): \(error)")
            }
            prefixes += s.prefixes
            asns.formUnion(s.originASNs)
        }
        if prefixes.isEmpty && asns.isEmpty {
            throw InputError(description: "\(paths.joined(separator: ", ")): no allocated or assigned resources for country \(country.uppercased())")
        }
        return Scope(prefixes: prefixes, originASNs: asns, country: country.uppercased())
    }
}

/// `--scopes FILE` (docs/scopes.md):
/// `{"delegations": [FILE…], "scopes": [{"name": N, "country": CC, "prefixes": […], "origin_asns": […]}, …]}`.
enum ScopesFile {
    static func read(_ path: String, delegations: inout DelegationFiles) throws -> [NamedScope] {
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError(description: "\(path): cannot read") }
        guard let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw InputError(description: "\(path): not a JSON object (docs/scopes.md gives the form)")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        for d in obj["delegations"] as? [String] ?? [] {
            let full = d.hasPrefix("/") ? d : base.appendingPathComponent(d).path
            if !delegations.paths.contains(full) { delegations.paths.append(full) }
        }
        guard let list = obj["scopes"] as? [[String: Any]], !list.isEmpty else {
            throw InputError(description: "\(path): \"scopes\" must be a non-empty array of objects")
        }
        var out: [NamedScope] = []
        for (i, s) in list.enumerated() {
            let at = "\(path): scope \(i + 1)"
            guard let name = s["name"] as? String, !name.isEmpty,
                  name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }), !name.hasPrefix(".") else {
                throw InputError(description: "\(at): \"name\" must be letters, digits, '-', '_' or '.' (it names the scope's report file)")
            }
            guard !out.contains(where: { $0.name.lowercased() == name.lowercased() }) else { throw InputError(description: "\(at): the name '\(name)' is used twice") }
            var prefixes: [Prefix] = []
            for p in s["prefixes"] as? [String] ?? [] {
                guard let x = Prefix(p) else { throw InputError(description: "\(at) (\(name)): '\(p)' is not a prefix") }
                prefixes.append(x)
            }
            var asns = Set<UInt32>()
            for a in s["origin_asns"] as? [Any] ?? [] {
                guard let n = (a as? NSNumber).flatMap({ UInt32(exactly: $0.doubleValue) }) else { throw InputError(description: "\(at) (\(name)): '\(a)' is not an AS number") }
                asns.insert(n)
            }
            var cc: String? = nil
            if let country = s["country"] as? String {
                guard country.count == 2, country.allSatisfy(\.isLetter) else { throw InputError(description: "\(at) (\(name)): '\(country)' is not a two-letter country code") }
                let c = try delegations.scope(country: country)
                prefixes += c.prefixes
                asns.formUnion(c.originASNs)
                cc = c.country
            }
            guard !prefixes.isEmpty || !asns.isEmpty else { throw InputError(description: "\(at) (\(name)): give a country, prefixes or origin ASNs") }
            out.append(NamedScope(name: name, scope: Scope(prefixes: prefixes, originASNs: asns, country: cc)))
        }
        return out
    }
}

/// Options shared by timeline, classify and report: the data (a store, or
/// MRT paths ingested into a temporary store), the scope, the time range, the
/// bin and every threshold of the method. Defaults come from `Parameters`.
struct AnalysisOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("MRT files, directories or http(s) URLs to analyse directly (ingested into a temporary store); without them, the store is read.", valueName: "path"))
    var paths: [String] = []

    @OptionGroup(title: "Downloads (for http(s) URLs given as paths)") var download: DownloadOptions

    @OptionGroup var store: StoreOptions
    @OptionGroup var scope: ScopeOptions

    @Option(name: .customLong("scope"), help: ArgumentHelp("Which of the store's scopes to analyse, by name (a store ingested for several: --country repeated, or --scopes).", valueName: "name"))
    var scopeName: String?

    @OptionGroup var range: TimeRangeOptions

    static let defaults = Parameters()

    @Option(help: ArgumentHelp("Bin size: 90s, 5m, 15m, 1h.", valueName: "duration"))
    var bin = Seconds(defaults.binSeconds)

    @Option(name: .customLong("visible-ratio"), help: ArgumentHelp("A block is up when at least this share of eligible peers reach it.", valueName: "ratio"))
    var visibleRatio = defaults.visibleRatio

    @Option(name: .customLong("min-peers"), help: ArgumentHelp("Fewer eligible peers with a known state: unknown.", valueName: "n"))
    var minPeers = defaults.minPeers

    @Option(name: .customLong("full-feed-ratio"), help: ArgumentHelp("Full feed: at least this share of the collector's largest table.", valueName: "ratio"))
    var fullFeedRatio = defaults.fullFeedRatio

    @Option(name: .customLong("full-feed-min"), help: ArgumentHelp("Or at least this many IPv4 prefixes (IODA: 400000).", valueName: "n"))
    var fullFeedMin: Int?

    @Option(name: .customLong("full-feed-min-v6"), help: ArgumentHelp("Or at least this many IPv6 prefixes (IODA: 10000).", valueName: "n"))
    var fullFeedMinV6: Int?

    @Option(help: ArgumentHelp("After a session comes back, its peer is unknown this long.", valueName: "duration"))
    var settle = Seconds(defaults.settleSeconds)

    @Option(name: .customLong("hard-min"), help: ArgumentHelp("An episode at least this long is an outage: hard, or partial.", valueName: "duration"))
    var hardMin = Seconds(defaults.hardMinSeconds)

    @Option(name: .customLong("hard-extent"), help: ArgumentHelp(
        "Share of the routed address space (in /24s) down for --hard-min that makes an outage hard; 1 = all of it. A country is often read at 0.9.",
        valueName: "share"))
    var hardExtent = defaults.hardExtent

    @Option(name: .customLong("merge-gap"), help: ArgumentHelp("Up stretches shorter than this do not split an episode (route flaps while BGP converges).",
                                                               valueName: "duration"))
    var mergeGap = Seconds(defaults.mergeGapSeconds)

    @Option(help: ArgumentHelp("No other episode within this: isolated; shorter gaps cluster episodes.", valueName: "duration"))
    var isolation = Seconds(defaults.isolationSeconds)

    func validate() throws {
        if bin.value < 1 || bin.value > 86400 { throw ValidationError("--bin must be between 1s and 1d") }
        if !(visibleRatio > 0 && visibleRatio <= 1) { throw ValidationError("--visible-ratio must be in (0, 1]") }
        if !(fullFeedRatio >= 0 && fullFeedRatio <= 1) { throw ValidationError("--full-feed-ratio must be in [0, 1]") }
        if minPeers < 1 { throw ValidationError("--min-peers must be at least 1") }
        if !(hardExtent > 0 && hardExtent <= 1) { throw ValidationError("--hard-extent must be in (0, 1]") }
        if mergeGap.value < 0 { throw ValidationError("--merge-gap must not be negative") }
    }

    var parameters: Parameters {
        var p = Parameters()
        p.binSeconds = bin.value
        p.visibleRatio = visibleRatio
        p.minPeers = minPeers
        p.fullFeedRatio = fullFeedRatio
        p.fullFeedMinIPv4 = fullFeedMin
        p.fullFeedMinIPv6 = fullFeedMinV6
        p.settleSeconds = settle.value
        p.hardMinSeconds = hardMin.value
        p.hardExtent = hardExtent
        p.mergeGapSeconds = mergeGap.value
        p.isolationSeconds = isolation.value
        return p
    }

    /// Every scope of the data (or those the flags name), each analysed.
    func runAll() throws -> [(scope: NamedScope, report: Result<AnalysisReport, Error>)] {
        let local = try download.resolve(paths)
        if local.count < paths.count { throw ExitStatus.badInput.code }
        let request = AnalysisRequest(data: local.isEmpty ? .store(store.path) : .files(local),
                                      scopes: scope.isGiven || !paths.isEmpty ? try scope.resolveAll() : nil,
                                      from: range.from?.value, to: range.to?.value, parameters: parameters)
        return try AnalysisPipeline.runAll(request, problem: { Stderr.line($0) })
    }

    /// Reads the data and runs the analysis.
    func run() throws -> AnalysisReport {
        let local = try download.resolve(paths)
        if local.count < paths.count { throw ExitStatus.badInput.code }
        let request = AnalysisRequest(data: local.isEmpty ? .store(store.path) : .files(local),
                                      scopes: scope.isGiven || !paths.isEmpty ? try scope.resolveAll() : nil, scopeName: scopeName,
                                      from: range.from?.value, to: range.to?.value, parameters: parameters)
        return try AnalysisPipeline.run(request, problem: { Stderr.line($0) })
    }
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

/// Writes to --out or standard output.
func emit(_ text: String, to out: String?) throws {
    if let out {
        do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
            throw OutputError(description: "\(out): cannot write: \(error.localizedDescription)")
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
