import Foundation
import MRT

/// The method of docs/method.md: reachability per peer and block, visibility
/// per bin, episodes, labels and the instability score. Pure: no I/O, no clock.
public enum Analyzer {
    /// The target blocks: announced prefixes inside the scope prefixes that
    /// hold no other announced prefix (for North Korea, the four /24s); a scope
    /// prefix with nothing announced inside it is a block itself.
    public static func blocks(scope: [Prefix], announced: Set<Prefix>) -> [Prefix] {
        var out: [Prefix] = []
        for s in scope {
            let inside = announced.filter { s.contains($0) }
            if inside.isEmpty { out.append(s); continue }
            for p in inside where !inside.contains(where: { $0 != p && p.contains($0) }) { out.append(p) }
        }
        return Array(Set(out)).sorted()
    }

    public static func analyze(_ input: AnalysisInput, parameters p: Parameters = Parameters()) -> AnalysisResult {
        var announced = Set(input.observations.filter { $0.kind == .announce }.map(\.prefix))
        for r in input.ribs { for routes in r.routes.values { announced.formUnion(routes.keys) } }
        let blocks = blocks(scope: input.scopePrefixes, announced: announced)
        var sweep = ReachabilitySweep(input: input, parameters: p, blocks: blocks)
        sweep.run()

        let binUS = p.binSeconds * 1_000_000
        let nBins = max(0, Int((input.to - input.from + binUS - 1) / binUS))
        // Per block: down intervals and per-bin accounting.
        var bins: [Bin] = (0..<nBins).map { i in
            Bin(start: (input.from + Int64(i) * binUS) / 1_000_000, blocks: [], routed: 0, announcements: 0, withdrawals: 0, pathChanges: 0)
        }
        var downIntervals: [[(Int64, Int64)]] = Array(repeating: [], count: blocks.count)
        for (bi, segs) in sweep.segments.enumerated() {
            var downT = [Double](repeating: 0, count: nBins)
            var knownT = [Double](repeating: 0, count: nBins)
            var visT = [Double](repeating: 0, count: nBins)
            var knownAtEnd = [Int](repeating: 0, count: nBins)
            for (si, s) in segs.enumerated() {
                let end = si + 1 < segs.count ? segs[si + 1].start : input.to
                guard end > s.start else { continue }
                if s.down {
                    if let last = downIntervals[bi].last, last.1 == s.start {
                        downIntervals[bi][downIntervals[bi].count - 1].1 = end
                    } else {
                        downIntervals[bi].append((s.start, end))
                    }
                }
                var b = Int((s.start - input.from) / binUS)
                while b < nBins {
                    let bs = input.from + Int64(b) * binUS, be = bs + binUS
                    let overlap = Double(min(end, be) - max(s.start, bs)) / 1e6
                    if overlap <= 0 { break }
                    if !s.unknown {
                        knownT[b] += overlap
                        visT[b] += overlap * (s.known > 0 ? Double(s.yes) / Double(s.known) : 0)
                        if s.down { downT[b] += overlap }
                    }
                    if end >= be { knownAtEnd[b] = s.unknown ? 0 : s.known }
                    if end <= be { if end == be { knownAtEnd[b] = s.unknown ? 0 : s.known }; break }
                    b += 1
                }
            }
            for b in 0..<nBins {
                let state: BlockState
                if knownT[b] <= 0 { state = .unknown } else if downT[b] <= 0 { state = .up } else if downT[b] >= knownT[b] - 1e-6 { state = .down } else { state = .partial }
                bins[b].blocks.append(BlockBin(state: state, visibility: knownT[b] > 0 ? visT[b] / knownT[b] : nil,
                                               downSeconds: downT[b], knownPeers: knownAtEnd[b]))
                if knownT[b] > 0 && downT[b] * 2 <= knownT[b] { bins[b].routed += 1 }
            }
        }
        for (t, a, w, pc) in sweep.churnTimes where t >= input.from && t < input.to {
            let b = Int((t - input.from) / binUS)
            bins[b].announcements += a
            bins[b].withdrawals += w
            bins[b].pathChanges += pc
        }

        var episodes = makeEpisodes(sweep: sweep, blocks: blocks, downIntervals: downIntervals, input: input, p: p)
        let scores = instabilityScores(bins: bins, episodes: episodes, from: input.from, p: p)
        var periods = label(&episodes, churnTimes: sweep.churnTimes, input: input, p: p)
        for i in episodes.indices {
            let b = min(nBins - 1, Int((episodes[i].end - 1 - input.from) / binUS))
            episodes[i].score = b >= 0 && b < nBins ? scores["6h"]?[b] ?? 0 : 0
        }
        for i in periods.indices {
            let lo = Int((periods[i].start - input.from) / binUS), hi = min(nBins - 1, Int((periods[i].end - 1 - input.from) / binUS))
            periods[i].score = lo <= hi ? (scores["6h"]?[lo...hi].max() ?? 0) : 0
        }
        let collectors = Array(Set(input.peers.map(\.collector))).sorted()
        var result = AnalysisResult(parameters: p, from: input.from, to: input.to, blocks: blocks.map(\.description), bins: bins,
                                    episodes: episodes, periods: periods, scores: scores, peers: input.peers.count,
                                    eligiblePeers: sweep.eligibleEver.count, collectors: collectors,
                                    ribDisagreements: sweep.ribDisagreements,
                                    discounted: sweep.relevantDiscounted.filter { $0.end > input.from && $0.start < input.to },
                                    warnings: sweep.warnings, verdict: "")
        result.verdict = Verdict.paragraph(result)
        return result
    }

