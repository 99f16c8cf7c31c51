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

    public static func markdown(_ r: AnalysisResult, sources: DataSources) -> String {
        var out = "# BGP outage report: \(sources.scopeText)\n\n"
        out += "\(time(r.from)) to \(time(r.to)) · \(r.blocks.count) blocks · \(r.eligiblePeers) full-feed peers of \(r.peers) at \(r.collectors.count) collectors\n\n"
        out += "## Verdict\n\n\(r.verdict)\n\n"
        out += "## Visibility\n\nOne row per block; `█` up, `▒` partial, `░` down, `·` unknown; then routed blocks, update churn, the 6 h instability score and the episodes.\n\n"
        out += "```\n" + TimelineRenderer.text(r, title: "visibility per block (UTC)", style: TerminalStyle(width: 100)) + "```\n\n"
        let peak = r.scores[.sixHours]?.max() ?? 0
        out += "Instability score (6 h window): peak \(String(format: "%.0f", peak)) / 100.\n\n"
        if !r.periods.isEmpty {
            out += "## Periods of continuous instability\n\n| # | start | end | episodes | per hour | down | median gap | gap CV | longest | churn | score |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
            for q in r.periods {
                out += "| \(q.id) | \(time(q.start)) | \(time(q.end)) | \(q.episodes) | \(String(format: "%.2f", q.ratePerHour)) | \(String(format: "%.0f %%", q.downtimeShare * 100)) | \(DurationText.prose(q.medianGapSeconds)) | \(String(format: "%.2f", q.gapCV)) | \(DurationText.prose(q.longestEpisodeSeconds)) | \(q.churn) | \(String(format: "%.0f", q.score)) |\n"
            }
            out += "\n"
        }
        out += "## Episodes\n\n"
        if r.episodes.isEmpty { out += "None.\n\n" } else {
            out += "| label | start | end | duration | kind | blocks | peers down | score | why |\n|---|---|---|---|---|---|---|---|---|\n"
            for e in r.episodes {
                out += "| \(e.label.rawValue) | \(time(e.start)) | \(time(e.end)) | \(DurationText.prose(e.durationSeconds)) | \(e.kind.rawValue) | \(e.blocks.count)/\(r.blocks.count) | \(String(format: "%.0f %% of %d", e.peersDownShare * 100, e.peersKnown)) | \(String(format: "%.0f", e.score)) | \(e.explanation.replacingOccurrences(of: "|", with: "/")) |\n"
            }
            out += "\n"
        }
        out += "## Discounted\n\n"
        if r.discounted.isEmpty { out += "Nothing: no peer session reset or data gap touched the range.\n\n" } else {
            for d in r.discounted { out += "- \(d.kind.prose): \(d.what), \(time(d.start)) to \(time(d.end))\n" }
            out += "\n"
        }
        out += "## Data and parameters\n\n"
        out += "- Store: `\(sources.store)`: \(sources.files) files (\(sources.damagedFiles) damaged), collectors \(sources.collectors.joined(separator: ", ")), \(sources.peers) peers\n"
        out += "- Scope: \(sources.scopeText); blocks \(r.blocks.map(\.description).joined(separator: ", "))\n"
        let p = r.parameters
        out += "- Parameters: bin \(DurationText.prose(Double(p.binSeconds))), visible ratio \(p.visibleRatio), min peers \(p.minPeers), full-feed ratio \(p.fullFeedRatio), settle \(DurationText.prose(Double(p.settleSeconds))), hard min \(DurationText.prose(Double(p.hardMinSeconds))), isolation \(DurationText.prose(Double(p.isolationSeconds)))\n"
        out += "- RIB/update disagreements: \(r.ribDisagreements)\n"
        for w in r.warnings { out += "- Warning: \(w)\n" }
        out += "\nMethod: docs/method.md. Written by nkwatch.\n"
        return out
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

    /// A self-contained page: inline SVG and CSS, no network, prints well.
    public static func html(_ r: AnalysisResult, sources: DataSources) -> String {
        let w = 960.0, label = 130.0, rowH = 18.0
        let n = max(1, r.bins.count)
        let cw = (w - label) / Double(n)
        var svg = "<svg id=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(w)) \(Int(Double(r.blocks.count) * rowH + 30))\" role=\"img\" aria-label=\"visibility per block\">"
        for (bi, block) in r.blocks.enumerated() {
            let y = Double(bi) * rowH
            svg += "<text x=\"0\" y=\"\(y + 13)\" font-size=\"11\">\(esc(block.description))</text>"
            var i = 0
            while i < r.bins.count {
                let st = r.bins[i].blocks[bi].state
                var j = i
                while j + 1 < r.bins.count && r.bins[j + 1].blocks[bi].state == st { j += 1 }
                let color = st == .up ? "#2e7d32" : st == .partial ? "#f9a825" : st == .down ? "#c62828" : "#bdbdbd"
                svg += String(format: "<rect class=\"%@\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%@\"><title>%@ %@ %@</title></rect>",
                              st.rawValue, label + Double(i) * cw, y + 2, Double(j - i + 1) * cw, rowH - 4, color, esc(block.description), r.bins[i].start.iso, st.rawValue)
                i = j + 1
            }
        }
        svg += axisSVG(r, x0: label, width: w - label, y: Double(r.blocks.count) * rowH + 14) + "</svg>"
        // Routed count and the 6 h score as lines.
        let h = 120.0
        func line(_ values: [Double], maxV: Double, color: String, id: String) -> String {
            guard !values.isEmpty else { return "" }
            let pts = values.enumerated().map { i, v in String(format: "%.1f,%.1f", label + (Double(i) + 0.5) * cw, h - 10 - (maxV > 0 ? v / maxV : 0) * (h - 20)) }
            return "<polyline id=\"\(id)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(pts.joined(separator: " "))\"/>"
        }
        let routedSVG = "<svg id=\"routed\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(w)) \(Int(h + 20))\"><text x=\"0\" y=\"14\" font-size=\"11\">routed blocks (0–\(r.blocks.count))</text>"
            + "<line x1=\"\(label)\" y1=\"\(h - 10)\" x2=\"\(w)\" y2=\"\(h - 10)\" stroke=\"#999\"/>"
            + line(r.bins.map { Double($0.routed) }, maxV: Double(r.blocks.count), color: "#1565c0", id: "routed-line")
            + axisSVG(r, x0: label, width: w - label, y: h + 12) + "</svg>"
        let scoreSVG = "<svg id=\"score\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(w)) \(Int(h + 20))\"><text x=\"0\" y=\"14\" font-size=\"11\">instability score 0–100</text>"
            + "<line x1=\"\(label)\" y1=\"\(h - 10)\" x2=\"\(w)\" y2=\"\(h - 10)\" stroke=\"#999\"/>"
            + line(r.scores[.oneHour] ?? [], maxV: 100, color: "#9e9e9e", id: "score-1h")
            + line(r.scores[.sixHours] ?? [], maxV: 100, color: "#6a1b9a", id: "score-6h")
            + line(r.scores[.day] ?? [], maxV: 100, color: "#ef6c00", id: "score-24h")
            + axisSVG(r, x0: label, width: w - label, y: h + 12) + "</svg>"
        var rows = ""
        for e in r.episodes {
            rows += "<tr class=\"\(e.label.rawValue)\"><td>\(e.label.rawValue)</td><td>\(time(e.start))</td><td>\(time(e.end))</td><td>\(DurationText.prose(e.durationSeconds))</td><td>\(e.kind.rawValue)</td><td>\(e.blocks.count)/\(r.blocks.count)</td><td>\(String(format: "%.0f %% of %d", e.peersDownShare * 100, e.peersKnown))</td><td>\(String(format: "%.0f", e.score))</td><td class=\"why\">\(esc(e.explanation))</td></tr>\n"
        }
        var periods = ""
        for q in r.periods {
            periods += "<tr><td>\(q.id)</td><td>\(time(q.start))</td><td>\(time(q.end))</td><td>\(q.episodes)</td><td>\(String(format: "%.2f", q.ratePerHour))</td><td>\(String(format: "%.0f %%", q.downtimeShare * 100))</td><td>\(DurationText.prose(q.medianGapSeconds))</td><td>\(String(format: "%.2f", q.gapCV))</td><td>\(DurationText.prose(q.longestEpisodeSeconds))</td><td>\(q.churn)</td><td>\(String(format: "%.0f", q.score))</td></tr>\n"
        }
        let discounted = r.discounted.map { "<li>\($0.kind.prose): \(esc($0.what)), \(time($0.start)) to \(time($0.end))</li>" }.joined(separator: "\n")
        let p = r.parameters
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>BGP outage report: \(esc(sources.scopeText))</title>
        <style>
        body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; max-width: 1000px; margin: 2em auto; color: #212121; }
        h1 { font-size: 1.6em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 1.6em; }
        .verdict { font-size: 1.1em; background: #f5f5f5; border-left: 4px solid #c62828; padding: .8em 1em; }
        table { border-collapse: collapse; width: 100%; font-size: 12px; } th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
        th { background: #fafafa; } td.why { color: #555; } tr.hard_outage td:first-child { color: #c62828; font-weight: bold; }
        .legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: middle; }
        svg { width: 100%; height: auto; } .meta { color: #555; }
        @media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } svg, table { page-break-inside: avoid; } }
        </style></head><body>
        <h1>BGP outage report: \(esc(sources.scopeText))</h1>
        <p class="meta">\(time(r.from)) to \(time(r.to)) · \(r.blocks.count) blocks · \(r.eligiblePeers) full-feed peers of \(r.peers) at \(r.collectors.count) collectors</p>
        <p class="verdict" id="verdict">\(esc(r.verdict))</p>
        <h2>Visibility per block</h2>
        <p class="legend"><span style="background:#2e7d32"></span>up<span style="background:#f9a825"></span>partial<span style="background:#c62828"></span>down<span style="background:#bdbdbd"></span>unknown</p>
        \(svg)
        <h2>Routed blocks</h2>
        \(routedSVG)
        <h2>Instability score</h2>
        <p class="legend"><span style="background:#9e9e9e"></span>1 h<span style="background:#6a1b9a"></span>6 h<span style="background:#ef6c00"></span>24 h</p>
        \(scoreSVG)
        \(r.periods.isEmpty ? "" : "<h2>Periods of continuous instability</h2>\n<table><tr><th>#</th><th>start</th><th>end</th><th>episodes</th><th>per hour</th><th>down</th><th>median gap</th><th>gap CV</th><th>longest</th><th>churn</th><th>score</th></tr>\n\(periods)</table>")
        <h2>Episodes</h2>
        \(r.episodes.isEmpty ? "<p>None.</p>" : "<table id=\"episodes\"><tr><th>label</th><th>start</th><th>end</th><th>duration</th><th>kind</th><th>blocks</th><th>peers down</th><th>score</th><th>why</th></tr>\n\(rows)</table>")
        <h2>Discounted</h2>
        \(r.discounted.isEmpty ? "<p>Nothing: no peer session reset or data gap touched the range.</p>" : "<ul>\n\(discounted)\n</ul>")
        <h2>Data and parameters</h2>
        <ul>
        <li>Store <code>\(esc(sources.store))</code>: \(sources.files) files (\(sources.damagedFiles) damaged), collectors \(esc(sources.collectors.joined(separator: ", "))), \(sources.peers) peers</li>
        <li>Blocks: \(esc(r.blocks.map(\.description).joined(separator: ", ")))</li>
        <li>Parameters: bin \(DurationText.prose(Double(p.binSeconds))), visible ratio \(p.visibleRatio), min peers \(p.minPeers), full-feed ratio \(p.fullFeedRatio), settle \(DurationText.prose(Double(p.settleSeconds))), hard min \(DurationText.prose(Double(p.hardMinSeconds))), isolation \(DurationText.prose(Double(p.isolationSeconds)))</li>
        <li>RIB/update disagreements: \(r.ribDisagreements)</li>
        </ul>
        <p class="meta">Method: docs/method.md. Written by nkwatch.</p>
        </body></html>

        """
    }

    static func axisSVG(_ r: AnalysisResult, x0: Double, width: Double, y: Double) -> String {
        guard let first = r.bins.first?.start.seconds else { return "" }
        let span = Int64(r.bins.count) * r.parameters.binSeconds
        let step: Int64 = span > 4 * 86400 ? 86400 : span > 36 * 3600 ? 21600 : span > 12 * 3600 ? 3 * 3600 : 3600
        var out = ""
        var t = (first / step + (first % step == 0 ? 0 : 1)) * step
        while t < first + span {
            let x = x0 + Double(t - first) / Double(span) * width
            let text = t % 86400 == 0 ? String(Timestamp(seconds: t).iso.prefix(10)) : Timestamp(seconds: t).hhmm
            out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#777\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%@</text>", x, y - 12, x, y - 8, x + 2, y, text)
            t += step
        }
        return out
    }
}
