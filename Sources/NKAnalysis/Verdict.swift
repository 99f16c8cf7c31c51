import Foundation
import NKModel

/// The one-paragraph verdict, in plain words, from the result's numbers.
enum Verdict {
    static func time(_ t: Timestamp) -> String { t.prose }

    static func paragraph(_ r: AnalysisResult) -> String {
        let n = r.blocks.count
        let networks = n == 1 ? "the network" : "all \(n) networks"
        let cells = r.bins.reduce(0) { $0 + $1.blocks.count }
        let unknownCells = r.bins.reduce(0) { $0 + $1.blocks.filter { $0.state == .unknown }.count }
        let unknownNote = unknownCells > 0 && unknownCells < cells
            ? " Visibility was unknown \(Int((Double(unknownCells) / Double(cells) * 100).rounded())) % of the time (fewer than \(r.parameters.minPeers) eligible peers with a known state)."
            : ""
        if cells > 0 && unknownCells == cells {
            return "Unknown: from \(time(r.from)) to \(time(r.to)) fewer than \(r.parameters.minPeers) eligible (full-feed) peers had a known state, "
                + "so nkwatch cannot tell whether \(n == 1 ? "the network was" : "the \(n) networks were") reachable. Ingest RIB dumps and more collectors."
        }
        if r.episodes.isEmpty {
            return "No outage: \(n == 1 ? "the network" : "the \(n) networks") stayed visible to at least \(Int(r.parameters.visibleRatio * 100)) % "
                + "of \(r.eligiblePeers) eligible peers from \(time(r.from)) to \(time(r.to))." + unknownNote
        }
        var parts: [String] = []
        let blips = r.episodes.filter { $0.label == .isolatedBlip }
        let shorts = r.episodes.filter { $0.label == .shortOutage }
        if !blips.isEmpty {
            parts.append("\(blips.count) isolated blip\(blips.count == 1 ? "" : "s") (longest \(DurationText.prose(blips.map(\.durationSeconds).max() ?? 0)))")
        }
        for q in r.periods {
            parts.append("a period of continuous instability from \(time(q.start)) to \(time(q.end)): \(q.episodes) outages, "
                + String(format: "%.1f per hour, down %.0f %% of the time", q.ratePerHour, q.downtimeShare * 100))
        }
        if !shorts.isEmpty { parts.append("\(shorts.count) other short outage\(shorts.count == 1 ? "" : "s")") }
        var text = "Between \(time(r.from)) and \(time(r.to)) nkwatch found " + parts.joined(separator: "; ") + "."
        for h in r.episodes where h.label == .hardOutage {
            let lead = h.afterInstabilitySeconds.map { "After \(DurationText.prose($0)) of instability, " } ?? "Then "
            text += " \(lead)\(networks) were withdrawn at \(time(h.start)) by \(Int((h.peersDownShare * 100).rounded())) % of \(h.peersKnown) full-feed peers"
                + " and stayed down \(DurationText.prose(h.durationSeconds))."
        }
        if r.episodes.allSatisfy({ $0.label == .isolatedBlip }) {
            text += " Usually isolated blips, not continuous connectivity problems."
        }
        let resets = r.discounted.filter { $0.kind == .sessionReset }.count, gaps = r.discounted.filter { $0.kind == .dataGap }.count
        var discounted: [String] = []
        if resets > 0 { discounted.append("\(resets) peer session reset\(resets == 1 ? "" : "s")") }
        if gaps > 0 { discounted.append("\(gaps) data gap\(gaps == 1 ? "" : "s")") }
        if !discounted.isEmpty { text += " Discounted: " + discounted.joined(separator: " and ") + "." }
        return text + unknownNote
    }
}
