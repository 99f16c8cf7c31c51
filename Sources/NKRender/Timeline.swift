import Foundation
import MRT
import NKAnalysis
import NKModel

/// Options for terminal output.
public struct TerminalStyle: Sendable {
    public var width: Int
    public var ascii: Bool
    public var color: Bool
    public init(width: Int = 80, ascii: Bool = false, color: Bool = false) {
        self.width = max(40, width)
        self.ascii = ascii
        self.color = color
    }
}

/// How a block or a group of blocks looked over some bins.
enum RowState { case up, partial, down, unknown }

/// The routed share of a set of blocks, bin by bin: for the rows of groups
/// and of the whole scope.
struct GroupSeries {
    /// Per bin: (routed /24s, /24s with a known state).
    var perBin: [(routed: Double, known: Double)]

    init(_ r: AnalysisResult, blocks: [Int]) {
        perBin = r.bins.map { b in
            var routed = 0.0, known = 0.0
            for i in blocks {
                let x = b.blocks[i]
                guard x.state != .unknown else { continue }
                let w = Double(r.blocks[i].slash24Equivalents)
                known += w
                if x.routed { routed += w }
            }
            return (routed, known)
        }
    }

    /// The worst moment of bins lo..<hi.
    func state(_ lo: Int, _ hi: Int) -> RowState {
        var sawKnown = false, allUp = true, allDown = true
        for b in lo..<hi where perBin[b].known > 0 {
            sawKnown = true
            if perBin[b].routed < perBin[b].known - 1e-9 { allUp = false }
            if perBin[b].routed > 1e-9 { allDown = false }
        }
        if !sawKnown { return .unknown }
        return allUp ? .up : allDown ? .down : .partial
    }
}

/// The terminal timeline, fitted to the width. For a scope of a few blocks:
/// one row per block. For a large one, the scope as a whole first (routed
/// blocks and routed /24s, IODA's BGP signal), then groups by origin AS and
/// by allocation, then only the blocks that went down (`allRows`: every
/// block). Then the routed count, churn, score and episodes, a UTC time axis
/// and a legend.
public enum TimelineRenderer {
    static let labelWidth = 18
    /// Up to this many blocks, one row each.
    public static let blockRowLimit = 24
    /// Rows of groups and of blocks that went down shown before "… more".
    static let groupRowLimit = 8
    static let downRowLimit = 40

    struct Column { var lo: Int; var hi: Int }

    static func columns(bins: Int, width: Int) -> [Column] {
        let n = max(1, min(bins, width))
        return (0..<n).map { c in Column(lo: c * bins / n, hi: max(c * bins / n + 1, (c + 1) * bins / n)) }
    }

    static func paint(_ s: String, _ code: String, _ style: TerminalStyle) -> String {
        style.color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
    }

    static func cell(_ state: RowState, _ style: TerminalStyle) -> String {
        let (up, partial, down, unknown) = style.ascii ? ("#", "+", "-", "?") : ("█", "▒", "░", "·")
        switch state {
        case .up: return paint(up, "32", style)
        case .partial: return paint(partial, "33", style)
        case .down: return paint(down, "31", style)
        case .unknown: return paint(unknown, "90", style)
        }
    }

    static func blockRow(_ r: AnalysisResult, _ bi: Int, cols: [Column], style: TerminalStyle) -> String {
        var row = pad(r.blocks[bi].description, labelWidth) + "  "
        for c in cols {
            let known = r.bins[c.lo..<c.hi].map { $0.blocks[bi].state }.filter { $0 != .unknown }
            let state: RowState = known.isEmpty ? .unknown : known.allSatisfy { $0 == .up } ? .up : known.allSatisfy { $0 == .down } ? .down : .partial
            row += cell(state, style)
        }
        return row + "\n"
    }

    static func groupRow(_ label: String, _ series: GroupSeries, cols: [Column], style: TerminalStyle) -> String {
        pad(label, labelWidth) + "  " + cols.map { cell(series.state($0.lo, $0.hi), style) }.joined() + "\n"
    }

    /// Indices of the blocks that were down in some episode of the range.
    static func blocksThatWentDown(_ r: AnalysisResult) -> [Int] {
        let down = Set(r.episodes.flatMap(\.blocks))
        return r.blocks.indices.filter { down.contains(r.blocks[$0]) }
    }

