import Foundation
import ArgumentParser
import MRT
import NKModel
import NKArchive
import NKWatchCore

struct Dump: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Decode MRT dumps to bgpdump -m lines or JSON lines.",
        discussion: """
        Reads MRT files (gzip, bzip2 or plain, found from their first bytes; '-' is \
        standard input) and prints one line per prefix per announcement, withdrawal \
        or RIB entry, and one per session state change.

        --format bgpdump prints exactly what 'bgpdump -m' prints; --format jsonl \
        prints one JSON object per element (fields in docs/formats.md).

        Damaged input: every readable record is still printed; each problem is \
        reported on standard error with the file, the byte offset and the cause, \
        and the exit status is 3.

        Examples:
          nkwatch dump updates.20141222.1615.bz2
          nkwatch dump --format jsonl --prefix 175.45.176.0/22 rrc00/updates.*.gz
          cat bview.gz | nkwatch dump -
          nkwatch dump --type W --peer-asn 3356 --from 2014-12-22T16:00Z updates.*.bz2
        """,
        version: nkwatchVersion
    )

    enum ElementType: String, ExpressibleByArgument, CaseIterable {
        case A, W, B, STATE
    }

    @Argument(help: ArgumentHelp("MRT files, directories, http(s) URLs (fetched into the cache first), or '-' for standard input.", valueName: "path"))
    var paths: [String] = []

    @OptionGroup(title: "Downloads (for http(s) URLs given as paths)") var download: DownloadOptions

    @Option(help: "Output format.")
    var format: DumpFormat = .bgpdump

    @Option(name: .customLong("prefix"), help: ArgumentHelp("Keep elements for this prefix and its more-specifics (repeatable).", valueName: "prefix"))
    var prefixes: [String] = []

    @Option(name: .customLong("origin-asn"), help: ArgumentHelp("Keep announcements whose origin AS is this (repeatable).", valueName: "asn"))
    var originASNs: [UInt32] = []

    @Option(name: .customLong("peer-asn"), help: ArgumentHelp("Keep elements from peers of this AS (repeatable).", valueName: "asn"))
    var peerASNs: [UInt32] = []

    @Option(name: .customLong("peer-ip"), help: ArgumentHelp("Keep elements from this peer address (repeatable).", valueName: "ip"))
    var peerIPs: [String] = []

    @Option(name: .customLong("type"), help: ArgumentHelp("Keep elements of this type: A (announce), W (withdraw), B (RIB entry), STATE (repeatable).", valueName: "type"))
    var types: [ElementType] = []

    @OptionGroup var range: TimeRangeOptions

    @Option(help: ArgumentHelp("Threads that decompress, decode and format (default: the number of cores; the lines come out in file order either way).", valueName: "n"))
    var jobs: Int?

    @Flag(help: "Print no per-file summary of problems on standard error, only the errors themselves.")
    var quiet = false

    func validate() throws {
        if let j = jobs, j < 1 { throw ValidationError("--jobs must be at least 1") }
        if paths.isEmpty { throw ValidationError("give at least one MRT file, directory, or '-' for standard input") }
        for p in prefixes where Prefix(p) == nil { throw ValidationError("'\(p)' is not a prefix (expected a.b.c.d/n or x:y::/n)") }
        for ip in peerIPs where IPAddress(ip) == nil { throw ValidationError("'\(ip)' is not an IP address") }
    }

    func run() throws {
        let filter = ElementFilter(
            prefixes: prefixes.compactMap { Prefix($0) },
            originASNs: Set(originASNs),
            peerASNs: Set(peerASNs),
            peerIPs: Set(peerIPs.compactMap { IPAddress($0) }),
            kinds: Set(types.map(\.kind)),
            fromMicros: range.from?.value.microseconds,
            toMicros: range.to?.value.microseconds
        )
        let local = try download.resolve(paths)
        let listing = InputPaths.list(local)
        for p in listing.problems { Stderr.line(p.description) }
        if listing.files.isEmpty && listing.problems.isEmpty {
            Stderr.line("nothing to read: \(paths.map(PathBytes.display).joined(separator: ", ")) hold(s) no MRT file")
        }
        let inputs = listing.files
        var dumper = Dumper(format: format, filter: filter, workers: jobs ?? Cores.available)
        var out = StdoutWriter()
        var failed = !listing.problems.isEmpty || inputs.isEmpty || local.count < paths.count
        for path in inputs {
            let report = dumper.dump(path: path, into: &out.buffer, flush: StdoutWriter.flush)
            for e in report.allErrors { Stderr.line(e.description) }
            if !report.isClean {
                failed = true
                if !quiet {
                    Stderr.line("\(PathBytes.display(path)): \(report.recordsDecoded) of \(report.records) records decoded, \(report.allErrors.count) problem(s)")
                }
            }
            for (what, n) in report.unsupported.sorted(by: { $0.key < $1.key }) where !quiet {
                Stderr.line("\(PathBytes.display(path)): \(n) record(s) of unsupported type \(what) skipped")
            }
        }
        out.flush()
        if failed { throw ExitStatus.badInput.code }
    }
}

extension DumpFormat: ExpressibleByArgument {}

extension Dump.ElementType {
    var kind: ElementKind {
        switch self {
        case .A: return .announce
        case .W: return .withdraw
        case .B: return .rib
        case .STATE: return .state
        }
    }
}
