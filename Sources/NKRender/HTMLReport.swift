import Foundation
import MRT
import NKAnalysis
import NKModel

/// The HTML report: one self-contained page (inline CSS and SVG, one inline
/// line of script that opens the collapsed rows for printing), for a
/// journalist and an analyst. A headline first — what happened, when, how
/// long, how much of the scope — then the verdict, charts that share one UTC
/// time axis with hour ticks and the episodes shaded on each, and the
/// episodes, an instability period as one row that opens to its outages.
/// Every chart is drawn twice, wide and narrow; CSS shows the one that fits
/// (a phone at 420 px gets the narrow one, with text no smaller than on a
/// desktop).
enum HTMLReport {
    /// The geometry of one rendering of the charts.
    struct Layout {
        var name: String
        var width: Double
        /// The column of row labels and y-axis ticks.
        var label: Double
        var font: Double
        var rowHeight: Double
        /// Fewest chart units between two time-axis labels.
        var tickSpacing: Double
        var right: Double { 10 }
        var plotWidth: Double { width - label - right }

        static let wide = Layout(name: "wide", width: 960, label: 150, font: 12, rowHeight: 18, tickSpacing: 70)
        static let narrow = Layout(name: "narrow", width: 480, label: 132, font: 14, rowHeight: 22, tickSpacing: 80)
    }

    static func esc(_ s: String) -> String { ReportRenderer.esc(s) }
    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func x(_ t: Timestamp, _ r: AnalysisResult, _ l: Layout) -> Double {
        let span = Double(max(1, r.from.microseconds.distance(to: r.to.microseconds)))
        let at = Double(r.from.microseconds.distance(to: t.microseconds))
        return l.label + max(0, min(1, at / span)) * l.plotWidth
    }

    static func binX(_ i: Int, _ r: AnalysisResult, _ l: Layout) -> Double {
        l.label + (Double(i) + 0.5) / Double(max(1, r.bins.count)) * l.plotWidth
    }

    // MARK: Colours and names

    static func color(_ label: Label) -> String {
        switch label {
        case .hardOutage: return "#c62828"
        case .partialOutage: return "#ef6c00"
        case .continuousInstability: return "#f9a825"
        case .shortOutage: return "#8e24aa"
        case .isolatedBlip: return "#00838f"
        }
    }

    static func words(_ label: Label) -> String { label.rawValue.replacingOccurrences(of: "_", with: " ") }

    static func episodeTitle(_ e: Episode) -> String {
        "\(words(e.label)): \(e.start.prose) → \(e.end.prose)\(e.ongoing ? " (ongoing)" : "") · \(DurationText.prose(e.durationSeconds))"
            + " · \(e.extent.blocksDown) of \(e.extent.blocksRouted) networks down"
    }

    // MARK: Time axis and episode shading

    /// Tick times and labels: days as `22 Dec`, hours as `12:00`, as dense
    /// as the width allows.
    static func ticks(_ r: AnalysisResult, _ l: Layout) -> [(t: Int64, text: String, major: Bool)] {
        let span = max(1, r.from.seconds.distance(to: r.to.seconds))
        let steps: [Int64] = [900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172_800, 604_800, 2_592_000]
        let step = steps.first { l.plotWidth / (Double(span) / Double($0)) >= l.tickSpacing } ?? steps.last!
        var out: [(Int64, String, Bool)] = []
        var t = (r.from.seconds / step + (r.from.seconds % step == 0 ? 0 : 1)) * step
        while t < r.to.seconds {
            let ts = Timestamp(seconds: t)
            let midnight = t % 86400 == 0
            out.append((t, midnight ? ts.dayMonth : ts.hhmm, midnight))
            t += step
        }
        return out
    }

