import ArgumentParser
import MRT
import NKArchive

struct Dump: ParsableCommand {
    static let configuration = CommandConfiguration(
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
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case bgpdump, jsonl
    }

    enum ElementType: String, ExpressibleByArgument, CaseIterable {
        case A, W, B, STATE
    }

    @Argument(help: ArgumentHelp("MRT files or directories ('-' for standard input).", valueName: "path"))
    var paths: [String] = []

    @Option(help: "Output format.")
    var format: Format = .bgpdump

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

    @Option(help: ArgumentHelp("Keep elements at or after this UTC time (2014-12-22T16:15Z, 2014-12-22, or epoch seconds).", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("Keep elements before this UTC time.", valueName: "time"))
    var to: String?

    @Flag(help: "Print no per-file summary of problems on standard error, only the errors themselves.")
    var quiet = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one MRT file, directory, or '-' for standard input") }
        for p in prefixes where Prefix(p) == nil { throw ValidationError("'\(p)' is not a prefix (expected a.b.c.d/n or x:y::/n)") }
        for ip in peerIPs where IPAddress(ip) == nil { throw ValidationError("'\(ip)' is not an IP address") }
        if let f = from, TimeParsing.parseTime(f) == nil { throw ValidationError("--from '\(f)' is not a time (use 2014-12-22T16:15Z or 2014-12-22)") }
        if let t = to, TimeParsing.parseTime(t) == nil { throw ValidationError("--to '\(t)' is not a time (use 2014-12-22T16:15Z or 2014-12-22)") }
    }

    func run() throws {
        let filter = ElementFilter(
            prefixes: prefixes.compactMap { Prefix($0) },
            originASNs: Set(originASNs),
            peerASNs: Set(peerASNs),
            peerIPs: Set(peerIPs.compactMap { IPAddress($0) }),
            kinds: Set(types.map { t -> BGPElement.Kind in
                switch t { case .A: return .announce; case .W: return .withdraw; case .B: return .rib; case .STATE: return .state }
            }),
            fromMicros: from.flatMap(TimeParsing.parseTime).map { $0 * 1_000_000 },
            toMicros: to.flatMap(TimeParsing.parseTime).map { $0 * 1_000_000 }
        )
        let inputs = try expandInputs(paths)
        var out = StdoutWriter()
        var failed = false
        var elements: [BGPElement] = []
        elements.reserveCapacity(4096)
        var bgpdump = BGPDumpFormatter.Writer()
        var json: [UInt8] = []
        // A local copy: reading the option's property wrapper once per
        // element costs a generic metadata lookup each time.
        let format = self.format
        let direct = format == .bgpdump && filter.isEmpty
        for path in inputs {
            var decoder = MRTDecoder(attributeFilter: filter.attributeFilter)
            let report = readMRTFile(path: path, decoder: &decoder) { record in
                // Unfiltered bgpdump lines come straight from the record.
                if direct && bgpdump.appendRecord(record, to: &out.buffer) {
                    out.flushIfNeeded()
                    return
                }
                elements.removeAll(keepingCapacity: true)
                record.appendElements(to: &elements)
                for e in elements where filter.accepts(e) {
                    switch format {
                    case .bgpdump: bgpdump.append(e, to: &out.buffer)
                    case .jsonl:
                        json.removeAll(keepingCapacity: true)
                        JSONLinesFormatter.append(e, to: &json)
                        out.buffer.put(json)
                    }
                }
                out.flushIfNeeded()
            }
            out.flush()
            for e in report.allErrors { Stderr.line(e.description) }
            if !report.isClean {
                failed = true
                if !quiet {
                    Stderr.line("\(path): \(report.recordsDecoded) of \(report.records) records decoded, \(report.allErrors.count) problem(s)")
                }
            }
            for (what, n) in report.unsupported.sorted(by: { $0.key < $1.key }) where !quiet {
                Stderr.line("\(path): \(n) record(s) of unsupported type \(what) skipped")
            }
        }
        out.flush()
        if failed { throw ExitCode(NKWatch.Exit.badInput) }
    }
}

/// The element filters of `dump`.
struct ElementFilter {
    var prefixes: [Prefix]
    var originASNs: Set<UInt32>
    var peerASNs: Set<UInt32>
    var peerIPs: Set<IPAddress>
    var kinds: Set<BGPElement.Kind>
    var fromMicros: Int64?
    var toMicros: Int64?

    var isEmpty: Bool {
        prefixes.isEmpty && originASNs.isEmpty && peerASNs.isEmpty && peerIPs.isEmpty && kinds.isEmpty && fromMicros == nil && toMicros == nil
    }

    /// Attributes are decoded only for the prefixes kept, when a prefix filter is given.
    var attributeFilter: AttributeFilter? {
        guard !prefixes.isEmpty else { return nil }
        let ps = prefixes
        return { p in ps.contains { $0.contains(p) } }
    }

    func accepts(_ e: BGPElement) -> Bool {
        if !kinds.isEmpty && !kinds.contains(e.kind) { return false }
        if !peerASNs.isEmpty && !peerASNs.contains(e.peerASN) { return false }
        if !peerIPs.isEmpty && !peerIPs.contains(e.peerIP) { return false }
        if let f = fromMicros, e.timeMicros < f { return false }
        if let t = toMicros, e.timeMicros >= t { return false }
        if !prefixes.isEmpty {
            guard let p = e.prefix, prefixes.contains(where: { $0.contains(p) }) else { return false }
        }
        if !originASNs.isEmpty {
            guard let o = e.attributes?.originASN, originASNs.contains(o) else { return false }
        }
        return true
    }
}
