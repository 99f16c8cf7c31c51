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
        let scopeBlocks = blocks(scope: input.scopePrefixes, announced: input.announced)
        var sweep = ReachabilitySweep(input: input, parameters: p, blocks: scopeBlocks)
        try sweep.run()

        // A network can only go down if it was up: blocks no peer ever
        // routed, or never up (seen by `visibleRatio` of the eligible peers)
        // before the end of the range, are not networks that went down. A
        // block some peer routed whose state was never known (no eligible
        // peer of its family) stays, unknown.
        let routedIndices = scopeBlocks.indices.filter { bi in
            let segs = sweep.segments[bi]
            return segs.contains { !$0.unknown && !$0.down } || (sweep.counts.everRouted[bi] && segs.allSatisfy(\.unknown))
        }
        let blocks = routedIndices.map { scopeBlocks[$0] }
        let neverRouted = scopeBlocks.indices.filter { !routedIndices.contains($0) }.map { scopeBlocks[$0] }
        let segments = routedIndices.map { sweep.segments[$0] }
        let origins = sweep.blockOrigins
        let weights = blocks.map { Double($0.slash24Equivalents) }

        let binning = Binning(segments: segments, weights: weights, churn: sweep.churn, from: input.from, to: input.to, parameters: p)
        let timeline = OutageTimeline(segments: segments, weights: weights, end: input.to)
        var history = makeEpisodes(timeline, segments: segments, blocks: blocks, sweep: sweep, end: input.to, p: p)
        var allPeriods = label(&history, churn: sweep.churn, p: p)
        // What the range shows: the episodes that overlap it, with their true
        // starts, and the periods that overlap it or that one of them follows.
        var episodes = history.filter { $0.end > input.from && $0.start < input.to }
        let wanted = Set(episodes.compactMap { $0.period } + episodes.compactMap { $0.followsPeriod })
        allPeriods = allPeriods.filter { ($0.end > input.from && $0.start < input.to) || wanted.contains($0.id) }
        let scores = instabilityScores(bins: binning.bins, episodes: episodes, from: input.from, p: p)
        attach(scores[.sixHours] ?? [], to: &episodes, &allPeriods, from: input.from, p: p)

        let unknownBlocks = blocks.indices.filter { bi in !binning.bins.isEmpty && binning.bins.allSatisfy { $0.blocks[bi].state == .unknown } }.map { blocks[$0] }
        var warnings = sweep.warnings
        if !neverRouted.isEmpty {
            warnings.append("\(neverRouted.count) block\(neverRouted.count == 1 ? " was" : "s were") never routed in the data before \(input.to.prose) "
                + "(\(listed(neverRouted))): no peer carried \(neverRouted.count == 1 ? "it" : "them"), or never \(Int(p.visibleRatio * 100)) % of the eligible peers; "
                + "not networks that went down, left out of every share")
        }
        if !unknownBlocks.isEmpty && unknownBlocks.count < blocks.count {
            let families = Set(unknownBlocks.map { $0.isIPv4 ? "IPv4" : "IPv6" }).sorted().joined(separator: " and ")
            warnings.append("\(unknownBlocks.count) \(families) block\(unknownBlocks.count == 1 ? " was" : "s were") never visible to \(p.minPeers) eligible peers "
                + "(\(listed(unknownBlocks))): unknown, not down")
        }
        let binUS = p.binMicroseconds
        func bin(_ t: Timestamp) -> Int64 { (t.microseconds - input.from.microseconds) / binUS }
        let binMerges = zip(episodes, episodes.dropFirst()).filter { a, b in bin(b.start) <= bin(a.end.adding(microseconds: -1)) + 1 }.count

        var result = AnalysisResult(parameters: p, from: input.from, to: input.to, blocks: blocks,
                                    blockOrigins: routedIndices.map { origins[$0] },
                                    blockAllocations: blocks.map { b in input.scopePrefixes.filter { $0.contains(b) }.min { $0.length < $1.length } },
                                    neverRouted: neverRouted, unknownBlocks: unknownBlocks,
                                    dataEnd: input.coverage.map(\.end).max(), binMerges: binMerges,
                                    bins: binning.bins, episodes: episodes, periods: allPeriods, scores: scores, peers: input.peers.count,
                                    eligiblePeers: sweep.eligibleEver.count, collectors: sweep.collectors,
                                    ribDisagreements: sweep.ribDisagreements,
                                    discounted: sweep.relevantDiscounted.filter { $0.end >= input.from && $0.start < input.to },
                                    warnings: warnings, verdict: "")
        result.verdict = Verdict.paragraph(result)
        return result
    }

    /// "175.45.180.0/24, 2001:db8::/32 and 3 more".
    public static func listed(_ prefixes: [Prefix], limit: Int = 4) -> String {
        let shown = prefixes.prefix(limit).map(\.description).joined(separator: ", ")
        return prefixes.count > limit ? "\(shown) and \(prefixes.count - limit) more" : shown
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
            let lo = max(0, bin(periods[i].start)), hi = min(score.count - 1, bin(periods[i].end.adding(microseconds: -1)))
            periods[i].score = lo <= hi ? (score[lo...hi].max() ?? 0) : 0
        }
    }
}

/// The segments of each block summarised per bin of the range: state,
/// visibility, seconds down; the routed count, routed address space and churn
/// per bin.
struct Binning {
    var bins: [Bin]

    init(segments: [[Segment]], weights: [Double], churn: ChurnSeries, from: Timestamp, to: Timestamp, parameters p: Parameters) {
        let binUS = p.binMicroseconds
        let nBins = max(0, Int((to.microseconds - from.microseconds + binUS - 1) / binUS))
        bins = (0..<nBins).map { i in
            Bin(start: from.adding(microseconds: Int64(i) * binUS), blocks: [], routed: 0, routedSlash24: 0, announcements: 0, withdrawals: 0, pathChanges: 0)
        }
        for (bi, segs) in segments.enumerated() {
            let perBin = Self.accumulate(segs, from: from, to: to, binUS: binUS, nBins: nBins)
            for b in 0..<nBins {
                let (known, down, visible, knownAtEnd) = perBin[b]
                let state: BlockState
                if known <= 0 { state = .unknown } else if down <= 0 { state = .up } else if down >= known - 1e-6 { state = .down } else { state = .partial }
                let routed = known > 0 && down * 2 <= known
                bins[b].blocks.append(BlockBin(state: state, visibility: known > 0 ? visible / known : nil, downSeconds: down, knownPeers: knownAtEnd,
                                               routed: routed))
                if routed {
                    bins[b].routed += 1
                    bins[b].routedSlash24 += weights[bi]
                }
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
    /// known seconds, known peers at the bin's end), over the part of each
    /// segment inside [from, to).
    static func accumulate(_ segs: [Segment], from: Timestamp, to: Timestamp, binUS: Int64, nBins: Int) -> [(Double, Double, Double, Int)] {
        var out = Array(repeating: (0.0, 0.0, 0.0, 0), count: nBins)
        for (si, s) in segs.enumerated() {
            let start = max(s.start, from)
            let end = min(si + 1 < segs.count ? segs[si + 1].start : to, to)
            guard end > start else { continue }
            var b = Int((start.microseconds - from.microseconds) / binUS)
            while b < nBins {
                let bs = from.microseconds + Int64(b) * binUS, be = bs + binUS
                let overlap = Double(min(end.microseconds, be) - max(start.microseconds, bs)) / 1e6
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