    /// The time axis under a plot whose bottom is at `y`: ticks, labels and "UTC".
    static func axis(_ r: AnalysisResult, _ l: Layout, y: Double) -> String {
        var s = "<g class=\"axis\"><line x1=\"\(f(l.label))\" y1=\"\(f(y))\" x2=\"\(f(l.width - l.right))\" y2=\"\(f(y))\" stroke=\"#757575\"/>"
        s += "<text x=\"0\" y=\"\(f(y + l.font + 4))\" font-size=\"\(f(l.font))\" fill=\"#424242\">UTC</text>"
        for tick in ticks(r, l) {
            let tx = x(Timestamp(seconds: tick.t), r, l)
            s += "<line x1=\"\(f(tx))\" y1=\"\(f(y))\" x2=\"\(f(tx))\" y2=\"\(f(y + 5))\" stroke=\"#757575\"/>"
            s += "<text x=\"\(f(tx))\" y=\"\(f(y + l.font + 4))\" font-size=\"\(f(l.font))\" text-anchor=\"middle\""
                + (tick.major ? " font-weight=\"bold\"" : "") + " fill=\"#424242\">\(esc(tick.text))</text>"
        }
        return s + "</g>"
    }

    /// Vertical grid lines at the axis ticks, from `top` to `bottom`.
    static func timeGrid(_ r: AnalysisResult, _ l: Layout, top: Double, bottom: Double) -> String {
        ticks(r, l).map { tick in
            let tx = x(Timestamp(seconds: tick.t), r, l)
            return "<line x1=\"\(f(tx))\" y1=\"\(f(top))\" x2=\"\(f(tx))\" y2=\"\(f(bottom))\" stroke=\"\(tick.major ? "#bdbdbd" : "#e0e0e0")\"/>"
        }.joined()
    }

    /// The episodes shaded over a plot (hover: label, times, extent), each
    /// instability period as one band.
    static func shading(_ r: AnalysisResult, _ l: Layout, top: Double, bottom: Double) -> String {
        var s = "<g class=\"episodes\">"
        for q in r.periods {
            let x0 = x(q.start, r, l), x1 = x(q.end, r, l)
            s += "<rect class=\"period\" x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(max(1.5, x1 - x0)))\" height=\"\(f(bottom - top))\" "
                + "fill=\"\(color(.continuousInstability))\" fill-opacity=\"0.10\"><title>continuous instability: \(esc(q.start.prose)) → \(esc(q.end.prose)) · "
                + "\(q.episodes) outages, \(esc(q.trend.direction.rawValue))</title></rect>"
        }
        for e in r.episodes {
            let x0 = x(e.start, r, l), x1 = x(e.end, r, l)
            s += "<rect class=\"episode \(e.label.rawValue)\" x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(max(1.5, x1 - x0)))\" height=\"\(f(bottom - top))\" "
                + "fill=\"\(color(e.label))\" fill-opacity=\"\(e.label == .hardOutage || e.label == .partialOutage ? "0.22" : "0.16")\">"
                + "<title>\(esc(episodeTitle(e)))</title></rect>"
        }
        return s + "</g>"
    }

    /// The lane above a plot that names the episodes: outages with their
    /// length where there is room, instability periods as a bracket.
    static func lane(_ r: AnalysisResult, _ l: Layout, y: Double) -> String {
        var s = "<g class=\"lane\">"
        let charWidth = l.font * 0.6
        for q in r.periods {
            let x0 = x(q.start, r, l), x1 = x(q.end, r, l)
            s += "<line x1=\"\(f(x0))\" y1=\"\(f(y))\" x2=\"\(f(x1))\" y2=\"\(f(y))\" stroke=\"\(color(.continuousInstability))\" stroke-width=\"4\"/>"
            let text = "instability: \(q.episodes) outages"
            let short = "\(q.episodes) outages"
            let room = x1 - x0
            let shown = Double(text.count) * charWidth <= room ? text : Double(short.count) * charWidth <= room ? short : nil
            if let shown {
                s += "<text x=\"\(f(x0))\" y=\"\(f(y - 5))\" font-size=\"\(f(l.font))\" fill=\"#8d6e00\">\(esc(shown))</text>"
            }
        }
        for e in r.episodes where e.label != .continuousInstability {
            let x0 = x(e.start, r, l), x1 = x(e.end, r, l)
            s += "<line x1=\"\(f(x0))\" y1=\"\(f(y))\" x2=\"\(f(max(x0 + 2, x1)))\" y2=\"\(f(y))\" stroke=\"\(color(e.label))\" stroke-width=\"4\"><title>\(esc(episodeTitle(e)))</title></line>"
            guard e.label == .hardOutage || e.label == .partialOutage else { continue }
            let name = e.label == .hardOutage ? "hard outage" : "partial outage"
            let text = "\(name) \(DurationText.prose(e.durationSeconds))\(e.ongoing ? " so far" : "")"
            let anchorEnd = x0 + Double(text.count) * charWidth > l.width - l.right
            s += "<text x=\"\(f(anchorEnd ? max(x1, x0) : x0))\" y=\"\(f(y - 5))\" font-size=\"\(f(l.font))\" font-weight=\"bold\" fill=\"\(color(e.label))\""
                + (anchorEnd ? " text-anchor=\"end\"" : "") + ">\(esc(text))</text>"
        }
        return s + "</g>"
    }

