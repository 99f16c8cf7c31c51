import ArgumentParser
import NKRender

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
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

    func run() throws {
        let report = try analysis.run()
        switch format {
        case .md: try emit(ReportRenderer.markdown(report.result, sources: report.sources, allRows: allRows), to: out)
        case .html: try emit(ReportRenderer.html(report.result, sources: report.sources, allRows: allRows), to: out)
        case .json: try emit(ReportRenderer.json(report.result, sources: report.sources).text(), to: out)
        }
    }
}