    public static func text(_ r: AnalysisResult, title: String, style: TerminalStyle, allRows: Bool = false) -> String {
        let chartWidth = style.width - labelWidth - 2
        let cols = columns(bins: r.bins.count, width: chartWidth)
        let w = style.width
        var out = TextLayout.wrapLines(title, width: w) + "\n" + TextLayout.wrapLines(ClassifyText.parametersLine(r.parameters), width: w) + "\n"
        let columnSeconds = Double(r.parameters.binSeconds) * Double(r.bins.count) / Double(max(1, cols.count))
        out += TextLayout.wrapLines("bin \(DurationText.prose(r.parameters.binSeconds)), \(cols.count) columns of \(DurationText.prose(columnSeconds)); "
            + "\(r.eligiblePeers) eligible of \(r.peers) peers at \(TextLayout.counted(r.collectors.count, "collector")); "
            + "visible if \(style.ascii ? ">=" : "≥") \(Int(r.parameters.visibleRatio * 100)) % of eligible peers", width: w) + "\n"
        out += TextLayout.wrapLines(ClassifyText.blocksLine(r), width: w) + "\n"
        let axisLine = axis(r, cols: cols)
        out += axisLine + "\n"
        let large = r.blocks.count > blockRowLimit && !allRows
        let levels = style.ascii ? Array(" .:-=+*#") : Array(" ▁▂▃▄▅▆▇█")
        func spark(_ v: Double, _ max: Double) -> String {
            guard max > 0 else { return String(levels[0]) }
            let i = Int((v / max * Double(levels.count - 1)).rounded())
            return String(levels[Swift.max(0, Swift.min(levels.count - 1, i))])
        }
        let n = Double(max(1, r.blocks.count))
        let total24 = r.blocks.reduce(0.0) { $0 + Double($1.slash24Equivalents) }
        if large {
            out += "SCOPE\n"
            out += groupRow("all \(r.blocks.count) blocks", GroupSeries(r, blocks: Array(r.blocks.indices)), cols: cols, style: style)
            out += pad("routed blocks", labelWidth) + "  " + cols.map { c in spark(Double(r.bins[c.lo..<c.hi].map(\.routed).min() ?? 0), n) }.joined()
                + "  (0–\(r.blocks.count))\n"
            out += pad("routed /24s", labelWidth) + "  " + cols.map { c in spark(r.bins[c.lo..<c.hi].map(\.routedSlash24).min() ?? 0, total24) }.joined()
                + "  (0–\(BlockGroups.slash24Text(total24)))\n"
            for (title, groups) in [("BY ORIGIN AS", BlockGroups.byOrigin(r)), ("BY ALLOCATION", BlockGroups.byAllocation(r))] where groups.count > 1 {
                out += title + "\n"
                for g in groups.prefix(groupRowLimit) {
                    out += groupRow("\(g.name) (\(g.blocks.count))", GroupSeries(r, blocks: g.blocks), cols: cols, style: style)
                }
                if groups.count > groupRowLimit { out += "  … \(groups.count - groupRowLimit) more (--all-rows shows every block)\n" }
            }
            let down = blocksThatWentDown(r)
            out += "BLOCKS THAT WENT DOWN (\(down.count) of \(r.blocks.count))\n"
            for bi in down.prefix(downRowLimit) { out += blockRow(r, bi, cols: cols, style: style) }
            if down.count > downRowLimit { out += "  … \(down.count - downRowLimit) more (--all-rows shows every block)\n" }
        } else {
            for bi in r.blocks.indices { out += blockRow(r, bi, cols: cols, style: style) }
            out += pad("routed (of \(r.blocks.count))", labelWidth) + "  " + cols.map { c in
                spark(Double(r.bins[c.lo..<c.hi].map(\.routed).min() ?? 0), n)
            }.joined() + "\n"
        }
        let churn = cols.map { c in Double(r.bins[c.lo..<c.hi].reduce(0) { $0 + $1.churn }) }
        let maxChurn = churn.max() ?? 0
        out += pad("churn (max \(Int(maxChurn)))", labelWidth) + "  " + churn.map { spark($0, maxChurn) }.joined() + "\n"
        let score = r.scores[.sixHours] ?? []
        out += pad("score 6h (0-100)", labelWidth) + "  " + cols.map { c in spark(score[c.lo..<c.hi].max() ?? 0, 100) }.joined() + "\n"
        // Episode row: one letter per column.
        var marks = Array(repeating: style.ascii ? "." : "·", count: cols.count)
        var rank = Array(repeating: -1, count: cols.count)
        let binUS = r.parameters.binSeconds * 1_000_000
        for e in r.episodes {
            let lb = Int((e.start.microseconds - r.from.microseconds) / binUS), hb = Int((e.end.microseconds - 1 - r.from.microseconds) / binUS)
            let (letter, code, weight) = mark(e.label)
            for (ci, c) in cols.enumerated() where c.hi > lb && c.lo <= hb && weight > rank[ci] {
                marks[ci] = paint(letter, code, style)
                rank[ci] = weight
            }
        }
        out += pad("episodes", labelWidth) + "  " + marks.joined() + "\n"
        if large || r.blocks.count > 12 { out += axisLine + "\n" }
        if let note = ClassifyText.binMergeNote(r) { out += TextLayout.wrapLines(note, width: w) + "\n" }
        // The legend in pieces that never break inside (a symbol and its word).
        let states = style.ascii ? ["# up", "+ partial", "- down", "? unknown"] : ["█ up", "▒ partial", "░ down", "· unknown"]
        let labelsLegend = ["H hard outage", "P partial outage", "I continuous instability", "B isolated blip", "S short outage"]
        out += "\n" + legendLines(["legend:"] + states, width: w) + "\n" + legendLines(["episodes:"] + labelsLegend, width: w) + "\n"
        return out
    }

