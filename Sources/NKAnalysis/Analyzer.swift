import Foundation
import MRT
import NKModel

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

    /// Runs the method on `input`; throws only what its data source throws.
    public static func analyze(_ input: AnalysisInput, parameters p: Parameters = Parameters()) throws -> AnalysisResult {
        let blocks = blocks(scope: input.scopePrefixes, announced: input.announced)
        var sweep = ReachabilitySweep(input: input, parameters: p, blocks: blocks)
        try sweep.run()

        let binning = Binning(segments: sweep.segments, churn: sweep.churn, from: input.from, to: input.to, parameters: p)
        var episodes = makeEpisodes(sweep: sweep, downIntervals: binning.downIntervals, input: input, p: p)
        let scores = instabilityScores(bins: binning.bins, episodes: episodes, from: input.from, p: p)
        var periods = label(&episodes, churn: sweep.churn, p: p)
        attach(scores[.sixHours] ?? [], to: &episodes, &periods, from: input.from, p: p)
        var result = AnalysisResult(parameters: p, from: input.from, to: input.to, blocks: blocks, bins: binning.bins,
                                    episodes: episodes, periods: periods, scores: scores, peers: input.peers.count,
                                    eligiblePeers: sweep.eligibleEver.count, collectors: sweep.collectors,
                                    ribDisagreements: sweep.ribDisagreements,
                                    discounted: sweep.relevantDiscounted.filter { $0.end > input.from && $0.start < input.to },
                                    warnings: sweep.warnings, verdict: "")
        result.verdict = Verdict.paragraph(result)
        return result
    }

    /// Episodes report the 6 h score at their end, periods the highest inside them.
    static func attach(_ score: [Double], to episodes: inout [Episode], _ periods: inout [Period], from: Timestamp, p: Parameters) {
        let binUS = p.binMicroseconds
        func bin(_ t: Timestamp) -> Int { Int((t.microseconds - from.microseconds) / binUS) }
        for i in episodes.indices {
            let b = min(score.count - 1, bin(episodes[i].end.adding(microseconds: -1)))
            episodes[i].score = b >= 0 && b < score.count ? score[b] : 0
        }
        for i in periods.indices {
            let lo = bin(periods[i].start), hi = min(score.count - 1, bin(periods[i].end.adding(microseconds: -1)))
            periods[i].score = lo <= hi && lo >= 0 ? (score[lo...hi].max() ?? 0) : 0
        }
    }
}

/// The segments of each block summarised per bin: state, visibility, seconds
/// down; the routed count and churn per bin; and each block's exact down
/// intervals.
struct Binning {
    var bins: [Bin]
    var downIntervals: [[(start: Timestamp, end: Timestamp)]]

    init(segments: [[Segment]], churn: ChurnSeries, from: Timestamp, to: Timestamp, parameters p: Parameters) {
        let binUS = p.binMicroseconds
        let nBins = max(0, Int((to.microseconds - from.microseconds + binUS - 1) / binUS))
        bins = (0..<nBins).map { i in
            Bin(start: from.adding(microseconds: Int64(i) * binUS), blocks: [], routed: 0, announcements: 0, withdrawals: 0, pathChanges: 0)
        }
        downIntervals = Array(repeating: [], count: segments.count)
        for (bi, segs) in segments.enumerated() {
            let perBin = Self.accumulate(segs, block: bi, from: from, to: to, binUS: binUS, nBins: nBins, down: &downIntervals[bi])
            for b in 0..<nBins {
                let (known, down, visible, knownAtEnd) = perBin[b]
                let state: BlockState
                if known <= 0 { state = .unknown } else if down <= 0 { state = .up } else if down >= known - 1e-6 { state = .down } else { state = .partial }
                bins[b].blocks.append(BlockBin(state: state, visibility: known > 0 ? visible / known : nil, downSeconds: down, knownPeers: knownAtEnd))
                if known > 0 && down * 2 <= known { bins[b].routed += 1 }
            }
        }
        for (second, c) in churn.bySecond {
            let b = Int((second * 1_000_000 - from.microseconds) / binUS)
            guard b >= 0 && b < nBins else { continue }
            bins[b].announcements += c.announcements
            bins[b].withdrawals += c.withdrawals
            bins[b].pathChanges += c.pathChanges
        }
    }