    /// Horizontal grid lines and y-axis labels for values `ticks` on a scale
    /// of 0…`max` drawn from `bottom` up to `top`.
    static func yAxis(_ ticks: [(Double, String)], max: Double, _ l: Layout, top: Double, bottom: Double) -> String {
        ticks.map { v, text in
            let y = bottom - (max > 0 ? v / max : 0) * (bottom - top)
            return "<line x1=\"\(f(l.label))\" y1=\"\(f(y))\" x2=\"\(f(l.width - l.right))\" y2=\"\(f(y))\" stroke=\"\(v == 0 ? "#9e9e9e" : "#eeeeee")\"/>"
                + "<text x=\"\(f(l.label - 6))\" y=\"\(f(y + l.font * 0.35))\" font-size=\"\(f(l.font))\" text-anchor=\"end\" fill=\"#616161\">\(esc(text))</text>"
        }.joined()
    }

    /// 0 and round numbers up to at least `v`: the top of a count axis.
    static func niceMax(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        let p = pow(10, floor(log10(v)))
        for m in [1.0, 2, 2.5, 5, 10] where m * p >= v { return m * p }
        return 10 * p
    }

    static func svgOpen(_ id: String, _ l: Layout, height: Double, label: String) -> String {
        "<svg class=\"chart \(l.name)\" id=\"\(id)-\(l.name)\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(l.width)) \(Int(height.rounded(.up)))\" "
            + "role=\"img\" aria-label=\"\(esc(label))\" font-family=\"-apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif\">"
    }

