import Foundation
import MRT
import NKAnalysis
import NKModel

/// `classify`'s table of periods and episodes and the verdict, for a terminal.
public enum ClassifyText {
    public static func text(_ r: AnalysisResult, title: String, explain: Bool, width: Int = 100) -> String {
        let width = max(40, width)
        var out = TextLayout.wrapLines(title, width: width) + "\n"
        let p = r.parameters
        out += TextLayout.wrapLines(parametersLine(p), width: width) + "\n"
        out += TextLayout.wrapLines(blocksLine(r) + "; peers: \(r.eligiblePeers) eligible of \(r.peers) at \(r.collectors.joined(separator: ", "))", width: width) + "\n"
        for w in r.warnings { out += TextLayout.wrapLines("warning: \(w)", width: width) + "\n" }
        out += "\n"
        let shortTime = shortTimes(r)
        var omitted: [String] = []
        if !r.periods.isEmpty {
            out += "PERIODS\n"
            let q = r.periods
            let table = TextTable([
                .init("#", priority: 0, cells: q.map { String($0.id) }),
                .init("label", priority: 0, cells: q.map(\.label.rawValue)),
                .init("start (UTC)", priority: 0, cells: q.map { time($0.start) }, shortCells: q.map { shortTime($0.start) }),
                .init("end (UTC)", priority: 0, cells: q.map { time($0.end) }, shortCells: q.map { shortTime($0.end) }),
                .init("episodes", priority: 1, cells: q.map { String($0.episodes) }),
                .init("per hour", priority: 3, cells: q.map { String(format: "%.2f", $0.ratePerHour) }),
                .init("down", priority: 2, cells: q.map { String(format: "%.0f %%", $0.downtimeShare * 100) }),
                .init("median gap", priority: 5, cells: q.map { DurationText.prose($0.medianGapSeconds) }),
                .init("gap CV", priority: 6, cells: q.map { String(format: "%.2f", $0.gapCV) }),
                .init("longest", priority: 4, cells: q.map { DurationText.prose($0.longestEpisodeSeconds) }),
                .init("churn", priority: 7, cells: q.map { String($0.churn) }),
                .init("score", priority: 8, cells: q.map { String(format: "%.0f", $0.score) }),
                .init("trend", priority: 1, cells: q.map(\.trend.direction.rawValue)),
            ], notes: explain ? q.map(\.explanation) : nil).render(width: width)
            out += table.text + "\n"
            omitted += table.omitted
        }
        out += "EPISODES\n"
        if r.episodes.isEmpty {
            out += "none\n"
        } else {
            let e = r.episodes
            let table = TextTable([
                .init("label", priority: 0, cells: e.map(\.label.rawValue)),
                .init("start (UTC)", priority: 0, cells: e.map { time($0.start) }, shortCells: e.map { shortTime($0.start) }),
                .init("end (UTC)", priority: 1, cells: e.map { $0.ongoing ? time($0.end) + " ongoing" : time($0.end) },
                      shortCells: e.map { $0.ongoing ? shortTime($0.end) + " ongoing" : shortTime($0.end) }),
                .init("duration", priority: 0, cells: e.map { DurationText.prose($0.durationSeconds) + ($0.ongoing ? " so far" : "") }),
                .init("kind", priority: 5, cells: e.map(\.kind.rawValue)),
                .init("blocks", priority: 2, cells: e.map { "\($0.extent.blocksDown)/\($0.extent.blocksRouted)" }),
                .init("space", priority: 4, cells: e.map { Analyzer.percent($0.extent.spaceShare) }),
                .init("peers down", priority: 6, cells: e.map { String(format: "%.0f %% of %d", $0.peersDownShare * 100, $0.peersKnown) }),
                .init("score", priority: 7, cells: e.map { String(format: "%.0f", $0.score) }),
                .init("period", priority: 3, cells: e.map { $0.period.map(String.init) ?? "" }),
            ], notes: explain ? e.map(\.explanation) : nil).render(width: width)
            out += table.text
            omitted += table.omitted
            if let note = binMergeNote(r) { out += TextLayout.wrapLines(note, width: width) + "\n" }
        }
        let dropped = omitted.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        if !dropped.isEmpty {
            out += TextLayout.wrapLines("(\(dropped.joined(separator: ", ")) left out to fit \(width) columns: --width 140, or --format json)", width: width) + "\n"
        }
        if explain && !r.discounted.isEmpty {
            out += "\nDISCOUNTED (not counted as outages)\n"
            for d in r.discounted { out += TextLayout.wrap("  \(d.kind.prose): \(d.what), \(time(d.start)) → \(time(d.end))", width: width, indent: "    ") + "\n" }
        }
        if explain {
            out += "\n" + TextLayout.wrap("SCORE = 100 × (0.5·f(d − d₀, 0.1) + 0.3·f(r − r₀, 1) + 0.2·f((c − c₀)/max(c₀, 10), 1)), f(x, s) = 1 − e^(−max(0, x)/s);", width: width, indent: "  ") + "\n"
                + TextLayout.wrap("d: share of the window down, r: episodes per hour, c: updates per hour; ₀: median over the trailing \(DurationText.prose(p.baselineSeconds)). docs/method.md", width: width, indent: "  ") + "\n"
        }
        out += "\nVERDICT\n" + wrap(r.verdict, width: width) + "\n"
        return out
    }

