import Foundation
import MRT
import NKAnalysis
import NKModel

/// `report`: Markdown, a self-contained HTML page (inline SVG), or JSON.
public enum ReportRenderer {
    static func time(_ t: Timestamp) -> String { t.prose }

    /// `nkwatch classify — 175.45.176.0/22, AS131279 — 2014-12-19 00:00 UTC to 2014-12-24 00:00 UTC`.
    public static func title(command: String, result r: AnalysisResult, sources: DataSources) -> String {
        "nkwatch \(command) — \(sources.scopeSummary) — \(r.from.prose) to \(r.to.prose)"
    }

    /// "4 blocks", "300 blocks in 12 allocations, 4 origin ASNs, 300 /24s".
    static func blocksSummary(_ r: AnalysisResult) -> String {
        r.blocks.count <= 8 ? "\(r.blocks.count) block\(r.blocks.count == 1 ? "" : "s")" : BlockGroups.summary(r)
    }

    public static func markdown(_ r: AnalysisResult, sources: DataSources, allRows: Bool = false) -> String {
        var out = "# BGP outage report: \(sources.scopeText)\n\n"
        out += "\(time(r.from)) to \(time(r.to)) · \(blocksSummary(r)) · \(r.eligiblePeers) full-feed peers of \(r.peers) at \(TextLayout.counted(r.collectors.count, "collector"))\n\n"
        out += "## Verdict\n\n\(TextLayout.wrap(r.verdict, width: 80))\n\n"
        let large = r.blocks.count > TimelineRenderer.blockRowLimit && !allRows
        out += large
            ? "## Visibility\n\nThe scope as a whole, its groups by origin AS and by allocation, then the blocks that went down; `█` up, `▒` partial, `░` down, `·` unknown; then update churn, the 6 h instability score and the episodes.\n\n"
            : "## Visibility\n\nOne row per block; `█` up, `▒` partial, `░` down, `·` unknown; then routed blocks, update churn, the 6 h instability score and the episodes.\n\n"
        out += "```\n" + TimelineRenderer.text(r, title: "visibility per block (UTC)", style: TerminalStyle(width: 80), allRows: allRows) + "```\n\n"
        let peak = r.scores[.sixHours]?.max() ?? 0
        out += "Instability score (6 h window): peak \(String(format: "%.0f", peak)) / 100.\n\n"
        if !r.periods.isEmpty {
            out += "## Periods of continuous instability\n\n| # | start | end | episodes | per hour | down | median gap | gap CV | longest | churn | score | trend |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n"
            for q in r.periods {
                out += "| \(q.id) | \(time(q.start)) | \(time(q.end)) | \(q.episodes) | \(String(format: "%.2f", q.ratePerHour)) | \(String(format: "%.0f %%", q.downtimeShare * 100)) | \(DurationText.prose(q.medianGapSeconds)) | \(String(format: "%.2f", q.gapCV)) | \(DurationText.prose(q.longestEpisodeSeconds)) | \(q.churn) | \(String(format: "%.0f", q.score)) | \(q.trend.text) |\n"
            }
            out += "\n"
        }
        out += "## Episodes\n\n"
        if r.episodes.isEmpty { out += "None.\n\n" } else {
            out += "| label | start | end | duration | kind | blocks | space | peers down | score | why |\n|---|---|---|---|---|---|---|---|---|---|\n"
            for e in r.episodes {
                out += "| \(e.label.rawValue) | \(time(e.start)) | \(time(e.end))\(e.ongoing ? " (ongoing)" : "") | \(DurationText.prose(e.durationSeconds))\(e.ongoing ? " so far" : "") | \(e.kind.rawValue) | \(e.extent.blocksDown)/\(e.extent.blocksRouted) | \(Analyzer.percent(e.extent.spaceShare)) | \(String(format: "%.0f %% of %d", e.peersDownShare * 100, e.peersKnown)) | \(String(format: "%.0f", e.score)) | \(e.explanation.replacingOccurrences(of: "|", with: "/")) |\n"
            }
            if let note = ClassifyText.binMergeNote(r) { out += "\n" + note + "\n" }
            out += "\n"
        }
        out += "## Discounted\n\n"
        if r.discounted.isEmpty { out += "Nothing: no peer session reset or data gap touched the range.\n\n" } else {
            for d in r.discounted { out += "- \(discountedText(d))\n" }
            out += "\n"
        }
        out += "## Data and parameters\n\n"
        out += "- Store: `\(sources.store)`: \(sources.files) files (\(sources.damagedFiles) damaged), collectors \(sources.collectors.joined(separator: ", ")), \(sources.peers) peers\n"
        out += "- Scope: \(sources.scopeText); \(blocksText(r))\n"
        let p = r.parameters
        out += "- Parameters: bin \(DurationText.prose(Double(p.binSeconds))), visible ratio \(p.visibleRatio), min peers \(p.minPeers), full-feed ratio \(p.fullFeedRatio), settle \(DurationText.prose(Double(p.settleSeconds))), hard min \(DurationText.prose(Double(p.hardMinSeconds))), isolation \(DurationText.prose(Double(p.isolationSeconds)))\n"
        out += "- RIB/update disagreements: \(r.ribDisagreements)\n"
        for w in r.warnings { out += "- Warning: \(w)\n" }
        out += "\nMethod: docs/method.md. Written by nkwatch \(BuildInfo.versionText).\n"
        return out
    }

