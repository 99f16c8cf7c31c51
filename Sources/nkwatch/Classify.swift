import ArgumentParser
import Foundation
import NKAnalysis
import NKModel
import NKRender

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
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
        """,
        version: nkwatchVersion
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var analysis: AnalysisOptions

    @Option(help: "Output format.")
    var format: Format = .text

    @Flag(help: "Print the numbers behind each label, the discounted resets and gaps, and the score formula.")
    var explain = false

    @Option(help: ArgumentHelp("A saved classification (JSON) to compare with; exit 1 on a difference.", valueName: "file"))
    var expect: String?

    @Option(help: ArgumentHelp("How far episode starts and ends may move for --expect (default: one bin).", valueName: "duration"))
    var tolerance: Seconds?

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 1 if any episode has this label (repeatable).", valueName: "label"))
    var failOn: [Label] = []

    @Option(help: ArgumentHelp("Text width in columns (default: COLUMNS or the terminal, at most 160; 100 when not a terminal).", valueName: "n"))
    var width: Int?

    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "path"))
    var out: String?

    @Option(name: .customLong("max-unknown"), help: ArgumentHelp(
        "With --fail-on: the longest stretch in which part of the scope may be unknown (a data gap, too few peers) and the check still pass; longer, and it exits 3 (default: --hard-min).",
        valueName: "duration"))
    var maxUnknown: Seconds?

    @Flag(help: "With --expect, say nothing when the classification matches.")
    var quiet = false

    func run() throws {
        // A file that is not a classification is a usage error, found before the analysis runs.
        var expected: Data?
        if let expect {
            do { expected = try Data(contentsOf: URL(fileURLWithPath: expect)) } catch {
                throw InputError(description: "\(expect): cannot read: \(error.localizedDescription)")
            }
            if let why = ExpectCheck.problem(expected: expected!) {
                throw UsageError(description: "\(expect) is not an nkwatch classification (\(why)); save one with: nkwatch classify --format json > FILE")
            }
        }
        let report = try analysis.run()
        let r = report.result
        switch format {
        case .text:
            try emit(ClassifyText.text(r, title: ReportRenderer.title(command: "classify", result: r, sources: report.sources),
                                       explain: explain, width: width ?? min(terminalWidth(), 160)), to: out)
        case .json:
            try emit(ClassificationDocument.make(r, scope: report.sources.scope).text(), to: out)
        }
        var failed = false
        if let expect, let data = expected {
            let tol = tolerance?.value ?? r.parameters.binSeconds
            let diffs: [String]
            do { diffs = try ExpectCheck.compare(expected: data, actual: r, tolerance: tol) } catch {
                throw InputError(description: "\(expect): not a classification JSON file")
            }
            if !diffs.isEmpty {
                Stderr.write("nkwatch: the classification differs from \(expect) (tolerance \(DurationText.prose(tol))):\n")
                for d in diffs { Stderr.write("  - \(d)\n") }
                failed = true
            } else if !quiet {
                let n = ExpectCheck.episodeCount(expected: data)
                Stderr.write("matches \(expect): \(n) episode\(n == 1 ? "" : "s"), tolerance \(DurationText.compact(tol))\n")
            }
        }
        for e in r.episodes where failOn.contains(e.label) {
            Stderr.line("--fail-on \(e.label.rawValue): \(e.start.iso) → \(e.end.iso)")
            failed = true
        }
        if failed { throw ExitStatus.checkFailed.code }
        // --fail-on never passes on data it did not see.
        if !failOn.isEmpty, let blind = r.longestBlindStretch {
            let length = blind.start.seconds(until: blind.end)
            let limit = maxUnknown?.value ?? r.parameters.hardMinSeconds
            if Int64(length.rounded()) > limit {
                Stderr.line("cannot pass --fail-on: part of the scope was unknown from \(blind.start.prose) to \(blind.end.prose) "
                    + "(\(DurationText.prose(length)), over --max-unknown \(DurationText.prose(limit))); an outage there would not be seen")
                throw ExitStatus.badInput.code
            }
            if !quiet {
                Stderr.line("--fail-on passed; the longest unknown stretch was \(DurationText.prose(length)) (from \(blind.start.prose)), within --max-unknown \(DurationText.prose(limit))")
            }
        }
    }
}
