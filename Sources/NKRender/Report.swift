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
        out += "\(time(r.from)) to \(time(r.to)) · \(blocksSummary(r)) · \(r.eligiblePeers) full-feed peers of \(r.peers) at \(r.collectors.count) collectors\n\n"
        out += "## Verdict\n\n\(r.verdict)\n\n"
        let large = r.blocks.count > TimelineRenderer.blockRowLimit && !allRows
        out += large
            ? "## Visibility\n\nThe scope as a whole, its groups by origin AS and by allocation, then the blocks that went down; `█` up, `▒` partial, `░` down, `·` unknown; then update churn, the 6 h instability score and the episodes.\n\n"
            : "## Visibility\n\nOne row per block; `█` up, `▒` partial, `░` down, `·` unknown; then routed blocks, update churn, the 6 h instability score and the episodes.\n\n"
        out += "```\n" + TimelineRenderer.text(r, title: "visibility per block (UTC)", style: TerminalStyle(width: 100), allRows: allRows) + "```\n\n"
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
        out += "\nMethod: docs/method.md. Written by nkwatch.\n"
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

    /// One heat-map row: a label and a state per bin.
    struct HeatRow {
        var label: String
        var states: [RowState]
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

    /// A heat map of `rows`, with a time axis above and below when it is tall.
    static func heatmapSVG(_ rows: [HeatRow], r: AnalysisResult, id: String, label: Double, width w: Double) -> String {
        let rowH = 18.0
        let n = max(1, r.bins.count)
        let cw = (w - label) / Double(n)
        let top = rows.count > 12 ? 22.0 : 0
        var svg = "<svg id=\"\(id)\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(w)) \(Int(top + Double(rows.count) * rowH + 30))\" role=\"img\" aria-label=\"visibility per block\">"
        if top > 0 { svg += axisSVG(r, x0: label, width: w - label, y: 12, ticksBelow: true) }
        for (ri, row) in rows.enumerated() {
            let y = top + Double(ri) * rowH
            svg += "<text x=\"0\" y=\"\(y + 13)\" font-size=\"11\">\(esc(row.label))</text>"
            var i = 0
            while i < row.states.count {
                let st = row.states[i]
                var j = i
                while j + 1 < row.states.count && row.states[j + 1] == st { j += 1 }
                svg += String(format: "<rect class=\"%@\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%@\"><title>%@ %@ %@</title></rect>",
                              name(st), label + Double(i) * cw, y + 2, Double(j - i + 1) * cw, rowH - 4, color(st), esc(row.label), r.bins[i].start.iso, name(st))
                i = j + 1
            }
        }
        return svg + axisSVG(r, x0: label, width: w - label, y: top + Double(rows.count) * rowH + 14) + "</svg>"
    }

    /// A self-contained page: inline SVG and CSS, no network, prints well.
    /// A large scope is shown as a whole first, then by groups, then the
    /// blocks that went down (`allRows`: every block).
    public static func html(_ r: AnalysisResult, sources: DataSources, allRows: Bool = false) -> String {
        let w = 960.0, label = 170.0
        let n = max(1, r.bins.count)
        let cw = (w - label) / Double(n)
        let large = r.blocks.count > TimelineRenderer.blockRowLimit && !allRows
        func blockRow(_ bi: Int) -> HeatRow { HeatRow(label: r.blocks[bi].description, states: r.bins.map { rowState($0.blocks[bi].state) }) }
        func groupRow(_ name: String, _ blocks: [Int]) -> HeatRow {
            let series = GroupSeries(r, blocks: blocks)
            return HeatRow(label: name, states: r.bins.indices.map { series.state($0, $0 + 1) })
        }
        var heat = ""
        if large {
            var groups = [groupRow("all \(r.blocks.count) blocks", Array(r.blocks.indices))]
            for gs in [BlockGroups.byOrigin(r), BlockGroups.byAllocation(r)] where gs.count > 1 {
                groups += gs.prefix(12).map { groupRow("\($0.name) (\($0.blocks.count))", $0.blocks) }
            }
            let down = TimelineRenderer.blocksThatWentDown(r)
            let shown = down.prefix(100)
            heat = "<h2>Visibility by group</h2>\n<p class=\"meta\">The whole scope, then groups by origin AS and by allocation (largest first): "
                + "red where none of the group's routed address space was routed, amber where part of it was.</p>\n"
                + legend + heatmapSVG(groups, r: r, id: "heatmap", label: label, width: w)
                + "\n<h2>Blocks that went down (\(down.count) of \(r.blocks.count))</h2>\n"
                + (down.isEmpty ? "<p>None.</p>" : heatmapSVG(shown.map(blockRow), r: r, id: "heatmap-down", label: label, width: w))
                + (down.count > shown.count ? "<p class=\"meta\">\(down.count - shown.count) more: <code>nkwatch report --all-rows</code> shows every block.</p>" : "")
        } else {
            heat = "<h2>Visibility per block</h2>\n" + legend + heatmapSVG(r.blocks.indices.map(blockRow), r: r, id: "heatmap", label: label, width: w)
        }
        // Routed blocks and /24s, and the scores, as lines.
        let h = 120.0
        func line(_ values: [Double], maxV: Double, color: String, id: String) -> String {
            guard !values.isEmpty else { return "" }
            let pts = values.enumerated().map { i, v in String(format: "%.1f,%.1f", label + (Double(i) + 0.5) * cw, h - 10 - (maxV > 0 ? v / maxV : 0) * (h - 20)) }
            return "<polyline id=\"\(id)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(pts.joined(separator: " "))\"/>"
        }
        let total24 = r.blocks.reduce(0.0) { $0 + Double($1.slash24Equivalents) }
        let routedSVG = "<svg id=\"routed\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(w)) \(Int(h + 20))\"><text x=\"0\" y=\"14\" font-size=\"11\">routed, share of the scope</text>"
            + "<text x=\"0\" y=\"28\" font-size=\"10\" fill=\"#1565c0\">blocks (of \(r.blocks.count))</text>"
            + "<text x=\"0\" y=\"42\" font-size=\"10\" fill=\"#00838f\">/24s (of \(BlockGroups.slash24Text(total24)))</text>"
            + "<line x1=\"\(label)\" y1=\"\(h - 10)\" x2=\"\(w)\" y2=\"\(h - 10)\" stroke=\"#999\"/>"
            + line(r.bins.map { Double($0.routed) }, maxV: Double(r.blocks.count), color: "#1565c0", id: "routed-line")
            + line(r.bins.map(\.routedSlash24), maxV: total24, color: "#00838f", id: "routed24-line")
            + axisSVG(r, x0: label, width: w - label, y: h + 12) + "</svg>"
        let scoreSVG = "<svg id=\"score\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(w)) \(Int(h + 20))\"><text x=\"0\" y=\"14\" font-size=\"11\">instability score 0–100</text>"
            + "<line x1=\"\(label)\" y1=\"\(h - 10)\" x2=\"\(w)\" y2=\"\(h - 10)\" stroke=\"#999\"/>"
            + line(r.scores[.oneHour] ?? [], maxV: 100, color: "#9e9e9e", id: "score-1h")
            + line(r.scores[.sixHours] ?? [], maxV: 100, color: "#6a1b9a", id: "score-6h")
            + line(r.scores[.day] ?? [], maxV: 100, color: "#ef6c00", id: "score-24h")
            + axisSVG(r, x0: label, width: w - label, y: h + 12) + "</svg>"
        var rows = ""
        for e in r.episodes {
            rows += "<tr class=\"\(e.label.rawValue)\"><td>\(e.label.rawValue)</td><td>\(time(e.start))</td><td>\(time(e.end))\(e.ongoing ? " (ongoing)" : "")</td>"
                + "<td>\(DurationText.prose(e.durationSeconds))\(e.ongoing ? " so far" : "")</td><td>\(e.kind.rawValue)</td><td>\(e.extent.blocksDown)/\(e.extent.blocksRouted)</td>"
                + "<td>\(Analyzer.percent(e.extent.spaceShare))</td><td>\(String(format: "%.0f %% of %d", e.peersDownShare * 100, e.peersKnown))</td>"
                + "<td>\(String(format: "%.0f", e.score))</td><td class=\"why\">\(esc(e.explanation))</td></tr>\n"
        }
        var periods = ""
        for q in r.periods {
            periods += "<tr><td>\(q.id)</td><td>\(time(q.start))</td><td>\(time(q.end))</td><td>\(q.episodes)</td><td>\(String(format: "%.2f", q.ratePerHour))</td><td>\(String(format: "%.0f %%", q.downtimeShare * 100))</td><td>\(DurationText.prose(q.medianGapSeconds))</td><td>\(String(format: "%.2f", q.gapCV))</td><td>\(DurationText.prose(q.longestEpisodeSeconds))</td><td>\(q.churn)</td><td>\(String(format: "%.0f", q.score))</td><td>\(esc(q.trend.text))</td></tr>\n"
        }
        let discounted = r.discounted.map { "<li>\(esc(discountedText($0)))</li>" }.joined(separator: "\n")
        let p = r.parameters
        let mergeNote = ClassifyText.binMergeNote(r).map { "<p class=\"meta\">\(esc($0))</p>" } ?? ""
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>BGP outage report: \(esc(sources.scopeText))</title>
        <style>
        body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; max-width: 1000px; margin: 2em auto; color: #212121; }
        h1 { font-size: 1.6em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 1.6em; }
        .verdict { font-size: 1.1em; background: #f5f5f5; border-left: 4px solid #c62828; padding: .8em 1em; }
        table { border-collapse: collapse; width: 100%; font-size: 12px; } th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
        th { background: #fafafa; } td.why { color: #555; } tr.hard_outage td:first-child { color: #c62828; font-weight: bold; }
        tr.partial_outage td:first-child { color: #ef6c00; font-weight: bold; }
        .legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: middle; }
        svg { width: 100%; height: auto; } .meta { color: #555; }
        @media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } svg, table { page-break-inside: avoid; } }
        </style></head><body>
        <h1>BGP outage report: \(esc(sources.scopeText))</h1>
        <p class="meta">\(time(r.from)) to \(time(r.to)) · \(esc(blocksSummary(r))) · \(r.eligiblePeers) full-feed peers of \(r.peers) at \(r.collectors.count) collectors</p>
        <p class="verdict" id="verdict">\(esc(r.verdict))</p>
        <h2>Routed address space</h2>
        \(routedSVG)
        \(heat)
        <h2>Instability score</h2>
        <p class="legend"><span style="background:#9e9e9e"></span>1 h<span style="background:#6a1b9a"></span>6 h<span style="background:#ef6c00"></span>24 h</p>
        \(scoreSVG)
        \(r.periods.isEmpty ? "" : "<h2>Periods of continuous instability</h2>\n<table><tr><th>#</th><th>start</th><th>end</th><th>episodes</th><th>per hour</th><th>down</th><th>median gap</th><th>gap CV</th><th>longest</th><th>churn</th><th>score</th><th>trend</th></tr>\n\(periods)</table>")
        <h2>Episodes</h2>
        \(r.episodes.isEmpty ? "<p>None.</p>" : "<table id=\"episodes\"><tr><th>label</th><th>start</th><th>end</th><th>duration</th><th>kind</th><th>blocks</th><th>space</th><th>peers down</th><th>score</th><th>why</th></tr>\n\(rows)</table>")
        \(mergeNote)
        <h2>Discounted</h2>
        \(r.discounted.isEmpty ? "<p>Nothing: no peer session reset or data gap touched the range.</p>" : "<ul>\n\(discounted)\n</ul>")
        <h2>Data and parameters</h2>
        <ul>
        <li>Store <code>\(esc(sources.store))</code>: \(sources.files) files (\(sources.damagedFiles) damaged), collectors \(esc(sources.collectors.joined(separator: ", "))), \(sources.peers) peers</li>
        <li>Scope: \(esc(blocksText(r)))</li>
        <li>Parameters: bin \(DurationText.prose(Double(p.binSeconds))), visible ratio \(p.visibleRatio), min peers \(p.minPeers), full-feed ratio \(p.fullFeedRatio), settle \(DurationText.prose(Double(p.settleSeconds))), hard min \(DurationText.prose(Double(p.hardMinSeconds))) at \(Analyzer.percent(p.hardExtent)) of routed space, isolation \(DurationText.prose(Double(p.isolationSeconds)))</li>
        <li>RIB/update disagreements: \(r.ribDisagreements)</li>
        \(r.warnings.map { "<li>Warning: \(esc($0))</li>" }.joined(separator: "\n"))
        </ul>
        <p class="meta">Method: docs/method.md. Written by nkwatch.</p>
        </body></html>

        """
    }

    static let legend = "<p class=\"legend\"><span style=\"background:#2e7d32\"></span>up<span style=\"background:#f9a825\"></span>partial<span style=\"background:#c62828\"></span>down<span style=\"background:#bdbdbd\"></span>unknown</p>\n"

    static func axisSVG(_ r: AnalysisResult, x0: Double, width: Double, y: Double, ticksBelow: Bool = false) -> String {
        guard let first = r.bins.first?.start.seconds else { return "" }
        let span = Int64(r.bins.count) * r.parameters.binSeconds
        let step: Int64 = span > 4 * 86400 ? 86400 : span > 36 * 3600 ? 21600 : span > 12 * 3600 ? 3 * 3600 : 3600
        var out = ""
        var t = (first / step + (first % step == 0 ? 0 : 1)) * step
        while t < first + span {
            let x = x0 + Double(t - first) / Double(span) * width
            let text = t % 86400 == 0 ? String(Timestamp(seconds: t).iso.prefix(10)) : Timestamp(seconds: t).hhmm
            let (t0, t1) = ticksBelow ? (y + 2, y + 6) : (y - 12, y - 8)
            out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#777\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%@</text>", x, t0, x, t1, x + 2, y, text)
            t += step
        }
        return out
    }
}
