import MRT
import NKAnalysis
import NKModel

/// The index of `report --all-scopes`: every scope, ranked by what happened
/// to it — hard outages first (by their total length), then the other
/// outages by downtime, then the quiet ones — with its headline and a link
/// to its report.
public struct ScopeIndex {
    public struct Entry: Sendable {
        /// `--scope` name, and what readers call it (a country's name).
        public var name: String
        public var title: String
        /// The report's file name in the output folder.
        public var file: String
        public var result: AnalysisResult?
        /// Why there is no report (no data for the scope, …).
        public var error: String?

        public init(name: String, title: String, file: String, result: AnalysisResult?, error: String?) {
            self.name = name
            self.title = title
            self.file = file
            self.result = result
            self.error = error
        }

        public var hardOutages: [Episode] { result?.episodes.filter { $0.label == .hardOutage } ?? [] }
        public var hardSeconds: Double { hardOutages.reduce(0) { $0 + $1.durationSeconds } }
        /// Time in outage episodes of any label.
        public var downSeconds: Double { result?.episodes.reduce(0) { $0 + $1.durationSeconds } ?? 0 }
        public var ongoing: Bool { result?.episodes.contains { $0.ongoing } ?? false }
        public var headline: String { result?.headline ?? error ?? "" }
    }

    public var entries: [Entry]
    public var from: Timestamp?
    public var to: Timestamp?

    /// `entries` ranked: hard outages first (longer first), then downtime,
    /// then scopes without data, by name within equals.
    public init(entries: [Entry]) {
        self.entries = entries.sorted { a, b in
            let ka = (a.result == nil ? 1 : 0, -a.hardOutages.count.signum(), -a.hardSeconds, -a.downSeconds)
            let kb = (b.result == nil ? 1 : 0, -b.hardOutages.count.signum(), -b.hardSeconds, -b.downSeconds)
            if ka != kb { return ka < kb }
            return a.name < b.name
        }
        from = entries.compactMap { $0.result?.from }.min()
        to = entries.compactMap { $0.result?.to }.max()
    }

    var rangeText: String {
        guard let from, let to else { return "" }
        return "\(from.prose) to \(to.prose)"
    }

    public func markdown() -> String {
        var out = "# What happened to \(entries.count) scope\(entries.count == 1 ? "" : "s")\n\n"
        if !rangeText.isEmpty { out += rangeText + ". Ranked: hard outages first, then downtime.\n\n" }
        out += "| # | scope | hard outages | downtime | what happened | report |\n| --- | --- | --- | --- | --- | --- |\n"
        for (i, e) in entries.enumerated() {
            let cell = { (s: String) -> String in s.replacingOccurrences(of: "|", with: "\\|") }
            var hard = "–", down = "–", link = ""
            if e.result != nil {
                hard = "\(e.hardOutages.count)"
                if e.hardSeconds > 0 { hard += " (" + DurationText.prose(e.hardSeconds) + ")" }
                down = (e.downSeconds > 0 ? DurationText.prose(e.downSeconds) : "none") + (e.ongoing ? ", ongoing" : "")
                link = "[" + e.file + "](" + e.file + ")"
            }
            let cells: [String] = ["\(i + 1)", cell(e.title), hard, down, cell(e.headline), link]
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    public func html() -> String {
        let esc = ReportRenderer.esc
        var rows = ""
        for (i, e) in entries.enumerated() {
            let cls = !e.hardOutages.isEmpty ? "hard" : e.downSeconds > 0 ? "down" : e.result == nil ? "nodata" : "quiet"
            let title = e.result == nil ? esc(e.title) : "<a href=\"" + esc(e.file) + "\">" + esc(e.title) + "</a>"
            let hard = e.result == nil ? "–" : "\(e.hardOutages.count)"
            let longest = e.hardSeconds > 0 ? esc(DurationText.prose(e.hardSeconds)) : "–"
            var down = e.result == nil ? "–" : e.downSeconds > 0 ? esc(DurationText.prose(e.downSeconds)) : "none"
            if e.ongoing { down += " <b>ongoing</b>" }
            var row = "<tr class=\"" + cls + "\"><td class=\"num\">\(i + 1)</td><td>" + title + "</td>"
            row += "<td class=\"num\">" + hard + "</td><td class=\"num\">" + longest + "</td>"
            row += "<td class=\"num\">" + down + "</td><td>" + esc(e.headline) + "</td></tr>\n"
            rows += row
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>nkwatch: \(entries.count) scopes</title>
            <style>
            body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #212121; max-width: 1100px; margin: 0 auto; padding: 1.5em 20px 3em; }
            h1 { font-size: 28px; margin: 0 0 .2em; } p.range { color: #555; margin-top: 0; }
            .scroll { overflow-x: auto; } table { border-collapse: collapse; width: 100%; font-size: 15px; }
            th, td { border-bottom: 1px solid #e0e0e0; padding: 6px 8px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
            th { background: #fafafa; white-space: nowrap; } td.num { white-space: nowrap; text-align: right; }
            tr.hard td:nth-child(2) a, tr.hard td:nth-child(2) { color: #c62828; font-weight: bold; } tr.down td:nth-child(2) a { color: #ef6c00; }
            tr.nodata { color: #757575; } footer { margin-top: 2em; color: #616161; font-size: 13px; }
            @media (max-width: 640px) { body { padding: 1em 12px 2em; } h1 { font-size: 23px; } table { font-size: 14px; }
            th:nth-child(3), td:nth-child(3), th:nth-child(4), td:nth-child(4), th:nth-child(5), td:nth-child(5) { display: none; } }
            </style></head><body>
            <h1>What happened to \(entries.count) scope\(entries.count == 1 ? "" : "s")</h1>
            <p class="range">\(esc(rangeText)). Ranked: hard outages first, then downtime.</p>
            <div class="scroll"><table><thead><tr><th>#</th><th>scope</th><th>hard outages</th><th>hard down</th><th>downtime</th><th>what happened</th></tr></thead>
            <tbody>
            \(rows)</tbody></table></div>
            <footer>nkwatch \(esc(BuildInfo.version))\(BuildInfo.revision.map { " (rev \(esc($0)))" } ?? "")</footer>
            </body></html>

            """
    }

    /// `nkwatch.report-index/v1` (docs/json.md).
    public func json() -> JSON {
        .object([("schema", .string("nkwatch.report-index/v1"))] + BuildInfo.documentFields + [
            ("range", from.flatMap { f in to.map { .object([("from", .string(f.iso)), ("to", .string($0.iso))]) } } ?? .null),
            ("scopes", .array(entries.enumerated().map { i, e in
                .object([
                    ("rank", .int(Int64(i + 1))), ("name", .string(e.name)), ("title", .string(e.title)),
                    ("file", e.result == nil ? .null : .string(e.file)),
                    ("hard_outages", .int(Int64(e.hardOutages.count))), ("hard_seconds", .number(e.hardSeconds, decimals: 0)),
                    ("down_seconds", .number(e.downSeconds, decimals: 0)), ("episodes", .int(Int64(e.result?.episodes.count ?? 0))),
                    ("ongoing", .bool(e.ongoing)), ("headline", .string(e.headline)), ("error", e.error.map { .string($0) } ?? .null),
                ])
            })),
        ])
    }
}
