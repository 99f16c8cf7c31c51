import Foundation
import NKModel

/// The one-paragraph verdict, in plain words, built from the result's facts
/// in time order: runs of short episodes, instability periods and outages,
/// each one sentence, then what was discounted and what is unknown.
enum Verdict {
    static func time(_ t: Timestamp) -> String { t.prose }

    /// What one sentence of the verdict is about.
    enum Fact {
        /// Consecutive episodes with the same short label (blips, short outages).
        case episodes(Label, [Episode])
        case period(Period)
        /// An episode of at least `hardMin`.
        case outage(Episode)

        var start: Timestamp {
            switch self {
            case .episodes(_, let es): return es[0].start
            case .period(let q): return q.start
            case .outage(let e): return e.start
            }
        }
    }

    /// The facts of `r`, in time order.
    static func facts(_ r: AnalysisResult) -> [Fact] {
        var facts: [Fact] = []
        var seenPeriods = Set<Int>()
        for e in r.episodes {
            switch e.label {
            case .hardOutage, .partialOutage:
                facts.append(.outage(e))
            case .continuousInstability:
                guard let id = e.period, !seenPeriods.contains(id), let q = r.periods.first(where: { $0.id == id }) else { continue }
                seenPeriods.insert(id)
                facts.append(.period(q))
            case .isolatedBlip, .shortOutage:
                if case .episodes(let label, var es)? = facts.last, label == e.label {
                    es.append(e)
                    facts[facts.count - 1] = .episodes(label, es)
                } else {
                    facts.append(.episodes(e.label, [e]))
                }
            }
        }
        return facts
    }

    static func paragraph(_ r: AnalysisResult) -> String {
        let known = r.blocks.indices.filter { !r.unknownBlocks.contains(r.blocks[$0]) }
        let n = known.count
        let cells = r.bins.count * n
        let unknownCells = r.bins.reduce(0) { acc, b in acc + known.filter { b.blocks[$0].state == .unknown }.count }
        var notes: [String] = []
        if !r.neverRouted.isEmpty {
            notes.append("\(r.neverRouted.count) block\(r.neverRouted.count == 1 ? " of the scope was" : "s of the scope were") never routed in the data and "
                + "\(r.neverRouted.count == 1 ? "is" : "are") left out.")
        }
        if !r.unknownBlocks.isEmpty && n > 0 {
            notes.append("\(r.unknownBlocks.count) block\(r.unknownBlocks.count == 1 ? "" : "s") had no \(r.parameters.minPeers) eligible peers of "
                + "\(r.unknownBlocks.count == 1 ? "its" : "their") address family: unknown, not down.")
        }
        if unknownCells > 0 && unknownCells < cells {
            notes.append("Visibility was unknown \(Int((Double(unknownCells) / Double(cells) * 100).rounded())) % of the time "
                + "(fewer than \(r.parameters.minPeers) eligible peers with a known state).")
        }
        if r.blocks.isEmpty {
            return "Nothing to follow: no block of the scope was routed in the data before \(time(r.to))."
                + (r.neverRouted.isEmpty ? "" : " \(r.neverRouted.count) block\(r.neverRouted.count == 1 ? " was" : "s were") never routed.")
        }
        if n == 0 || (cells > 0 && unknownCells == cells && r.episodes.isEmpty) {
            return "Unknown: from \(time(r.from)) to \(time(r.to)) fewer than \(r.parameters.minPeers) eligible (full-feed) peers had a known state, "
                + "so nkwatch cannot tell whether \(r.blocks.count == 1 ? "the network was" : "the \(r.blocks.count) networks were") reachable. "
                + "Ingest RIB dumps and more collectors."
        }
        var sentences: [String] = []
        if r.episodes.isEmpty {
            sentences.append("No outage: \(n == 1 ? "the network" : "the \(n) networks") stayed visible to at least \(Int(r.parameters.visibleRatio * 100)) % "
                + "of \(r.eligiblePeers) eligible peers from \(time(r.from)) to \(time(r.to)).")
        } else {
            let facts = facts(r)
            for (i, fact) in facts.enumerated() {
                let first = i == 0
                let opening = first ? "From \(time(r.from)) to \(time(r.to)): " : ""
                switch fact {
                case .episodes(let label, let es):
                    sentences.append(opening + (first ? "" : "Then ") + episodes(label, es) + ".")
                case .period(let q):
                    sentences.append(opening + (first ? "continuous instability" : "Then continuous instability")
                        + " from \(time(q.start)) to \(time(q.end)): \(q.episodes) outages, "
                        + String(format: "%.1f per hour, down %.0f %% of the time, ", q.ratePerHour, q.downtimeShare * 100)
                        + trendWords(q.trend) + ".")
                case .outage(let e):
                    let prior = e.followsPeriod.flatMap { id in r.periods.first { $0.id == id } }
                    let lead: String
                    if let prior, let after = e.afterInstabilitySeconds {
                        lead = "After \(DurationText.prose(after)) of \(prior.trend.direction == .steady ? "" : prior.trend.direction.rawValue + " ")instability, "
                    } else {
                        lead = first ? "" : "Then "
                    }
                    sentences.append(opening + (first ? lead.lowercased() : lead) + outage(e, r) + ".")
                }
            }
            if r.episodes.allSatisfy({ $0.label == .isolatedBlip }) {
                sentences.append("Usually isolated blips, not continuous connectivity problems.")
            }
        }
        let resets = r.discounted.filter { $0.kind == .sessionReset }.count, gaps = r.discounted.filter { $0.kind == .dataGap }.count
        var discounted: [String] = []
        if resets > 0 { discounted.append("\(resets) peer session reset\(resets == 1 ? "" : "s")") }
        if gaps > 0 { discounted.append("\(gaps) data gap\(gaps == 1 ? "" : "s")") }
        if !discounted.isEmpty { sentences.append("Discounted: " + discounted.joined(separator: " and ") + ".") }
        return (sentences + notes).joined(separator: " ")
    }

