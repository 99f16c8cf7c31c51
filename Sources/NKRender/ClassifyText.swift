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
        out += "blocks: \(r.blocks.map(\.description).joined(separator: " ")); peers: \(r.eligiblePeers) eligible of \(r.peers) at \(r.collectors.joined(separator: ", "))\n"
        for w in r.warnings { out += "warning: \(w)\n" }
        out += "\n"
        if !r.periods.isEmpty {
            out += "PERIODS\n"
            let rows = r.periods.map { q in
                [String(q.id), q.label.rawValue, time(q.start), time(q.end), String(q.episodes), String(format: "%.2f", q.ratePerHour),
                 String(format: "%.0f %%", q.downtimeShare * 100), DurationText.prose(q.medianGapSeconds), String(format: "%.2f", q.gapCV),
                 DurationText.prose(q.longestEpisodeSeconds), String(q.churn), String(format: "%.0f", q.score)]
            }
            out += table(["#", "label", "start (UTC)", "end (UTC)", "episodes", "per hour", "down", "median gap", "gap CV", "longest", "churn", "score"], rows,
                         explanations: explain ? r.periods.map(\.explanation) : nil)
            out += "\n"
        }
        out += "EPISODES\n"
        if r.episodes.isEmpty {
            out += "none\n"
        } else {
            let rows = r.episodes.map { e in
                [e.label.rawValue, time(e.start), time(e.end), DurationText.prose(e.durationSeconds), e.kind.rawValue, "\(e.blocks.count)/\(r.blocks.count)",
                 String(format: "%.0f %% of %d", e.peersDownShare * 100, e.peersKnown), String(format: "%.0f", e.score), e.period.map(String.init) ?? ""]
            }
            out += table(["label", "start (UTC)", "end (UTC)", "duration", "kind", "blocks", "peers down", "score", "period"], rows,
                         explanations: explain ? r.episodes.map(\.explanation) : nil)
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

    /// The parameters every text output prints.
    public static func parametersLine(_ p: Parameters) -> String {
        "parameters: bin \(DurationText.prose(p.binSeconds)), visible ratio \(p.visibleRatio), min peers \(p.minPeers), "
            + "full feed \(p.fullFeedRatio)\(p.fullFeedMinIPv4.map { " or \($0) IPv4" } ?? ""), settle \(DurationText.prose(p.settleSeconds)), "
            + "hard min \(DurationText.prose(p.hardMinSeconds)), isolation \(DurationText.prose(p.isolationSeconds))"
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