    /// `items` two spaces apart, wrapped between items, continuation lines indented.
    static func legendLines(_ items: [String], width: Int) -> String {
        var lines: [String] = []
        var current = ""
        for item in items {
            if current.isEmpty {
                current = item
            } else if TextLayout.width(current) + 2 + TextLayout.width(item) > width {
                lines.append(current)
                current = "  " + item
            } else {
                current += (current.hasSuffix(":") ? " " : "  ") + item
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.joined(separator: "\n")
    }

    /// The letter, colour and precedence of a label in the episode row.
    static func mark(_ label: Label) -> (String, String, Int) {
        switch label {
        case .hardOutage: return ("H", "1;31", 4)
        case .partialOutage: return ("P", "31", 3)
        case .continuousInstability: return ("I", "33", 2)
        case .shortOutage: return ("S", "35", 1)
        case .isolatedBlip: return ("B", "36", 0)
        }
    }

    /// Tick labels: days for long ranges, hours for short ones.
    static func axis(_ r: AnalysisResult, cols: [Column]) -> String {
        guard let first = r.bins.first?.start.seconds else { return "" }
        let binS = r.parameters.binSeconds
        let span = Int64(r.bins.count) * binS
        let step: Int64 = span > 4 * 86400 ? 86400 : span > 36 * 3600 ? 43200 : span > 12 * 3600 ? 3 * 3600 : span > 3 * 3600 ? 3600 : 900
        var line = Array(repeating: Character(" "), count: cols.count + 12)
        var t = (first / step + (first % step == 0 ? 0 : 1)) * step
        var lastEnd = -1
        while t < first + span {
            let bin = Int((t - first) / binS)
            if let ci = cols.firstIndex(where: { $0.lo <= bin && bin < $0.hi }), ci > lastEnd {
                let label = "|" + (step >= 43200 && t % 86400 == 0 ? String(Timestamp(seconds: t).iso.dropFirst(5).prefix(5)) : Timestamp(seconds: t).hhmm)
                if ci + label.count <= line.count {
                    for (k, ch) in label.enumerated() { line[ci + k] = ch }
                    lastEnd = ci + label.count
                }
            }
            t += step
        }
        return pad("UTC", labelWidth) + "  " + String(line).trimmingCharacters(in: .whitespaces)
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? String(s.prefix(n)) : s + String(repeating: " ", count: n - s.count)
    }

    // MARK: Data

    public static func csv(_ r: AnalysisResult) -> String {
        var out = "bin_start,block,state,visibility,down_s,known_peers,routed,announcements,withdrawals,path_changes,score_1h,score_6h,score_24h,routed_slash24\n"
        for (i, b) in r.bins.enumerated() {
            for (bi, block) in r.blocks.enumerated() {
                let x = b.blocks[bi]
                out += [b.start.iso, block.description, x.state.rawValue, x.visibility.map { String(format: "%.4f", $0) } ?? "",
                        String(format: "%.0f", x.downSeconds), String(x.knownPeers), String(b.routed), String(b.announcements),
                        String(b.withdrawals), String(b.pathChanges),
                        String(format: "%.1f", r.scores[.oneHour]?[i] ?? 0), String(format: "%.1f", r.scores[.sixHours]?[i] ?? 0),
                        String(format: "%.1f", r.scores[.day]?[i] ?? 0), BlockGroups.slash24Text(b.routedSlash24).replacingOccurrences(of: " ", with: "")]
                    .joined(separator: ",") + "\n"
            }
        }
        return out
    }

    public static func json(_ r: AnalysisResult) -> JSON {
        .object([("schema", .string("nkwatch.timeline/v1"))] + BuildInfo.documentFields + [
            ("range", .object([("from", .string(r.from.iso)), ("to", .string(r.to.iso))])),
            ("parameters", ClassificationDocument.parameters(r.parameters)),
            ("blocks", .strings(r.blocks.map(\.description))),
            ("bins", .array(r.bins.enumerated().map { i, b in
                .object([
                    ("start", .string(b.start.iso)),
                    ("routed", .int(Int64(b.routed))),
                    ("routed_slash24", .number(b.routedSlash24, decimals: 2)),
                    ("announcements", .int(Int64(b.announcements))),
                    ("withdrawals", .int(Int64(b.withdrawals))),
                    ("path_changes", .int(Int64(b.pathChanges))),
                    ("score", .object([("1h", .number(r.scores[.oneHour]?[i] ?? 0, decimals: 1)), ("6h", .number(r.scores[.sixHours]?[i] ?? 0, decimals: 1)),
                                       ("24h", .number(r.scores[.day]?[i] ?? 0, decimals: 1))])),
                    ("blocks", .array(b.blocks.map { x in
                        .object([("state", .string(x.state.rawValue)), ("visibility", x.visibility.map { .number($0, decimals: 4) } ?? .null),
                                 ("down_s", .int(Int64(x.downSeconds.rounded()))), ("known_peers", .int(Int64(x.knownPeers)))])
                    })),
                ])
            })),
        ])
    }
}
