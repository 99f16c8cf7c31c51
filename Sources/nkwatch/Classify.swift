import ArgumentParser
import Foundation
import NKAnalysis
import NKRender

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Label outages: isolated blips, continuous instability, hard outages.",
        discussion: """
        Prints the periods of continuous instability and the episodes (label, \
        start, end, duration, blocks, share of peers down, score), then a verdict \
        in plain words. --explain adds the numbers behind every label. \
        --format json writes nkwatch.classification/v1 (docs/json.md), the same \
        bytes for the same input.

        For CI: --expect FILE compares with a saved classification and exits 1 with \
        a readable diff when an episode moved by more than --tolerance, changed \
        label, appeared or vanished; --fail-on LABEL exits 1 when an episode has \
        that label.

        Examples:
          nkwatch classify
          nkwatch classify --format json > verdicts.json
          nkwatch classify --expect verdicts.json --tolerance 5m
          nkwatch classify --fail-on hard_outage
          nkwatch classify --explain --visible-ratio 0.9 SampleData/kp-2014-12
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    enum FailLabel: String, ExpressibleByArgument, CaseIterable {
        case isolated_blip, continuous_instability, hard_outage, short_outage
    }

    @OptionGroup var analysis: AnalysisOptions

    @Option(help: "Output format.")
    var format: Format = .text

    @Flag(help: "Print the numbers behind each label, the discounted resets and gaps, and the score formula.")
    var explain = false

    @Option(help: ArgumentHelp("A saved classification (JSON) to compare with; exit 1 on a difference.", valueName: "file"))
    var expect: String?

    @Option(help: ArgumentHelp("How far episode starts and ends may move for --expect (default: one bin).", valueName: "duration"))
    var tolerance: String?

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 1 if any episode has this label (repeatable).", valueName: "label"))
    var failOn: [FailLabel] = []

    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "path"))
    var out: String?

    func validate() throws {
        if let t = tolerance, TimeParsing.parseDuration(t) == nil { throw ValidationError("--tolerance '\(t)' is not a duration (90s, 5m, 2h)") }
    }

    func run() throws {
        let loaded = try analysis.load(command: "classify")
        let r = loaded.result
        let s = loaded.sources
        switch format {
        case .text:
            try emit(ClassifyText.text(r, title: loaded.title, explain: explain, width: min(terminalWidth(), 120)), to: out)
        case .json:
            try emit(ClassificationDocument.make(r, scopePrefixes: s.scopePrefixes, originASNs: s.originASNs, country: s.country).text(), to: out)
        }
        var failed = false
        if let expect {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: expect)) } catch {
                Stderr.line("\(expect): cannot read: \(error.localizedDescription)")
                throw ExitCode(NKWatch.Exit.badInput)
            }
            let tol = tolerance.flatMap(TimeParsing.parseDuration) ?? r.parameters.binSeconds
            let diffs: [String]
            do { diffs = try ExpectCheck.compare(expected: data, actual: r, tolerance: tol) } catch {
                Stderr.line("\(expect): not a classification JSON file")
                throw ExitCode(NKWatch.Exit.badInput)
            }
            if !diffs.isEmpty {
                Stderr.write("nkwatch: the classification differs from \(expect) (tolerance \(Duration.text(Double(tol)))):\n")
                for d in diffs { Stderr.write("  - \(d)\n") }
                failed = true
            }
        }
        let hits = r.episodes.filter { e in failOn.contains { $0.rawValue == e.label.rawValue } }
        if !hits.isEmpty {
            for e in hits { Stderr.line("--fail-on \(e.label.rawValue): \(UTCTime.iso(e.start / 1_000_000)) → \(UTCTime.iso(e.end / 1_000_000))") }
            failed = true
        }
        if failed { throw ExitCode(NKWatch.Exit.checkFailed) }
    }
}
