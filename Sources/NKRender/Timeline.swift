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

/// The terminal timeline: one row per block, routed count, churn, episodes,
/// a UTC time axis and a legend, fitted to the width.
public enum TimelineRenderer {
    static let labelWidth = 18

    struct Column { var lo: Int; var hi: Int }

    static func columns(bins: Int, width: Int) -> [Column] {
        let n = max(1, min(bins, width))
        return (0..<n).map { c in Column(lo: c * bins / n, hi: max(c * bins / n + 1, (c + 1) * bins / n)) }
    }

    static func paint(_ s: String, _ code: String, _ style: TerminalStyle) -> String {
        style.color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
    }

    public static func text(_ r: AnalysisResult, title: String, style: TerminalStyle) -> String {
        let chartWidth = style.width - labelWidth - 2
        let cols = columns(bins: r.bins.count, width: chartWidth)
        var out = title + "\n" + ClassifyText.parametersLine(r.parameters) + "\n"
        let columnSeconds = Double(r.parameters.binSeconds) * Double(r.bins.count) / Double(max(1, cols.count))
        out += "bin \(DurationText.prose(r.parameters.binSeconds)), \(cols.count) columns of \(DurationText.prose(columnSeconds)); "
            + "\(r.eligiblePeers) eligible of \(r.peers) peers at \(r.collectors.count) collector\(r.collectors.count == 1 ? "" : "s"); "
            + "visible if \(style.ascii ? ">=" : "≥") \(Int(r.parameters.visibleRatio * 100)) % of eligible peers\n"
        out += axis(r, cols: cols) + "\n"
        let (up, partial, down, unknown) = style.ascii ? ("#", "+", "-", "?") : ("█", "▒", "░", "·")
        for (bi, block) in r.blocks.enumerated() {
            var row = pad(block.description, labelWidth) + "  "
            for c in cols {
                let states = r.bins[c.lo..<c.hi].map { $0.blocks[bi].state }
                let known = states.filter { $0 != .unknown }
                let ch: String
                if known.isEmpty { ch = paint(unknown, "90", style) }
                else if known.allSatisfy({ $0 == .up }) { ch = paint(up, "32", style) }
                else if known.allSatisfy({ $0 == .down }) { ch = paint(down, "31", style) }
                else { ch = paint(partial, "33", style) }
                row += ch
            }
            out += row + "\n"
        }
        let levels = style.ascii ? Array(" .:-=+*#") : Array(" ▁▂▃▄▅▆▇█")
        func spark(_ v: Double, _ max: Double) -> String {
            guard max > 0 else { return String(levels[0]) }
            let i = Int((v / max * Double(levels.count - 1)).rounded())
            return String(levels[Swift.max(0, Swift.min(levels.count - 1, i))])
        }
        let n = Double(max(1, r.blocks.count))
        out += pad("routed (of \(r.blocks.count))", labelWidth) + "  " + cols.map { c in
            spark(Double(r.bins[c.lo..<c.hi].map(\.routed).min() ?? 0), n)
        }.joined() + "\n"
        let churn = cols.map { c in Double(r.bins[c.lo..<c.hi].reduce(0) { $0 + $1.churn }) }
        let maxChurn = churn.max() ?? 0
        out += pad("churn (max \(Int(maxChurn)))", labelWidth) + "  " + churn.map { spark($0, maxChurn) }.joined() + "\n"
        let score = r.scores[.sixHours] ?? []
        out += pad("score 6h (0-100)", labelWidth) + "  " + cols.map { c in spark(score[c.lo..<c.hi].max() ?? 0, 100) }.joined() + "\n"
        // Episode row: one letter per column.
        var marks = Array(repeating: style.ascii ? "." : "·", count: cols.count)
        let binUS = r.parameters.binSeconds * 1_000_000
        for e in r.episodes {
            let lb = Int((e.start.microseconds - r.from.microseconds) / binUS), hb = Int((e.end.microseconds - 1 - r.from.microseconds) / binUS)
            let (letter, code): (String, String) = {
                switch e.label {
                case .hardOutage: return ("H", "1;31")
                case .continuousInstability: return ("I", "33")
                case .isolatedBlip: return ("B", "36")
                case .shortOutage: return ("S", "35")
                }
            }()
            for (ci, c) in cols.enumerated() where c.hi > lb && c.lo <= hb {
                if marks[ci] == "·" || marks[ci] == "." || letter == "H" { marks[ci] = paint(letter, code, style) }
            }
        }
        out += pad("episodes", labelWidth) + "  " + marks.joined() + "\n"
        out += "\n" + (style.ascii
            ? "legend: # up  + partial  - down  ? unknown   episodes: H hard outage  I continuous instability  B isolated blip  S short outage"
            : "legend: █ up  ▒ partial  ░ down  · unknown   episodes: H hard outage  I continuous instability  B isolated blip  S short outage") + "\n"
        return out
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
        var out = "bin_start,block,state,visibility,down_s,known_peers,routed,announcements,withdrawals,path_changes,score_1h,score_6h,score_24h\n"
        for (i, b) in r.bins.enumerated() {
            for (bi, block) in r.blocks.enumerated() {
                let x = b.blocks[bi]
                out += [b.start.iso, block.description, x.state.rawValue, x.visibility.map { String(format: "%.4f", $0) } ?? "",
                        String(format: "%.0f", x.downSeconds), String(x.knownPeers), String(b.routed), String(b.announcements),
                        String(b.withdrawals), String(b.pathChanges),
                        String(format: "%.1f", r.scores[.oneHour]?[i] ?? 0), String(format: "%.1f", r.scores[.sixHours]?[i] ?? 0),
                        String(format: "%.1f", r.scores[.day]?[i] ?? 0)].joined(separator: ",") + "\n"
            }
        }
        return out
    }

    public static func json(_ r: AnalysisResult) -> JSON {
        .object([
            ("schema", .string("nkwatch.timeline/v1")),
            ("range", .object([("from", .string(r.from.iso)), ("to", .string(r.to.iso))])),
            ("parameters", ClassificationDocument.parameters(r.parameters)),
            ("blocks", .strings(r.blocks.map(\.description))),
            ("bins", .array(r.bins.enumerated().map { i, b in
                .object([
                    ("start", .string(b.start.iso)),
                    ("routed", .int(Int64(b.routed))),
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
