import ArgumentParser
import Foundation
import NKArchive
import NKModel
import NKStore
import NKWatchCore

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine stores ingested from parts of the files into one.",
        discussion: """
        Each shard is a store that 'nkwatch ingest' filled from some of the files \
        (a collector, a day, a worker's share). The merged store is the one a \
        single ingest of all the files would have made: one copy of each file \
        (of two versions of one archive file, the more complete), its events, \
        session changes, RIB tables, coverage and gaps, so 'classify --format \
        json' gives the same bytes. Shards may overlap. The shards are only read.

        All shards must be of one scope and of this nkwatch's store schema. With \
        an origin-ASN scope, files are read again from their stored paths for \
        the prefixes other shards learned (as ingest does); one that cannot be \
        found is named, and exit status is 3.

        Examples:
          nkwatch merge --store all.sqlite rrc00.sqlite route-views2.sqlite
          nkwatch merge --store week.sqlite shards/*.sqlite --format json
        """,
        version: nkwatchVersion
    )

    @Argument(help: ArgumentHelp("The shard stores to combine.", valueName: "shard"))
    var shards: [String] = []

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Files read again at once, for an origin-ASN scope (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Option(help: "Summary format: text on standard error, or json on standard output.")
    var format: Ingest.Format = .text

    @Flag(help: "No summary line.")
    var quiet = false

    func validate() throws {
        if shards.isEmpty { throw ValidationError("give the shard stores to merge") }
        if let j = jobs, j < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let outPath = store.path
        for s in shards {
            guard FileManager.default.fileExists(atPath: s) else { throw InputError(description: "\(PathBytes.display(s)): no such store") }
            if let a = FileSource.identity(ofPath: s), let b = FileSource.identity(ofPath: outPath), a.device == b.device && a.inode == b.inode {
                throw UsageError(description: "\(PathBytes.display(s)) is the output store itself: give another --store")
            }
        }
        let scope: Scope
        do { scope = try Merger.check(shards: shards) } catch let r as Merger.Refusal { throw UsageError(description: r.description) }
        let out = try Store.open(path: outPath)
        Interrupt.install()
        let summary: MergeSummary
        do {
            summary = try Merger(jobs: jobs ?? Cores.available).merge(shards: shards, into: out, shouldStop: { Interrupt.isRequested })
        } catch {
            try? out.close()
            throw error
        }
        try out.close()
        for p in summary.completion.problems { Stderr.line(p) }
        if !quiet { for n in summary.completion.notes { Stderr.line(n) } }
        switch format {
        case .json:
            var w = StdoutWriter()
            w.write(summary.json(store: outPath, scope: scope).compact() + "\n")
            w.flush()
        case .text:
            if !quiet {
                var parts = ["\(summary.inserted) new", "\(summary.duplicates) already there"]
                if summary.replaced > 0 { parts.append("\(summary.replaced) replacing a less complete version") }
                if summary.superseded > 0 { parts.append("\(summary.superseded) less complete than the stored version") }
                if summary.completion.completed > 0 { parts.append("\(summary.completion.completed) read again") }
                Stderr.write("merged \(summary.shards) store\(summary.shards == 1 ? "" : "s") (\(summary.files) file\(summary.files == 1 ? "" : "s")) into "
                    + "\(PathBytes.display(outPath)): \(parts.joined(separator: ", ")); \(summary.events) events; "
                    + "\(summary.completion.gaps) gap\(summary.completion.gaps == 1 ? "" : "s") in the store; \(String(format: "%.1f", summary.seconds)) s\n")
            }
        }
        if summary.completion.interrupted {
            Stderr.write("interrupted: run the same command again to finish\n")
            throw ExitCode(130)
        }
        if !summary.completion.incomplete.isEmpty { throw ExitStatus.badInput.code }
    }
}
