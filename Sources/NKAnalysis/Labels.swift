import Foundation
import NKModel

extension Analyzer {
    /// Labels episodes and builds continuous-instability periods.
    ///
    /// - Episodes of at least `hardMinSeconds` are outages: `hard_outage` when
    ///   at least `hardExtent` of the routed address space was down for
    ///   `hardMinSeconds` without interruption, `partial_outage` otherwise.
    /// - The other episodes are grouped into runs: a run ends at a gap of at
    ///   least `isolationSeconds` or at an outage. A run of at least
    ///   `minClusterEpisodes` is a `continuous_instability` period.
    /// - An episode alone in its run with no other episode within
    ///   `isolationSeconds` before or after is an `isolated_blip`; otherwise a
    ///   `short_outage`.
    ///
    /// Every explanation is built from the numbers it states.
    static func label(_ episodes: inout [Episode], churn: ChurnSeries, p: Parameters) -> [Period] {
        let iso = Double(p.isolationSeconds), hardMin = Double(p.hardMinSeconds)
        let long = episodes.map { $0.durationSeconds >= hardMin }
        var runs: [[Int]] = []
        var current: [Int] = []
        for i in episodes.indices {
            if long[i] {
                if !current.isEmpty { runs.append(current); current = [] }
                continue
            }
            if let last = current.last, episodes[last].end.seconds(until: episodes[i].start) >= iso {
                runs.append(current)
                current = []
            }
            current.append(i)
        }
        if !current.isEmpty { runs.append(current) }

        var periods: [Period] = []
        for run in runs {
            if run.count >= p.minClusterEpisodes {
                let id = periods.count + 1
                periods.append(period(id: id, of: run.map { episodes[$0] }, churn: churn, p: p))
                for i in run {
                    episodes[i].label = .continuousInstability
                    episodes[i].period = id
                    episodes[i].explanation = "continuous_instability: \(DurationText.prose(episodes[i].durationSeconds)) < \(DurationText.prose(hardMin)) (hard_min), "
                        + "one of \(run.count) episodes (≥ \(p.minClusterEpisodes)) separated by gaps under \(DurationText.prose(iso)) (isolation) in period \(id)"
                        + soFar(episodes[i])
                }
            } else {
                for i in run {
                    let before = i > 0 ? episodes[i - 1].end.seconds(until: episodes[i].start) : .infinity
                    let after = i + 1 < episodes.count ? episodes[i].end.seconds(until: episodes[i + 1].start) : .infinity
                    let d = DurationText.prose(episodes[i].durationSeconds)
                    if before >= iso && after >= iso {
                        episodes[i].label = .isolatedBlip
                        episodes[i].explanation = "isolated_blip: \(d) < \(DurationText.prose(hardMin)) (hard_min), "
                            + "and no other episode within \(DurationText.prose(iso)) (isolation) before or after" + soFar(episodes[i])
                    } else {
                        episodes[i].label = .shortOutage
                        episodes[i].explanation = "short_outage: \(d) < \(DurationText.prose(hardMin)) (hard_min); "
                            + "another episode \(DurationText.prose(min(before, after))) away (< isolation), but \(run.count) in the run "
                            + "(< \(p.minClusterEpisodes) for instability)" + soFar(episodes[i])
                    }
                }
            }
        }
        for i in episodes.indices where long[i] {
            let e = episodes[i]
            let hard = e.hardSeconds >= hardMin
            episodes[i].label = hard ? .hardOutage : .partialOutage
            var text = hard ? hardText(e, p: p) : partialText(e, p: p)
            text += "; \(Int((e.peersDownShare * 100).rounded())) % of \(e.peersKnown) eligible peers without a route at the worst moment"
            if let prior = periods.last(where: { $0.end <= e.start && $0.end.seconds(until: e.start) < iso }) {
                episodes[i].followsPeriod = prior.id
                episodes[i].afterInstabilitySeconds = prior.start.seconds(until: e.start)
                text += "; follows continuous-instability period \(prior.id) (\(prior.episodes) episodes over \(DurationText.prose(prior.start.seconds(until: prior.end))), "
                    + "\(prior.trend.direction.rawValue), ended \(DurationText.prose(prior.end.seconds(until: e.start))) before)"
            }
            episodes[i].explanation = text + soFar(e)
        }
        return periods
    }

