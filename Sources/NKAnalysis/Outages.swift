import MRT
import NKModel

/// When each block was out, and how much of the scope was out at every
/// moment: the step functions episodes and their extents come from.
///
/// A block is *out* from the moment it goes down until it is seen up again:
/// a stretch where its state is unknown (a data gap of every collector)
/// between two down stretches does not end the outage, since nothing showed
/// the block back. A block still out at the end of the range, or whose state
/// became unknown while out and stayed so (the data ended), is *open*: its
/// outage is ongoing, and it ends at the last moment it was known down.
/// Outside outages a block is *up*, or *excluded* while its state is unknown;
/// excluded blocks count in no share.
struct OutageTimeline {
    /// One block's outage.
    struct Stretch {
        var block: Int
        var start: Timestamp
        var end: Timestamp
        /// Still out at the end of the range or of the data.
        var open: Bool
    }

    /// From `start` until the next point: how many blocks (and how much
    /// address space, in /24s) were out, and how many had a known state or
    /// were out.
    struct Point {
        var start: Timestamp
        var out: Int
        var considered: Int
        var out24: Double
        var considered24: Double
    }

    enum Status { case up, out, excluded }

    let stretches: [[Stretch]]
    let points: [Point]
    let end: Timestamp

    init(segments: [[Segment]], weights: [Double], end: Timestamp) {
        self.end = end
        var stretches: [[Stretch]] = []
        var changes: [(time: Timestamp, block: Int, status: Status)] = []
        for (bi, segs) in segments.enumerated() {
            let own = Self.stretches(segs, block: bi, end: end)
            stretches.append(own)
            var k = 0
            var last = Status.excluded
            for (si, seg) in segs.enumerated() {
                let segEnd = si + 1 < segs.count ? segs[si + 1].start : end
                guard segEnd > seg.start else { continue }
                while k < own.count && own[k].end <= seg.start { k += 1 }
                let status: Status = k < own.count && own[k].start <= seg.start ? .out : seg.unknown ? .excluded : .up
                if status != last {
                    changes.append((seg.start, bi, status))
                    last = status
                }
            }
        }
        self.stretches = stretches
        changes.sort { ($0.time, $0.block) < ($1.time, $1.block) }
        var status = Array(repeating: Status.excluded, count: segments.count)
        var out = 0, considered = 0
        var out24 = 0.0, considered24 = 0.0
        var points: [Point] = []
        var i = 0
        while i < changes.count {
            let t = changes[i].time
            while i < changes.count && changes[i].time == t {
                let (_, b, new) = changes[i]
                let old = status[b]
                if old == .out { out -= 1; out24 -= weights[b] }
                if old != .excluded { considered -= 1; considered24 -= weights[b] }
                if new == .out { out += 1; out24 += weights[b] }
                if new != .excluded { considered += 1; considered24 += weights[b] }
                status[b] = new
                i += 1
            }
            if considered == 0 { out24 = 0; considered24 = 0 }  // no drift from sums
            let p = Point(start: t, out: out, considered: considered, out24: max(0, out24), considered24: max(0, considered24))
            if let last = points.last, last.out == p.out && last.considered == p.considered && last.out24 == p.out24 && last.considered24 == p.considered24 {
                continue
            }
            points.append(p)
        }
        self.points = points
    }

    /// The outages of one block: from the start of a down segment until the
    /// next up segment, across unknown ones.
    static func stretches(_ segs: [Segment], block: Int, end: Timestamp) -> [Stretch] {
        var out: [Stretch] = []
        var openStart: Timestamp?
        var lastDownEnd = end
        for (si, seg) in segs.enumerated() {
            let segEnd = si + 1 < segs.count ? segs[si + 1].start : end
            guard segEnd > seg.start else { continue }
            if seg.down {
                if openStart == nil { openStart = seg.start }
                lastDownEnd = segEnd
            } else if !seg.unknown, let s = openStart {
                out.append(Stretch(block: block, start: s, end: seg.start, open: false))
                openStart = nil
            }
        }
        if let s = openStart { out.append(Stretch(block: block, start: s, end: lastDownEnd, open: true)) }
        return out
    }

