import Foundation
import MRT
import NKAnalysis
import NKModel

/// `classify`'s table of periods and episodes and the verdict, for a terminal.
public enum ClassifyText {
    public static func text(_ r: AnalysisResult, title: String, explain: Bool, width: Int = 100) -> String {
        var out = title + "\n"
        let p = r.parameters
        out += parametersLine(p) + "\n"
        out += blocksLine(r) + "; peers: \(r.eligiblePeers) eligible of \(r.peers) at \(r.collectors.joined(separator: ", "))\n"
        for w in r.warnings { out += "warning: \(w)\n" }
        out += "\n"
        if !r.periods.isEmpty {
            out += "PERIODS\n"
            let rows = r.periods.map { q in
                [String(q.id), q.label.rawValue, time(q.start), time(q.end), String(q.episodes), String(format: "%.2f", q.ratePerHour),
                 String(format: "%.0f %%", q.downtimeShare * 100), DurationText.prose(q.medianGapSeconds), String(format: "%.2f", q.gapCV),
                 DurationText.prose(q.longestEpisodeSeconds), String(q.churn), String(format: "%.0f", q.score), q.trend.direction.rawValue]
            }
            out += table(["#", "label", "start (UTC)", "end (UTC)", "episodes", "per hour", "down", "median gap", "gap CV", "longest", "churn", "score", "trend"],
                         rows, explanations: explain ? r.periods.map(\.explanation) : nil)
            out += "\n"
        }
        out += "EPISODES\n"
        if r.episodes.isEmpty {
            out += "none\n"
        } else {
            let rows = r.episodes.map { e in
                [e.label.rawValue, time(e.start), e.ongoing ? time(e.end) + " ongoing" : time(e.end),
                 DurationText.prose(e.durationSeconds) + (e.ongoing ? " so far" : ""), e.kind.rawValue,
                 "\(e.extent.blocksDown)/\(e.extent.blocksRouted)", Analyzer.percent(e.extent.spaceShare),
                 String(format: "%.0f %% of %d", e.peersDownShare * 100, e.peersKnown), String(format: "%.0f", e.score), e.period.map(String.init) ?? ""]
            }
            out += table(["label", "start (UTC)", "end (UTC)", "duration", "kind", "blocks", "space", "peers down", "score", "period"], rows,
                         explanations: explain ? r.episodes.map(\.explanation) : nil)
            if let note = binMergeNote(r) { out += note + "\n" }
        }
        if explain && !r.discounted.isEmpty {
            out += "\nDISCOUNTED (not counted as outages)\n"
            for d in r.discounted { out += "  \(d.kind.prose): \(d.what), \(time(d.start)) → \(time(d.end))\n" }
        }
        if explain {
            out += "\nSCORE = 100 × (0.5·f(d − d₀, 0.1) + 0.3·f(r − r₀, 1) + 0.2·f((c − c₀)/max(c₀, 10), 1)), f(x, s) = 1 − e^(−max(0, x)/s);\n"
                + "d: share of the window down, r: episodes per hour, c: updates per hour; ₀: median over the trailing \(DurationText.prose(p.baselineSeconds)). docs/method.md\n"
        }
        out += "\nVERDICT\n" + wrap(r.verdict, width: width) + "\n"
        return out
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

    static func table(_ header: [String], _ rows: [[String]], explanations: [String]?) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in c + String(repeating: " ", count: widths[i] - c.count) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = line(header) + "\n"
        for (i, r) in rows.enumerated() {
            out += line(r) + "\n"
            if let ex = explanations { out += "    why: \(ex[i])\n" }
        }
        return out
    }

    public static func wrap(_ text: String, width: Int) -> String {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if current.isEmpty { current = String(word) } else if current.count + 1 + word.count > width { lines.append(current); current = String(word) } else { current += " " + word }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.joined(separator: "\n")
    }
}