    /// "100 % (4 of 4 blocks)", "31 % of the routed address space (100 of 300 blocks)".
    static func extentText(_ x: Extent) -> String {
        "\(percent(x.spaceShare)) of the routed address space (\(x.blocksDown) of \(x.blocksRouted) block\(x.blocksRouted == 1 ? "" : "s"))"
    }

    public static func percent(_ share: Double) -> String {
        let v = share * 100
        if v > 99 && v < 100 { return String(format: "%.1f %%", v) }
        if v > 0 && v < 1 { return String(format: "%.1f %%", v) }
        return "\(Int(v.rounded())) %"
    }

    static func hardText(_ e: Episode, p: Parameters) -> String {
        "hard_outage: \(DurationText.prose(e.durationSeconds)); at least \(percent(p.hardExtent)) (hard_extent) of the routed address space down "
            + "for \(DurationText.prose(e.hardSeconds)) ≥ \(DurationText.prose(p.hardMinSeconds)) (hard_min); at worst \(extentText(e.extent))"
    }

    static func partialText(_ e: Episode, p: Parameters) -> String {
        let head = "partial_outage: \(DurationText.prose(e.durationSeconds)) ≥ \(DurationText.prose(p.hardMinSeconds)) (hard_min)"
        if e.hardSeconds > 0 {
            return head + ", but at least \(percent(p.hardExtent)) (hard_extent) of the routed address space down for only "
                + "\(DurationText.prose(e.hardSeconds)) < \(DurationText.prose(p.hardMinSeconds)); at worst \(extentText(e.extent))"
        }
        return head + " with at most \(extentText(e.extent)) down, < \(percent(p.hardExtent)) (hard_extent)"
    }

    /// "; still down at 2014-12-22 20:00 UTC, 3 h 45 min so far" for an ongoing episode.
    static func soFar(_ e: Episode) -> String {
        e.ongoing ? "; still down at \(e.end.prose), \(DurationText.prose(e.durationSeconds)) so far" : ""
    }

