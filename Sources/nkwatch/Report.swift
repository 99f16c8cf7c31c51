import ArgumentParser
import Foundation
import NKModel
import NKRender
import NKWatchCore

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a report: the verdict, visibility heat map, routed count, score, episodes, sources.",
        discussion: """
        Markdown (default), a self-contained HTML page (inline SVG, no network, \
        prints well), or JSON (nkwatch.report/v1). The verdict is written from the \
        data in the style of an analyst's post. Reads the store, or MRT files given \
        as arguments.

        Examples:
          nkwatch report SampleData/kp-2014-12
          nkwatch report --format html --out kp-2014-12.html
          nkwatch report --format json --from 2014-12-22 --to 2014-12-23
          nkwatch report --all-scopes --out-dir public/ --format html --store week.sqlite

        --all-scopes writes one report per scope of a store ingested for several \
        (--country repeated, or --scopes) into --out-dir, named after the scope \
        (KP.html, …), and index.html (index.md, index.json) ranking the scopes by \
        what happened: hard outages first, by their length, then downtime. A scope \
        without data for the range is listed with why, and the exit status is 3.
        """,
        version: nkwatchVersion
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case md, html, json }

    @OptionGroup var analysis: AnalysisOptions

    @Option(help: "Output format.")
    var format: Format = .md

    @Flag(name: .customLong("all-rows"), help: "One heat-map row per block even for a large scope.")
    var allRows = false

    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "path"))
    var out: String?

    @Flag(name: .customLong("all-scopes"), help: "One report per scope of the store, and an index ranking them (with --out-dir).")
    var allScopes = false

    @Option(name: .customLong("out-dir"), help: ArgumentHelp("With --all-scopes: the folder for the reports and the index (created if missing).", valueName: "dir"))
    var outDir: String?

    func validate() throws {
        if allScopes && outDir == nil { throw ValidationError("--all-scopes writes several files: give --out-dir DIR") }
        if outDir != nil && !allScopes { throw ValidationError("--out-dir is for --all-scopes (one report: --out FILE)") }
        if allScopes && out != nil { throw ValidationError("--all-scopes writes into --out-dir, not --out") }
        if allScopes && analysis.scopeName != nil { throw ValidationError("--all-scopes reports every scope: leave out --scope") }
    }

    func render(_ report: AnalysisReport) -> String {
        switch format {
        case .md: return ReportRenderer.markdown(report.result, sources: report.sources, allRows: allRows)
        case .html: return ReportRenderer.html(report.result, sources: report.sources, allRows: allRows)
        case .json: return ReportRenderer.json(report.result, sources: report.sources).text()
        }
    }

    func runAll(into dir: String) throws {
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw OutputError(description: "\(dir): cannot create the folder: \(error.localizedDescription)")
        }
        let all = try analysis.runAll()
        var entries: [ScopeIndex.Entry] = []
        var failed = false
        for (scope, outcome) in all {
            let file = scope.name + "." + format.rawValue
            let title: String
            if let cc = scope.scope.country { title = (CountryNames.name(cc) ?? cc) + (scope.name.uppercased() == cc ? "" : " (\(scope.name))") } else if scope.scope == .northKorea { title = "North Korea" } else { title = scope.name }
            switch outcome {
            case .success(let report):
                try emit(render(report), to: (dir as NSString).appendingPathComponent(file))
                entries.append(ScopeIndex.Entry(name: scope.name, title: title, file: file, result: report.result, error: nil))
            case .failure(let error):
                failed = true
                Stderr.line("\(scope.name): \(error)")
                entries.append(ScopeIndex.Entry(name: scope.name, title: title, file: file, result: nil, error: "\(error)"))
            }
        }
        let index = ScopeIndex(entries: entries)
        let text: String
        switch format {
        case .md: text = index.markdown()
        case .html: text = index.html()
        case .json: text = index.json().text()
        }
        let indexPath = (dir as NSString).appendingPathComponent("index." + format.rawValue)
        try emit(text, to: indexPath)
        let written = entries.filter { $0.result != nil }.count
        Stderr.line("wrote \(written) report\(written == 1 ? "" : "s") and \(indexPath)")
        if failed { throw ExitStatus.badInput.code }
    }

    func run() throws {
        if allScopes, let dir = outDir { return try runAll(into: dir) }
        try emit(render(try analysis.run()), to: out)
    }
}
