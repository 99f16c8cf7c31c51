import ArgumentParser
import NKRender

struct Timeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Chart the visibility of each target block over time.",
        discussion: """
        One row per target block (up, partial, down or unknown in each bin), the \
        number of blocks routed, update churn, the 6 h instability score, the \
        episodes with their labels, a UTC time axis and a legend, fitted to the \
        terminal width (COLUMNS or the tty). --format csv|json gives the same bins \
        as data. Reads the store, or MRT files given as arguments.

        A scope of more than \(TimelineRenderer.blockRowLimit) blocks (a country) is shown as a whole \
        first: all its blocks, routed blocks and routed /24s over time; then groups \
        by origin AS and by allocation; then only the blocks that went down. \
        --all-rows gives one row per block.

        Examples:
          nkwatch timeline
          nkwatch timeline SampleData/kp-2014-12 --from 2014-12-21 --to 2014-12-24 --bin 15m
          nkwatch timeline --format csv > bins.csv
          NO_COLOR=1 nkwatch timeline --ascii --width 80
          nkwatch timeline --country KP --delegations delegated-apnic-latest --all-rows
        """,
        version: nkwatchVersion
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, csv, json }

    @OptionGroup var analysis: AnalysisOptions

    @Option(help: "Output format.")
    var format: Format = .text

    @Flag(name: .customLong("all-rows"), help: "One row per block even for a large scope (over \(TimelineRenderer.blockRowLimit) blocks: the scope, its groups and the blocks that went down).")
    var allRows = false

    @Flag(help: "ASCII characters instead of Unicode blocks.")
    var ascii = false

    @Option(help: ArgumentHelp("Chart width in columns (default: COLUMNS or the terminal).", valueName: "n"))
    var width: Int?

    @Option(help: "Colour: auto (on a terminal, unless NO_COLOR is set), always, never.")
    var color: ColorChoice = .auto

    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "path"))
    var out: String?

    func run() throws {
        let report = try analysis.run()
        let r = report.result
        switch format {
        case .text:
            let style = TerminalStyle(width: width ?? terminalWidth(), ascii: ascii, color: out == nil && color.enabled)
            var text = TimelineRenderer.text(r, title: ReportRenderer.title(command: "timeline", result: r, sources: report.sources), style: style,
                                               allRows: allRows) + "\n" + ClassifyText.wrap(r.verdict, width: style.width) + "\n"
            if ascii { text = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.isASCII ? $0 : $0 == "—" ? "-" : $0 == "≥" ? ">" : "?" })) }
            try emit(text, to: out)
        case .csv:
            try emit(TimelineRenderer.csv(r), to: out)
        case .json:
            try emit(TimelineRenderer.json(r).text(), to: out)
        }
    }
}