    /// Times for narrow tables: `12-21 15:00` when the range is within one
    /// year, else `2014-12-21 15:00`.
    static func shortTimes(_ r: AnalysisResult) -> (Timestamp) -> String {
        let sameYear = r.from.iso.prefix(4) == r.to.adding(microseconds: -1).iso.prefix(4)
        return { t in
            let text = t.tableText
            return String(text.dropFirst(sameYear ? 5 : 0).dropLast(3))
        }
    }

    /// "blocks: 175.45.176.0/24 …" for a few blocks; a summary for many
    /// ("300 blocks in 12 allocations, 4 origin ASNs, 300 /24s"), and the
    /// never-routed blocks.
    public static func blocksLine(_ r: AnalysisResult, listUpTo limit: Int = 8) -> String {
        var line = r.blocks.count <= limit && !r.blocks.isEmpty
            ? "blocks: \(r.blocks.map(\.description).joined(separator: " "))"
            : "blocks: " + BlockGroups.summary(r)
        if !r.neverRouted.isEmpty { line += " (\(r.neverRouted.count) more never routed)" }
        return line
    }

    /// Said when consecutive episodes are less than a bin apart.
    public static func binMergeNote(_ r: AnalysisResult) -> String? {
        guard r.binMerges > 0 else { return nil }
        return "note: \(r.binMerges) pair\(r.binMerges == 1 ? "" : "s") of episodes less than a bin (\(DurationText.prose(r.parameters.binSeconds))) apart "
            + "look\(r.binMerges == 1 ? "s" : "") like one in bins; episodes are counted from event times"
    }

    /// The parameters every text output prints.
    public static func parametersLine(_ p: Parameters) -> String {
        "parameters: bin \(DurationText.prose(p.binSeconds)), visible ratio \(p.visibleRatio), min peers \(p.minPeers), "
            + "full feed \(p.fullFeedRatio)\(p.fullFeedMinIPv4.map { " or \($0) IPv4" } ?? ""), settle \(DurationText.prose(p.settleSeconds)), "
            + "hard min \(DurationText.prose(p.hardMinSeconds)) at \(Analyzer.percent(p.hardExtent)) of routed space, isolation \(DurationText.prose(p.isolationSeconds))"
    }

    static func time(_ t: Timestamp) -> String { t.tableText }

    public static func wrap(_ text: String, width: Int) -> String { TextLayout.wrap(text, width: width) }
}