    /// Where point `i` ends.
    func pointEnd(_ i: Int) -> Timestamp { i + 1 < points.count ? points[i + 1].start : end }

    /// Stretches with at least one block out, joined across up stretches
    /// shorter than `mergeGap` seconds.
    func anyOut(mergeGap: Int64) -> [(start: Timestamp, end: Timestamp)] {
        var runs: [(start: Timestamp, end: Timestamp)] = []
        var start: Timestamp?
        for (i, p) in points.enumerated() {
            if p.out > 0 {
                if start == nil { start = p.start }
            } else if let s = start {
                runs.append((s, p.start))
                start = nil
            }
            if i == points.count - 1, let s = start { runs.append((s, pointEnd(i))) }
        }
        var merged: [(start: Timestamp, end: Timestamp)] = []
        for r in runs {
            if let last = merged.last, last.end.adding(seconds: mergeGap) > r.start {
                merged[merged.count - 1].end = max(last.end, r.end)
            } else {
                merged.append(r)
            }
        }
        return merged
    }

    /// Over [s, e): the extent at the worst moment (largest share of the
    /// routed address space out), the longest stretch with at least
    /// `extent` of it out, and the longest with every considered block out.
    func measure(from s: Timestamp, to e: Timestamp, hardExtent: Double) -> (worst: Extent, hardSeconds: Double, allSeconds: Double) {
        var worst = Extent(blocksDown: 0, blocksRouted: 0, slash24Down: 0, slash24Routed: 0)
        var hard = 0.0, all = 0.0, hardRun = 0.0, allRun = 0.0
        for (i, p) in points.enumerated() {
            let ps = max(p.start, s), pe = min(pointEnd(i), e)
            guard pe > ps else { continue }
            let seconds = ps.seconds(until: pe)
            if p.out > 0 {
                let candidate = Extent(blocksDown: p.out, blocksRouted: p.considered, slash24Down: p.out24, slash24Routed: p.considered24)
                if candidate.spaceShare > worst.spaceShare + 1e-12
                    || (abs(candidate.spaceShare - worst.spaceShare) <= 1e-12 && candidate.blocksDown > worst.blocksDown) {
                    worst = candidate
                }
            }
            let isHard = p.considered > 0 && p.out24 >= hardExtent * p.considered24 - 1e-9
            let isAll = p.considered > 0 && p.out == p.considered
            hardRun = isHard ? hardRun + seconds : 0
            allRun = isAll ? allRun + seconds : 0
            hard = max(hard, hardRun)
            all = max(all, allRun)
        }
        return (worst, hard, all)
    }
}

extension Analyzer {
    /// Episodes over the whole history the data holds: maximal stretches
    /// with a block out (from event times; bins play no part), each with its
    /// extent, its blocks and peers, and whether it is still going.
    static func makeEpisodes(_ timeline: OutageTimeline, segments: [[Segment]], blocks: [Prefix], sweep: ReachabilitySweep,
                             end: Timestamp, p: Parameters) -> [Episode] {
        let all = timeline.stretches.flatMap { $0 }
        return timeline.anyOut(mergeGap: p.mergeGapSeconds).map { (s, e) in
            let inside = all.filter { $0.start < e && $0.end > s }
            let m = timeline.measure(from: s, to: e, hardExtent: p.hardExtent)
            let worst = worstMoment(segments, from: s, to: e, end: end)
            return Episode(start: s, end: e, ongoing: inside.contains { $0.open }, kind: m.allSeconds > 0 ? .full : .partial,
                           blocks: Set(inside.map(\.block)).sorted().map { blocks[$0] },
                           peersDown: worst.peers.sorted().map { sweep.input.peers[$0] }, peersDownShare: worst.share, peersKnown: worst.known,
                           allDownSeconds: m.allSeconds, extent: m.worst, hardSeconds: m.hardSeconds, label: .shortOutage, period: nil,
                           followsPeriod: nil, afterInstabilitySeconds: nil, churn: sweep.churn.updates(from: s, through: e), score: 0, explanation: "")
        }
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