    static func polyline(_ values: [Double], max: Double, _ r: AnalysisResult, _ l: Layout, top: Double, bottom: Double, color: String, cls: String,
                         dash: String? = nil) -> String {
        guard !values.isEmpty else { return "" }
        let pts = values.enumerated().map { i, v in "\(f(binX(i, r, l))),\(f(bottom - (max > 0 ? Swift.min(v, max) / max : 0) * (bottom - top)))" }
        return "<polyline class=\"\(cls)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"" + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")
            + " points=\"\(pts.joined(separator: " "))\"/>"
    }

    // MARK: Charts

    /// Routed blocks and routed /24s as shares of the scope (IODA's BGP signal).
    static func routedChart(_ r: AnalysisResult, _ l: Layout) -> String {
        let laneY = l.font + 8, top = laneY + 8, bottom = top + 150
        let total24 = r.blocks.reduce(0.0) { $0 + Double($1.slash24Equivalents) }
        var s = svgOpen("routed", l, height: bottom + l.font + 12, label: "routed share of the scope over time")
        s += shading(r, l, top: top, bottom: bottom) + timeGrid(r, l, top: top, bottom: bottom)
        s += yAxis([(0, "0 %"), (25, "25 %"), (50, "50 %"), (75, "75 %"), (100, "100 %")], max: 100, l, top: top, bottom: bottom)
        let n = Double(max(1, r.blocks.count))
        s += polyline(r.bins.map { Double($0.routed) / n * 100 }, max: 100, r, l, top: top, bottom: bottom, color: "#1565c0", cls: "routed-blocks")
        s += polyline(r.bins.map { total24 > 0 ? $0.routedSlash24 / total24 * 100 : 0 }, max: 100, r, l, top: top, bottom: bottom,
                      color: "#00897b", cls: "routed-slash24", dash: "5 3")
        s += lane(r, l, y: laneY) + axis(r, l, y: bottom)
        return s + "</svg>"
    }

    /// One heat-map row: a label and a state per bin.
    struct HeatRow {
        var label: String
        var states: [RowState]
    }

    static func stateColor(_ st: RowState) -> String { ReportRenderer.color(st) }

    static func heatmap(_ rows: [HeatRow], _ r: AnalysisResult, _ l: Layout, id: String) -> String {
        let laneY = l.font + 8, top = laneY + 8
        let bottom = top + Double(rows.count) * l.rowHeight
        var s = svgOpen(id, l, height: bottom + l.font + 12, label: "visibility per block over time")
        let cw = l.plotWidth / Double(max(1, r.bins.count))
        for (ri, row) in rows.enumerated() {
            let y = top + Double(ri) * l.rowHeight
            s += "<text x=\"0\" y=\"\(f(y + l.rowHeight * 0.5 + l.font * 0.35))\" font-size=\"\(f(l.font))\" fill=\"#212121\">\(esc(row.label))</text>"
            var i = 0
            while i < row.states.count {
                let st = row.states[i]
                var j = i
                while j + 1 < row.states.count && row.states[j + 1] == st { j += 1 }
                s += "<rect class=\"\(ReportRenderer.name(st))\" x=\"\(f(l.label + Double(i) * cw))\" y=\"\(f(y + 2))\" width=\"\(f(Double(j - i + 1) * cw))\" "
                    + "height=\"\(f(l.rowHeight - 4))\" fill=\"\(stateColor(st))\"><title>\(esc(row.label)) \(esc(ReportRenderer.name(st))): "
                    + "\(esc(r.bins[i].start.prose)) → \(esc(r.bins[j].start.adding(seconds: r.parameters.binSeconds).prose))</title></rect>"
                i = j + 1
            }
        }
        // Outages outlined over the rows, so the cells keep their colours.
        for e in r.episodes where e.label == .hardOutage || e.label == .partialOutage {
            let x0 = x(e.start, r, l), x1 = x(e.end, r, l)
            s += "<rect x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(max(1.5, x1 - x0)))\" height=\"\(f(bottom - top))\" fill=\"none\" stroke=\"\(color(e.label))\" "
                + "stroke-width=\"1.5\"><title>\(esc(episodeTitle(e)))</title></rect>"
        }
        s += lane(r, l, y: laneY) + axis(r, l, y: bottom)
        return s + "</svg>"
    }

    /// Update churn (announcements and withdrawals of the scope) per bin, as bars.
    static func churnChart(_ r: AnalysisResult, _ l: Layout) -> String {
        let laneY = l.font + 8, top = laneY + 8, bottom = top + 110
        let peak = Double(r.bins.map(\.churn).max() ?? 0)
        let top2 = niceMax(peak)
        var s = svgOpen("churn", l, height: bottom + l.font + 12, label: "update churn per bin")
        s += shading(r, l, top: top, bottom: bottom) + timeGrid(r, l, top: top, bottom: bottom)
        s += yAxis([(0, "0"), (top2 / 2, String(format: "%g", top2 / 2)), (top2, String(format: "%g", top2))], max: top2, l, top: top, bottom: bottom)
        let cw = l.plotWidth / Double(max(1, r.bins.count))
        var bars = "<g class=\"bars\" fill=\"#5c6bc0\">"
        for (i, b) in r.bins.enumerated() where b.churn > 0 {
            let h = Double(b.churn) / top2 * (bottom - top)
            bars += "<rect x=\"\(f(l.label + Double(i) * cw))\" y=\"\(f(bottom - h))\" width=\"\(f(max(0.6, cw * 0.9)))\" height=\"\(f(h))\">"
                + "<title>\(esc(b.start.prose)): \(b.announcements) announcements, \(b.withdrawals) withdrawals</title></rect>"
        }
        s += bars + "</g>" + lane(r, l, y: laneY) + axis(r, l, y: bottom)
        return s + "</svg>"
    }

    /// The instability score of the three windows, 0–100.
    static func scoreChart(_ r: AnalysisResult, _ l: Layout) -> String {
        let laneY = l.font + 8, top = laneY + 8, bottom = top + 130
        var s = svgOpen("score", l, height: bottom + l.font + 12, label: "instability score over time")
        s += shading(r, l, top: top, bottom: bottom) + timeGrid(r, l, top: top, bottom: bottom)
        s += yAxis([(0, "0"), (25, "25"), (50, "50"), (75, "75"), (100, "100")], max: 100, l, top: top, bottom: bottom)
        s += polyline(r.scores[.oneHour] ?? [], max: 100, r, l, top: top, bottom: bottom, color: "#9e9e9e", cls: "score-1h")
        s += polyline(r.scores[.day] ?? [], max: 100, r, l, top: top, bottom: bottom, color: "#ef6c00", cls: "score-24h", dash: "6 3")
        s += polyline(r.scores[.sixHours] ?? [], max: 100, r, l, top: top, bottom: bottom, color: "#6a1b9a", cls: "score-6h")
        s += lane(r, l, y: laneY) + axis(r, l, y: bottom)
        return s + "</svg>"
    }

    /// Both renderings of a chart; CSS shows one.
    static func both(_ draw: (Layout) -> String) -> String { draw(.wide) + "\n" + draw(.narrow) }

    static func key(_ items: [(color: String, text: String, dashed: Bool)]) -> String {
        "<p class=\"key\">" + items.map { c, t, d in
            "<span class=\"swatch\(d ? " dashed" : "")\" style=\"--c:\(c)\"></span>\(esc(t))"
        }.joined(separator: " ") + "</p>"
    }

    // MARK: Headline and episodes

    /// The big-type block: the headline, then the few numbers behind it.
    static func headline(_ r: AnalysisResult, sources: DataSources) -> String {
        var facts: [(String, String)] = []
        let outages = r.episodes.filter { $0.label == .hardOutage || $0.label == .partialOutage }
        if let worst = outages.max(by: { ($0.label == .hardOutage ? 1 : 0, $0.durationSeconds) < ($1.label == .hardOutage ? 1 : 0, $1.durationSeconds) }) {
            facts.append((worst.ongoing ? "down so far" : "down for", DurationText.prose(worst.durationSeconds)))
            facts.append(("from", worst.start.headlineText))
            facts.append(("networks down", "\(worst.extent.blocksDown) of \(worst.extent.blocksRouted) (\(Analyzer.percent(worst.extent.spaceShare)) of the space)"))
            facts.append(("peers that lost it", "\(Analyzer.percent(worst.peersDownShare)) of \(worst.peersKnown)"))
        }
        if let q = r.periods.max(by: { $0.episodes < $1.episodes }) {
            facts.append(("instability", "\(q.episodes) outages in \(DurationText.prose(q.start.seconds(until: q.end))), \(q.trend.direction.rawValue)"))
        }
        facts.append(("episodes in the range", String(r.episodes.count)))
        let place = sources.scopeName.map { "\($0) · " } ?? ""
        var s = "<header class=\"headline\">\n<p class=\"kicker\">BGP outage report · \(esc(place))\(esc(sources.scopeSummary))</p>\n"
        s += "<h1 id=\"headline\">\(esc(r.headline))</h1>\n"
        s += "<p class=\"meta\">\(esc(r.from.dayMonthYear)) \(esc(r.from.hhmm)) to \(esc(r.to.dayMonthYear)) \(esc(r.to.hhmm)) UTC · "
            + "\(esc(ReportRenderer.blocksSummary(r))) · \(r.eligiblePeers) full-feed peers of \(r.peers) at \(esc(TextLayout.counted(r.collectors.count, "collector")))</p>\n"
        s += "<dl class=\"facts\">" + facts.map { "<div><dt>\(esc($0.0))</dt><dd>\(esc($0.1))</dd></div>" }.joined() + "</dl>\n</header>\n"
        return s
    }

    static func episodeRow(_ e: Episode) -> String {
        "<tr class=\"\(e.label.rawValue)\"><td data-label=\"label\" class=\"label\">\(esc(words(e.label)))</td>"
            + "<td data-label=\"start\" class=\"time\">\(esc(e.start.dayMonth)) \(esc(e.start.hhmm))</td>"
            + "<td data-label=\"end\" class=\"time\">\(esc(e.end.dayMonth)) \(esc(e.end.hhmm))\(e.ongoing ? " (ongoing)" : "")</td>"
            + "<td data-label=\"duration\" class=\"num\">\(esc(DurationText.prose(e.durationSeconds)))\(e.ongoing ? " so far" : "")</td>"
            + "<td data-label=\"networks down\" class=\"num\">\(e.extent.blocksDown)/\(e.extent.blocksRouted)</td>"
            + "<td data-label=\"space\" class=\"num\">\(esc(Analyzer.percent(e.extent.spaceShare)))</td>"
            + "<td data-label=\"peers down\" class=\"num\">\(esc(Analyzer.percent(e.peersDownShare))) of \(e.peersKnown)</td>"
            + "<td data-label=\"why\" class=\"why\">\(esc(e.explanation))</td></tr>\n"
    }

    static let episodeHeader = "<tr><th>label</th><th>start (UTC)</th><th>end (UTC)</th><th>duration</th><th>networks down</th><th>space</th><th>peers down</th><th>why</th></tr>\n"

    /// Episodes in time order; each instability period is one row that opens to its outages.
    static func episodes(_ r: AnalysisResult) -> String {
        guard !r.episodes.isEmpty else { return "<p>None.</p>" }
        var s = "<table id=\"episodes\" class=\"episodes\">\n<thead>\(episodeHeader)</thead>\n<tbody>\n"
        var shown = Set<Int>()
        for e in r.episodes {
            if let id = e.period, let q = r.periods.first(where: { $0.id == id }) {
                guard shown.insert(id).inserted else { continue }
                let members = r.episodes.filter { $0.period == id }
                s += "<tr class=\"period\"><td colspan=\"8\"><details><summary><b>continuous instability</b> "
                    + "\(esc(q.start.dayMonth)) \(esc(q.start.hhmm)) → \(esc(q.end.dayMonth)) \(esc(q.end.hhmm)) UTC · \(q.episodes) outages · "
                    + "\(String(format: "%.1f", q.ratePerHour)) per hour · down \(esc(Analyzer.percent(q.downtimeShare))) of the time · "
                    + "longest \(esc(DurationText.prose(q.longestEpisodeSeconds))) · \(esc(q.trend.direction.rawValue))</summary>\n"
                    + "<p class=\"why\">\(esc(q.explanation)) Trend: \(esc(q.trend.text)).</p>\n"
                    + "<table class=\"episodes inner\"><thead>\(episodeHeader)</thead><tbody>\n" + members.map(episodeRow).joined() + "</tbody></table>\n"
                    + "</details></td></tr>\n"
            } else {
                s += episodeRow(e)
            }
        }
        return s + "</tbody></table>"
    }

    // MARK: The page

    static func page(_ r: AnalysisResult, sources: DataSources, allRows: Bool) -> String {
        let large = r.blocks.count > TimelineRenderer.blockRowLimit && !allRows
        func blockRow(_ bi: Int) -> HeatRow { HeatRow(label: r.blocks[bi].description, states: r.bins.map { ReportRenderer.rowState($0.blocks[bi].state) }) }
        func groupRow(_ name: String, _ blocks: [Int]) -> HeatRow {
            let series = GroupSeries(r, blocks: blocks)
            return HeatRow(label: name, states: r.bins.indices.map { series.state($0, $0 + 1) })
        }
        let stateKey = key([(ReportRenderer.color(.up), "up", false), (ReportRenderer.color(.partial), "partial", false),
                            (ReportRenderer.color(.down), "down", false), (ReportRenderer.color(.unknown), "unknown", false)])
        var heat = ""
        if large {
            var groups = [groupRow("all \(r.blocks.count) blocks", Array(r.blocks.indices))]
            for gs in [BlockGroups.byOrigin(r), BlockGroups.byAllocation(r)] where gs.count > 1 {
                groups += gs.prefix(12).map { groupRow("\($0.name) (\($0.blocks.count))", $0.blocks) }
            }
            let down = TimelineRenderer.blocksThatWentDown(r)
            let shown = Array(down.prefix(100))
            heat = "<h2>Visibility by group</h2>\n<p class=\"note\">The whole scope, then groups by origin AS and by allocation (largest first): red where none of "
                + "the group's routed address space was routed, amber where part of it was.</p>\n" + stateKey
                + both { heatmap(groups, r, $0, id: "heatmap") }
                + "\n<h2>Blocks that went down (\(down.count) of \(r.blocks.count))</h2>\n"
                + (down.isEmpty ? "<p>None.</p>" : both { heatmap(shown.map(blockRow), r, $0, id: "heatmap-down") })
                + (down.count > shown.count ? "<p class=\"note\">\(down.count - shown.count) more: <code>nkwatch report --all-rows</code> shows every block.</p>" : "")
        } else {
            heat = "<h2>Visibility per network</h2>\n<p class=\"note\">Each block, bin by bin: up when at least \(Analyzer.percent(r.parameters.visibleRatio)) "
                + "of the eligible full-feed peers reach it; outages outlined.</p>\n" + stateKey + both { heatmap(r.blocks.indices.map(blockRow), r, $0, id: "heatmap") }
        }
        let total24 = r.blocks.reduce(0.0) { $0 + Double($1.slash24Equivalents) }
        let episodeKey = key([(color(.hardOutage), "hard outage", false), (color(.partialOutage), "partial outage", false),
                              (color(.continuousInstability), "continuous instability", false), (color(.shortOutage), "short outage", false),
                              (color(.isolatedBlip), "isolated blip", false)])
        let discounted = r.discounted.map { "<li>\(esc(ReportRenderer.discountedText($0)))</li>" }.joined(separator: "\n")
        let p = r.parameters
        let mergeNote = ClassifyText.binMergeNote(r).map { "<p class=\"note\">\(esc($0))</p>" } ?? ""
        let title = (sources.scopeName.map { "\($0): " } ?? "") + r.headline
        let baseline = DurationText.prose(p.baselineSeconds)
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title)) — nkwatch</title>
        <style>
        *, *::before, *::after { box-sizing: border-box; }
        body { font: 16px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; max-width: 1040px; margin: 0 auto; padding: 1.5em 20px 3em; color: #212121; background: #fff; }
        .headline { border-bottom: 3px solid #212121; padding-bottom: 1em; margin-bottom: 1.2em; }
        .kicker { text-transform: uppercase; letter-spacing: .06em; font-size: 13px; color: #616161; margin: 0 0 .4em; }
        h1 { font-size: 34px; line-height: 1.2; margin: 0 0 .4em; }
        h2 { font-size: 20px; border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 1.8em; }
        .meta, .note { color: #555; font-size: 14px; }
        .facts { display: flex; flex-wrap: wrap; gap: 10px 28px; margin: 1em 0 0; }
        .facts div { min-width: 8em; } .facts dt { font-size: 13px; color: #616161; text-transform: uppercase; letter-spacing: .04em; }
        .facts dd { margin: 0; font-size: 20px; font-weight: 600; }
        .verdict { font-size: 17px; background: #f5f5f5; border-left: 4px solid #c62828; padding: .8em 1em; }
        svg.chart { width: 100%; height: auto; display: block; margin: .3em 0 .2em; }
        svg.narrow { display: none; }
        .key { font-size: 14px; margin: .3em 0; } .key .swatch { display: inline-block; width: 14px; height: 10px; margin: 0 5px 0 12px; background: var(--c); vertical-align: middle; }
        .key .swatch:first-child { margin-left: 0; } .key .swatch.dashed { background: repeating-linear-gradient(90deg, var(--c) 0 5px, transparent 5px 8px); height: 3px; }
        table.episodes { border-collapse: collapse; width: 100%; font-size: 14px; }
        table.episodes th, table.episodes td { border-bottom: 1px solid #e0e0e0; padding: 5px 7px; text-align: left; vertical-align: top; }
        table.episodes th { background: #fafafa; font-weight: 600; white-space: nowrap; }
        td.time, td.num { white-space: nowrap; } td.why, p.why { color: #555; font-size: 13px; }
        tr.hard_outage td.label { color: #c62828; font-weight: bold; } tr.partial_outage td.label { color: #ef6c00; font-weight: bold; }
        tr.period > td { background: #fffbea; } details summary { cursor: pointer; } table.inner { margin: .5em 0 .3em; background: #fff; }
        code { font-size: 14px; overflow-wrap: anywhere; }
        footer { margin-top: 2.5em; border-top: 1px solid #ddd; padding-top: .6em; color: #616161; font-size: 13px; }
        @media (max-width: 640px) {
          body { padding: 1em 12px 2em; }
          h1 { font-size: 25px; } .facts dd { font-size: 17px; }
          svg.wide { display: none; } svg.narrow { display: block; }
          table.episodes, table.episodes thead, table.episodes tbody, table.episodes tr, table.episodes td { display: block; width: 100%; }
          table.episodes thead { display: none; }
          table.episodes tr { border-bottom: 1px solid #ddd; padding: .4em 0; }
          table.episodes td { border: none; padding: 1px 0; white-space: normal; }
          table.episodes td[data-label]::before { content: attr(data-label) ": "; color: #757575; font-size: 13px; }
          tr.period > td { padding: .4em; }
        }
        @media print {
          @page { size: A4; margin: 14mm 12mm; }
          body { max-width: none; padding: 0; font-size: 11pt; }
          h1 { font-size: 22pt; } h2 { page-break-after: avoid; }
          svg.wide { display: block; } svg.narrow { display: none; }
          svg.chart, table.inner, .facts { page-break-inside: avoid; }
          tr { page-break-inside: avoid; }
        }
        </style></head><body>
        \(headline(r, sources: sources))
        <p class="verdict" id="verdict">\(esc(r.verdict))</p>
        <h2>Routed address space</h2>
        <p class="note">Share of the scope's \(esc(TextLayout.counted(r.blocks.count, "routed block"))) (\(esc(BlockGroups.slash24Text(total24))) /24s) that at least \(esc(Analyzer.percent(p.visibleRatio))) of the eligible full-feed peers could reach, per \(esc(DurationText.prose(p.binSeconds))) bin; episodes shaded.</p>
        \(key([("#1565c0", "blocks routed", false), ("#00897b", "/24s routed", true)]))\(episodeKey)
        \(both { routedChart(r, $0) })
        \(heat)
        <h2>Update churn</h2>
        <p class="note">Announcements and withdrawals of the scope's prefixes per \(esc(DurationText.prose(p.binSeconds))) bin, over every peer: the frequency of interruptions.</p>
        \(both { churnChart(r, $0) })
        <h2>Instability score</h2>
        <p class="note">0 to 100 for windows of 1 h, 6 h and 24 h ending at each bin, from the episode rate, the share of time down and the update churn, each against the scope's own trailing \(esc(baseline)): 0 is as calm as usual, 50 clearly unusual, 100 far beyond anything in its baseline (formula: <code>nkwatch classify --explain</code>, docs/method.md).</p>
        \(key([("#9e9e9e", "1 h window", false), ("#6a1b9a", "6 h window", false), ("#ef6c00", "24 h window", true)]))
        \(both { scoreChart(r, $0) })
        <h2>Episodes</h2>
        \(episodes(r))
        \(mergeNote)
        <h2>Discounted</h2>
        \(r.discounted.isEmpty ? "<p>Nothing: no peer session reset or data gap touched the range.</p>" : "<p class=\"note\">Not outages of the scope, and not counted as such:</p>\n<ul>\n\(discounted)\n</ul>")
        <h2>Data and parameters</h2>
        <ul class="note">
        <li>Store <code>\(esc(sources.store))</code>: \(sources.files) files (\(sources.damagedFiles) damaged), collectors \(esc(sources.collectors.joined(separator: ", "))), \(sources.peers) peers</li>
        <li>Scope: \(esc(sources.scopeText)); \(esc(ReportRenderer.blocksText(r)))</li>
        <li>Parameters: bin \(DurationText.prose(Double(p.binSeconds))), visible ratio \(p.visibleRatio), min peers \(p.minPeers), full-feed ratio \(p.fullFeedRatio), settle \(DurationText.prose(Double(p.settleSeconds))), hard min \(DurationText.prose(Double(p.hardMinSeconds))) at \(Analyzer.percent(p.hardExtent)) of routed space, isolation \(DurationText.prose(Double(p.isolationSeconds)))</li>
        <li>RIB/update disagreements: \(r.ribDisagreements)</li>
        \(r.warnings.map { "<li>Warning: \(esc($0))</li>" }.joined(separator: "\n"))
        </ul>
        <footer>Written by nkwatch \(esc(BuildInfo.versionText)). All times UTC. Method: docs/method.md.</footer>
        <script>addEventListener("beforeprint", function () { document.querySelectorAll("details").forEach(function (d) { d.open = true; }); });</script>
        </body></html>

        """
    }
}
