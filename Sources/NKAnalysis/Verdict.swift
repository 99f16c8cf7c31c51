import Foundation

/// The one-paragraph verdict, in plain words, from the result's numbers.
enum Verdict {
    static func time(_ us: Int64) -> String {
        let s = us / 1_000_000
        let days = s >= 0 ? s / 86400 : (s - 86399) / 86400
        let rem = s - days * 86400
        let (y, m, d) = civil(days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d)) \(two(rem / 3600)):\(two(rem % 3600 / 60)) UTC"
    }

    static func civil(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func paragraph(_ r: AnalysisResult) -> String {
        let n = r.blocks.count
        let networks = n == 1 ? "the network" : "all \(n) networks"
        if r.episodes.isEmpty {
            return "No outage: \(n == 1 ? "the network" : "the \(n) networks") stayed visible to at least \(Int(r.parameters.visibleRatio * 100)) % "
                + "of \(r.eligiblePeers) eligible peers from \(time(r.from)) to \(time(r.to))."
        }
        var parts: [String] = []
        let blips = r.episodes.filter { $0.label == .isolatedBlip }
        let shorts = r.episodes.filter { $0.label == .shortOutage }
        if !blips.isEmpty {
            parts.append("\(blips.count) isolated blip\(blips.count == 1 ? "" : "s") (longest \(Duration.text(blips.map(\.durationSeconds).max() ?? 0)))")
        }
        for q in r.periods {
            parts.append("a period of continuous instability from \(time(q.start)) to \(time(q.end)): \(q.episodes) outages, "
                + String(format: "%.1f per hour, down %.0f %% of the time", q.ratePerHour, q.downtimeShare * 100))
        }
        if !shorts.isEmpty { parts.append("\(shorts.count) other short outage\(shorts.count == 1 ? "" : "s")") }
        var text = "Between \(time(r.from)) and \(time(r.to)) nkwatch found " + parts.joined(separator: "; ") + "."
        for h in r.episodes where h.label == .hardOutage {
            let lead = h.afterInstabilitySeconds.map { "After \(Duration.text($0)) of instability, " } ?? "Then "
            text += " \(lead)\(networks) were withdrawn at \(time(h.start)) by \(Int((h.peersDownShare * 100).rounded())) % of \(h.peersKnown) full-feed peers"
                + " and stayed down \(Duration.text(h.durationSeconds))."
        }
        if r.episodes.allSatisfy({ $0.label == .isolatedBlip }) {
            text += " Usually isolated blips, not continuous connectivity problems."
        }
        let resets = r.discounted.filter { $0.kind == "session_reset" }.count, gaps = r.discounted.filter { $0.kind == "data_gap" }.count
        if resets + gaps > 0 {
            text += " Discounted: \(resets) peer session reset\(resets == 1 ? "" : "s") and \(gaps) data gap\(gaps == 1 ? "" : "s")."
        }
        return text
    }
}