    /// "3 isolated blips (2014-12-19 06:10 UTC, …; longest 15 min)".
    static func episodes(_ label: Label, _ es: [Episode]) -> String {
        let noun: String
        switch label {
        case .isolatedBlip: noun = es.count == 1 ? "an isolated blip" : "\(es.count) isolated blips"
        default: noun = es.count == 1 ? "a short outage" : "\(es.count) short outages"
        }
        let times = es.count <= 3 ? es.map { time($0.start) }.joined(separator: ", ") : "\(time(es[0].start)) to \(time(es[es.count - 1].start))"
        let longest = es.count == 1 ? DurationText.prose(es[0].durationSeconds) : "longest \(DurationText.prose(es.map(\.durationSeconds).max() ?? 0))"
        let ongoing = es.last?.ongoing == true ? "; the last still going at \(time(es[es.count - 1].end))" : ""
        return "\(noun) (\(times); \(longest)\(ongoing))"
    }

    /// "steady", "increasing: from 0.6 to 1.8 outages per hour, …".
    static func trendWords(_ t: Trend) -> String {
        t.direction == .steady ? "steady" : String(t.text.prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces)
    }

    /// "all 4 networks were withdrawn at … and stayed down 9 h 30 min".
    static func outage(_ e: Episode, _ r: AnalysisResult) -> String {
        let x = e.extent
        let whole = x.blocksDown == x.blocksRouted
        let who: String
        if whole {
            who = x.blocksRouted == 1 ? "the network" : "all \(x.blocksRouted) networks"
        } else {
            who = "\(x.blocksDown) of \(x.blocksRouted) networks (\(Analyzer.percent(x.spaceShare)) of the routed address space)"
        }
        let verb = e.label == .hardOutage ? "\(x.blocksDown == 1 ? "was" : "were") withdrawn" : "went down"
        let when = time(e.start) + (e.start < r.from ? " (before the range)" : "")
        let peers = "by \(Int((e.peersDownShare * 100).rounded())) % of \(e.peersKnown) full-feed peers"
        let partial = e.label == .partialOutage ? "a partial outage: " : ""
        if e.ongoing {
            return partial + "\(who) \(verb) at \(when) \(peers) and \(x.blocksDown == 1 ? "was" : "were") still down at \(time(e.end)), "
                + "\(DurationText.prose(e.durationSeconds)) so far"
        }
        return partial + "\(who) \(verb) at \(when) \(peers) and stayed down \(DurationText.prose(e.durationSeconds))"
    }
}