    /// Per bin of one block: (known seconds, down seconds, visibility ×
    /// known seconds, known peers at the bin's end); appends the block's down
    /// intervals to `down`.
    static func accumulate(_ segs: [Segment], block: Int, from: Timestamp, to: Timestamp, binUS: Int64, nBins: Int,
                           down: inout [(start: Timestamp, end: Timestamp)]) -> [(Double, Double, Double, Int)] {
        var out = Array(repeating: (0.0, 0.0, 0.0, 0), count: nBins)
        for (si, s) in segs.enumerated() {
            let end = si + 1 < segs.count ? segs[si + 1].start : to
            guard end > s.start else { continue }
            if s.down {
                if let last = down.last, last.end == s.start { down[down.count - 1].end = end } else { down.append((s.start, end)) }
            }
            var b = Int((s.start.microseconds - from.microseconds) / binUS)
            while b < nBins {
                let bs = from.microseconds + Int64(b) * binUS, be = bs + binUS
                let overlap = Double(min(end.microseconds, be) - max(s.start.microseconds, bs)) / 1e6
                if overlap <= 0 { break }
                if !s.unknown {
                    out[b].0 += overlap
                    out[b].2 += overlap * (s.known > 0 ? Double(s.yes) / Double(s.known) : 0)
                    if s.down { out[b].1 += overlap }
                }
                if end.microseconds >= be { out[b].3 = s.unknown ? 0 : s.known }
                if end.microseconds <= be { break }
                b += 1
            }
        }
        return out
    }
}

extension Analyzer {
    /// Episodes: maximal runs of time with at least one block down, where
    /// down stretches in the same or adjacent bins form one episode.
    static func makeEpisodes(sweep: ReachabilitySweep, downIntervals: [[(start: Timestamp, end: Timestamp)]],
                             input: AnalysisInput, p: Parameters) -> [Episode] {
        let blocks = sweep.blocks
        let (anyDown, allDown) = downStretches(downIntervals, blockCount: blocks.count)
        let binUS = p.binMicroseconds
        func bin(_ t: Timestamp) -> Int64 { (t.microseconds - input.from.microseconds) / binUS }
        var merged: [(start: Timestamp, end: Timestamp)] = []
        for iv in anyDown {
            if let last = merged.last, bin(iv.start) <= bin(last.end.adding(microseconds: -1)) + 1 {
                merged[merged.count - 1].end = max(last.end, iv.end)
            } else {
                merged.append(iv)
            }
        }
        return merged.map { (s, e) in
            let blocksDown = downIntervals.indices.filter { bi in downIntervals[bi].contains { $0.start < e && $0.end > s } }.map { blocks[$0] }
            let worst = worstMoment(sweep.segments, from: s, to: e, end: input.to)
            let full = allDown.filter { $0.start < e && $0.end > s }
            let longestAll = full.map { $0.start.seconds(until: $0.end) }.max() ?? 0
            let updates = sweep.churn.updates(from: s, through: e)
            return Episode(start: s, end: e, kind: full.isEmpty ? .partial : .full, blocks: blocksDown,
                           peersDown: worst.peers.sorted().map { input.peers[$0] }, peersDownShare: worst.share, peersKnown: worst.known,
                           allDownSeconds: longestAll, label: .shortOutage, period: nil, afterInstabilitySeconds: nil,
                           churn: updates, score: 0, explanation: "")
        }
    }

    /// The stretches with any block down and with every block down.
    static func downStretches(_ downIntervals: [[(start: Timestamp, end: Timestamp)]], blockCount: Int)
        -> (any: [(start: Timestamp, end: Timestamp)], all: [(start: Timestamp, end: Timestamp)]) {
        // Moments where the number of blocks down changes.
        var edges: [(Timestamp, Int)] = []
        for ivs in downIntervals { for iv in ivs { edges.append((iv.start, 1)); edges.append((iv.end, -1)) } }
        edges.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var anyDown: [(start: Timestamp, end: Timestamp)] = [], allDown: [(start: Timestamp, end: Timestamp)] = []
        var count = 0
        var anyStart = Timestamp(microseconds: 0), allStart = Timestamp(microseconds: 0)
        var i = 0
        while i < edges.count {
            let t = edges[i].0
            let before = count
            while i < edges.count && edges[i].0 == t { count += edges[i].1; i += 1 }
            if before == 0 && count > 0 { anyStart = t }
            if before > 0 && count == 0 { anyDown.append((anyStart, t)) }
            if before < blockCount && count == blockCount { allStart = t }
            if before == blockCount && count < blockCount { allDown.append((allStart, t)) }
        }
        return (anyDown, allDown)
    }

    /// Over the down segments that overlap [s, e): every peer without a
    /// route, and the largest share of known peers without one.
    static func worstMoment(_ segments: [[Segment]], from s: Timestamp, to e: Timestamp, end: Timestamp)
        -> (peers: Set<Int>, share: Double, known: Int) {
        var peers = Set<Int>()
        var worst = 0.0, worstKnown = 0
        for segs in segments {
            for (si, seg) in segs.enumerated() where seg.down {
                let segEnd = si + 1 < segs.count ? segs[si + 1].start : end
                guard seg.start < e && segEnd > s else { continue }
                peers.formUnion(seg.noPeers)
                let share = seg.known > 0 ? Double(seg.known - seg.yes) / Double(seg.known) : 0
                if share > worst || (share == worst && seg.known > worstKnown) { worst = share; worstKnown = seg.known }
            }
        }
        return (peers, worst, worstKnown)
    }
}