    /// "data gap: rrc00, 2014-12-21 03:00 UTC to 03:15 UTC", with the detail when there is one.
    static func discountedText(_ d: Discounted) -> String {
        "\(d.kind.prose): \(d.what), \(time(d.start))" + (d.end > d.start ? " to \(time(d.end))" : "") + (d.detail.map { " (\($0))" } ?? "")
    }

    /// The blocks listed when few, summarised when many; the never-routed ones.
    static func blocksText(_ r: AnalysisResult) -> String {
        var text = r.blocks.count <= 8 ? "blocks \(r.blocks.map(\.description).joined(separator: ", "))" : BlockGroups.summary(r)
        if !r.neverRouted.isEmpty { text += "; never routed, left out: \(Analyzer.listed(r.neverRouted, limit: 8))" }
        if !r.unknownBlocks.isEmpty { text += "; never known (no eligible peers of their family): \(Analyzer.listed(r.unknownBlocks, limit: 8))" }
        return text
    }

    public static func json(_ r: AnalysisResult, sources: DataSources) -> JSON {
        guard case .object(var kvs) = ClassificationDocument.make(r, scope: sources.scope) else { return .null }
        kvs[0] = ("schema", .string("nkwatch.report/v1"))
        kvs.append(("sources", .object([("store", .string(sources.store)), ("files", .int(Int64(sources.files))),
                                        ("damaged_files", .int(Int64(sources.damagedFiles))),
                                        ("collectors", .array(sources.collectors.map { .string($0) })), ("peers", .int(Int64(sources.peers)))])))
        if case .object(let t) = TimelineRenderer.json(r), let bins = t.first(where: { $0.0 == "bins" })?.1 { kvs.append(("bins", bins)) }
        return .object(kvs)
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func color(_ st: RowState) -> String {
        switch st {
        case .up: return "#2e7d32"
        case .partial: return "#f9a825"
        case .down: return "#c62828"
        case .unknown: return "#bdbdbd"
        }
    }

    static func name(_ st: RowState) -> String {
        switch st {
        case .up: return "up"
        case .partial: return "partial"
        case .down: return "down"
        case .unknown: return "unknown"
        }
    }

    static func rowState(_ s: BlockState) -> RowState {
        switch s {
        case .up: return .up
        case .partial: return .partial
        case .down: return .down
        case .unknown: return .unknown
        }
    }

    /// A self-contained page (docs/json.md names the report's parts; HTMLReport draws them).
    public static func html(_ r: AnalysisResult, sources: DataSources, allRows: Bool = false) -> String {
        HTMLReport.page(r, sources: sources, allRows: allRows)
    }

}