    static func makeEpisodes(sweep: ReachabilitySweep, blocks: [Prefix], downIntervals: [[(Int64, Int64)]], input: AnalysisInput, p: Parameters) -> [Episode] {
        // Moments where the number of blocks down changes.
        var edges: [(Int64, Int)] = []
        for ivs in downIntervals { for iv in ivs { edges.append((iv.0, 1)); edges.append((iv.1, -1)) } }
        edges.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var anyDown: [(Int64, Int64)] = []
        var allDown: [(Int64, Int64)] = []
        var count = 0
        var anyStart: Int64 = 0, allStart: Int64 = 0
        var i = 0
        while i < edges.count {
            let t = edges[i].0
            let before = count
            while i < edges.count && edges[i].0 == t { count += edges[i].1; i += 1 }
            if before == 0 && count > 0 { anyStart = t }
            if before > 0 && count == 0 { anyDown.append((anyStart, t)) }
            if before < blocks.count && count == blocks.count { allStart = t }
            if before == blocks.count && count < blocks.count { allDown.append((allStart, t)) }
        }
        // Down stretches in the same or adjacent bins form one episode.
        let binUS = p.binSeconds * 1_000_000
        func bin(_ t: Int64) -> Int64 { (t - input.from) / binUS }
        var merged: [(Int64, Int64)] = []
        for iv in anyDown {
            if let last = merged.last, bin(iv.0) <= bin(last.1 - 1) + 1 {
                merged[merged.count - 1].1 = max(last.1, iv.1)
            } else {
                merged.append(iv)
            }
        }
        return merged.map { (s, e) in
            var blocksDown: [String] = []
            for (bi, ivs) in downIntervals.enumerated() where ivs.contains(where: { $0.0 < e && $0.1 > s }) {
                blocksDown.append(blocks[bi].description)
            }
            var peers = Set<Int>()
            var worst = 0.0, worstKnown = 0
            for segs in sweep.segments {
                for (si, seg) in segs.enumerated() where seg.down {
                    let end = si + 1 < segs.count ? segs[si + 1].start : input.to
                    guard seg.start < e && end > s else { continue }
                    peers.formUnion(seg.noPeers)
                    let share = seg.known > 0 ? Double(seg.known - seg.yes) / Double(seg.known) : 0
                    if share > worst || (share == worst && seg.known > worstKnown) { worst = share; worstKnown = seg.known }
                }
            }
            let full = allDown.filter { $0.0 < e && $0.1 > s }
            let longestAll = full.map { Double($0.1 - $0.0) / 1e6 }.max() ?? 0
            let churn = sweep.churnTimes.filter { $0.0 >= s && $0.0 <= e }.reduce(0) { $0 + $1.1 + $1.2 }
            return Episode(start: s, end: e, kind: full.isEmpty ? "partial" : "full", blocks: blocksDown,
                           peersDown: peers.sorted().map { input.peers[$0] }, peersDownShare: worst, peersKnown: worstKnown,
                           allDownSeconds: longestAll, label: .shortOutage, period: nil, afterInstabilitySeconds: nil,
                           churn: churn, score: 0, explanation: "")
        }
    }
}