    /// A continuous-instability period of `members` (in time order).
    static func period(id: Int, of members: [Episode], churn: ChurnSeries, p: Parameters) -> Period {
        let s = members[0].start, e = members[members.count - 1].end
        let hours = s.seconds(until: e) / 3600
        let down = members.reduce(0.0) { $0 + $1.durationSeconds }
        let gaps = zip(members, members.dropFirst()).map { $0.end.seconds(until: $1.start) }
        let mean = gaps.isEmpty ? 0 : gaps.reduce(0, +) / Double(gaps.count)
        let sd = gaps.isEmpty ? 0 : (gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)).squareRoot()
        let trend = trend(of: members, from: s, to: e)
        var q = Period(id: id, label: .continuousInstability, start: s, end: e, episodes: members.count,
                       ratePerHour: hours > 0 ? Double(members.count) / hours : 0,
                       downtimeShare: e > s ? down / s.seconds(until: e) : 0,
                       medianGapSeconds: median(gaps), gapCV: mean > 0 ? sd / mean : 0,
                       longestEpisodeSeconds: members.map(\.durationSeconds).max() ?? 0, churn: churn.updates(from: s, through: e),
                       score: 0, trend: trend, explanation: "")
        q.explanation = "continuous_instability: \(q.episodes) episodes (≥ \(p.minClusterEpisodes)) with gaps under \(DurationText.prose(p.isolationSeconds)) (isolation); "
            + String(format: "%.2f per hour, %.0f %% of the time down, median gap %@ (CV %.2f), longest episode %@, %d updates; ",
                     q.ratePerHour, q.downtimeShare * 100, DurationText.prose(q.medianGapSeconds), q.gapCV, DurationText.prose(q.longestEpisodeSeconds), q.churn)
            + trend.text
        return q
    }

    /// The trend of a period: its course cut in thirds, the first and last
    /// compared on downtime share, episode rate and longest episode, and
    /// Kendall's τ of episode length and of the gaps against time.
    ///
    /// Increasing when the downtime share of the last third is at least 1.25
    /// times that of the first and 5 points higher, and the episodes do not
    /// get shorter and sparser (τ of length minus τ of gaps ≥ 0); decreasing
    /// symmetrically; steady otherwise.
    static func trend(of members: [Episode], from s: Timestamp, to e: Timestamp) -> Trend {
        let span = s.seconds(until: e)
        func third(_ k: Int) -> TrendThird {
            let lo = s.adding(microseconds: Int64(span * Double(k) / 3 * 1e6)), hi = k == 2 ? e : s.adding(microseconds: Int64(span * Double(k + 1) / 3 * 1e6))
            let length = lo.seconds(until: hi)
            let starting = members.filter { $0.start >= lo && ($0.start < hi || (k == 2 && $0.start <= hi)) }
            let down = members.reduce(0.0) { acc, m in
                let o = min(m.end, hi).microseconds - max(m.start, lo).microseconds
                return acc + (o > 0 ? Double(o) / 1e6 : 0)
            }
            return TrendThird(ratePerHour: length > 0 ? Double(starting.count) / (length / 3600) : 0,
                              longestSeconds: starting.map(\.durationSeconds).max() ?? 0,
                              downtimeShare: length > 0 ? down / length : 0)
        }
        let a = third(0), b = third(1), c = third(2)
        let times = members.map { Double($0.start.microseconds) }
        let tauLength = kendallTau(times, members.map(\.durationSeconds))
        let gaps = zip(members, members.dropFirst()).map { $0.end.seconds(until: $1.start) }
        let tauGap = kendallTau(Array(times.prefix(gaps.count)), gaps)
        let shape = tauLength - tauGap
        let direction: TrendDirection
        if c.downtimeShare >= 1.25 * a.downtimeShare && c.downtimeShare - a.downtimeShare >= 0.05 && shape >= 0 {
            direction = .increasing
        } else if a.downtimeShare >= 1.25 * c.downtimeShare && a.downtimeShare - c.downtimeShare >= 0.05 && shape <= 0 {
            direction = .decreasing
        } else {
            direction = .steady
        }
        let text = "\(direction.rawValue): from " + String(format: "%.1f to %.1f outages per hour", a.ratePerHour, c.ratePerHour)
            + ", longest from \(DurationText.prose(a.longestSeconds)) to \(DurationText.prose(c.longestSeconds))"
            + ", down \(percent(a.downtimeShare)) → \(percent(c.downtimeShare))"
            + String(format: " (first third to last; Kendall τ of length %+.2f, of gaps %+.2f)", tauLength, tauGap)
        return Trend(direction: direction, first: a, middle: b, last: c, tauLength: tauLength, tauGap: tauGap, text: text)
    }

    /// Kendall's τ-b of two series (0 with fewer than two points or no variation).
    static func kendallTau(_ x: [Double], _ y: [Double]) -> Double {
        let n = min(x.count, y.count)
        guard n >= 2 else { return 0 }
        var concordant = 0.0, discordant = 0.0, tiesX = 0.0, tiesY = 0.0
        for i in 0..<n {
            for j in (i + 1)..<n {
                let dx = x[i] - x[j], dy = y[i] - y[j]
                if dx == 0 && dy == 0 { continue }
                if dx == 0 { tiesX += 1; continue }
                if dy == 0 { tiesY += 1; continue }
                if (dx > 0) == (dy > 0) { concordant += 1 } else { discordant += 1 }
            }
        }
        let denominator = ((concordant + discordant + tiesX) * (concordant + discordant + tiesY)).squareRoot()
        return denominator > 0 ? (concordant - discordant) / denominator : 0
    }

    static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The instability score (0–100) per bin for windows of 1 h, 6 h and 24 h
    /// ending at the bin's end. Three components, each measured in the window
    /// and compared with its median over the trailing baseline:
    ///
    ///   d = share of the window with a block down
    ///   r = episodes starting in the window, per hour
    ///   c = in-scope updates per hour
    ///
    ///   score = 100 × (0.5 × f(d − d₀, 0.1) + 0.3 × f(r − r₀, 1) + 0.2 × f((c − c₀) / max(c₀, 10), 1))
    ///   f(x, s) = 1 − e^(−max(0, x) / s)
    static func instabilityScores(bins: [Bin], episodes: [Episode], from: Timestamp, p: Parameters) -> [ScoreWindow: [Double]] {
        let n = bins.count
        let binS = Double(p.binSeconds)
        var down = [Double](repeating: 0, count: n + 1), starts = [Double](repeating: 0, count: n + 1), churn = [Double](repeating: 0, count: n + 1)
        let binUS = p.binMicroseconds
        var downPerBin = [Double](repeating: 0, count: n)
        for e in episodes {
            var b = max(0, Int((e.start.microseconds - from.microseconds) / binUS))
            while b < n {
                let bs = from.microseconds + Int64(b) * binUS, be = bs + binUS
                let o = Double(min(e.end.microseconds, be) - max(e.start.microseconds, bs)) / 1e6
                if o <= 0 { break }
                downPerBin[b] += o
                b += 1
            }
        }
        var startsPerBin = [Double](repeating: 0, count: n)
        for e in episodes {
            let b = Int((e.start.microseconds - from.microseconds) / binUS)
            if b >= 0 && b < n { startsPerBin[b] += 1 }
        }
        for i in 0..<n {
            down[i + 1] = down[i] + downPerBin[i]
            starts[i + 1] = starts[i] + startsPerBin[i]
            churn[i + 1] = churn[i] + Double(bins[i].churn)
        }
        func f(_ x: Double, _ s: Double) -> Double { 1 - exp(-max(0, x) / s) }
        var out: [ScoreWindow: [Double]] = [:]
        for window in ScoreWindow.allCases {
            let seconds = Double(window.seconds)
            let w = max(1, Int(seconds / binS))
            let hours = seconds / 3600
            var comps: [(Double, Double, Double)] = []
            for i in 0..<n {
                let lo = max(0, i + 1 - w)
                comps.append(((down[i + 1] - down[lo]) / seconds, (starts[i + 1] - starts[lo]) / hours, (churn[i + 1] - churn[lo]) / hours))
            }
            let baseBins = Int(Double(p.baselineSeconds) / binS)
            // Baseline: medians of the window's components sampled every
            // window length over the trailing baseline, recomputed once per
            // window length (it moves slowly; this keeps long ranges cheap).
            var series: [Double] = []
            series.reserveCapacity(n)
            var d0 = 0.0, r0 = 0.0, c0 = 0.0
            var computedFor = Int.min
            for i in 0..<n {
                let hi = i + 1 - w  // baseline windows end before this window starts
                let key = hi / w
                if key != computedFor {
                    computedFor = key
                    let lo = max(0, hi - baseBins)
                    var ds: [Double] = [], rs: [Double] = [], cs: [Double] = []
                    var j = hi - 1
                    while j >= lo && j >= 0 {
                        ds.append(comps[j].0); rs.append(comps[j].1); cs.append(comps[j].2)
                        j -= w
                    }
                    d0 = median(ds); r0 = median(rs); c0 = median(cs)
                }
                let (d, r, c) = comps[i]
                let score = 100 * (0.5 * f(d - d0, 0.1) + 0.3 * f(r - r0, 1) + 0.2 * f((c - c0) / max(c0, 10), 1))
                series.append((score * 10).rounded() / 10)
            }
            out[window] = series
        }
        return out
    }
}