extension AnalysisResult {
    /// What happened, in one line for a headline, from the most severe facts:
    /// "Down 9 h 30 min from 22 Dec 16:15 UTC — all 4 networks — after 25 h of
    /// steady instability"; "Still down at 22 Dec 20:00 UTC, 3 h 45 min so
    /// far — …"; "Partly down 4 h from …"; "27 outages in 24 h of increasing
    /// instability from …"; "3 isolated blips, the longest 15 min; no outage";
    /// "No outage from … to …".
    public var headline: String {
        func networks(_ e: Episode) -> String {
            let x = e.extent
            if x.blocksDown == x.blocksRouted { return x.blocksRouted == 1 ? "the network" : "all \(x.blocksRouted) networks" }
            return "\(x.blocksDown) of \(x.blocksRouted) networks, \(Analyzer.percent(x.spaceShare)) of the routed address space"
        }
        func instability(before e: Episode) -> String? {
            guard let id = e.followsPeriod, let q = periods.first(where: { $0.id == id }) else { return nil }
            let after = e.afterInstabilitySeconds ?? q.start.seconds(until: e.start)
            return "after \(DurationText.prose(after)) of \(q.trend.direction == .steady ? "" : q.trend.direction.rawValue + " ")instability"
        }
        let outages = episodes.filter { $0.label == .hardOutage || $0.label == .partialOutage }
        if let worst = outages.max(by: { ($0.label == .hardOutage ? 1 : 0, $0.durationSeconds) < ($1.label == .hardOutage ? 1 : 0, $1.durationSeconds) }) {
            let down = worst.label == .hardOutage ? "Down" : "Partly down"
            var parts: [String]
            if worst.ongoing {
                parts = ["\(worst.label == .hardOutage ? "Still down" : "Still partly down") at \(worst.end.headlineText), "
                    + "\(DurationText.prose(worst.durationSeconds)) so far since \(worst.start.headlineText)"]
            } else {
                parts = ["\(down) \(DurationText.prose(worst.durationSeconds)) from \(worst.start.headlineText)"]
            }
            parts.append(networks(worst))
            if let before = instability(before: worst) { parts.append(before) }
            if outages.count > 1 { parts.append("\(outages.count - 1) more outage\(outages.count == 2 ? "" : "s") in the range") }
            return parts.joined(separator: " — ")
        }
        if let q = periods.max(by: { $0.episodes < $1.episodes }) {
            return "\(q.episodes) outages in \(DurationText.prose(q.start.seconds(until: q.end))) of \(q.trend.direction.rawValue) instability "
                + "from \(q.start.headlineText) — down \(Analyzer.percent(q.downtimeShare)) of the time; no long outage"
        }
        let short = episodes.filter { $0.label == .shortOutage || $0.label == .isolatedBlip }
        if !short.isEmpty {
            let blips = short.filter { $0.label == .isolatedBlip }.count, shorts = short.count - blips
            var what: [String] = []
            if blips > 0 { what.append("\(blips) isolated blip\(blips == 1 ? "" : "s")") }
            if shorts > 0 { what.append("\(shorts) short outage\(shorts == 1 ? "" : "s")") }
            let longest = short.map(\.durationSeconds).max() ?? 0
            return what.joined(separator: " and ") + ", the longest \(DurationText.prose(longest)); no long outage"
        }
        return "No outage from \(from.headlineText) to \(to.headlineText)"
    }
}
