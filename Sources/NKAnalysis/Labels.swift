import Foundation
import NKModel

extension Analyzer {
    /// Labels episodes and builds continuous-instability periods.
    ///
    /// - `hard_outage`: every block down for at least `hardMinSeconds`.
    /// - Other episodes are grouped into runs: a run ends at a gap of at least
    ///   `isolationSeconds` or at a hard outage. A run of at least
    ///   `minClusterEpisodes` is a `continuous_instability` period.
    /// - An episode alone in its run with no other episode within
    ///   `isolationSeconds` before or after is an `isolated_blip`; otherwise a
    ///   `short_outage`.
    static func label(_ episodes: inout [Episode], churn: ChurnSeries, p: Parameters) -> [Period] {
        let iso = Double(p.isolationSeconds)
        let hard = episodes.map { $0.allDownSeconds >= Double(p.hardMinSeconds) }
        var runs: [[Int]] = []
        var current: [Int] = []
        for i in episodes.indices {
            if hard[i] {
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
                let s = episodes[run[0]].start, e = episodes[run[run.count - 1]].end
                let hours = s.seconds(until: e) / 3600
                let down = run.reduce(0.0) { $0 + episodes[$1].durationSeconds }
                let gaps = zip(run, run.dropFirst()).map { episodes[$0].end.seconds(until: episodes[$1].start) }
                let mean = gaps.isEmpty ? 0 : gaps.reduce(0, +) / Double(gaps.count)
                let sd = gaps.isEmpty ? 0 : (gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)).squareRoot()
                let updates = churn.updates(from: s, through: e)
                let longest = run.map { episodes[$0].durationSeconds }.max() ?? 0
                let period = Period(id: id, label: .continuousInstability, start: s, end: e, episodes: run.count,
                                    ratePerHour: hours > 0 ? Double(run.count) / hours : 0,
                                    downtimeShare: e > s ? down / s.seconds(until: e) : 0,
                                    medianGapSeconds: median(gaps), gapCV: mean > 0 ? sd / mean : 0,
                                    longestEpisodeSeconds: longest, churn: updates, score: 0, explanation: "")
                periods.append(period)
                for i in run {
                    episodes[i].label = .continuousInstability
                    episodes[i].period = id
                    episodes[i].explanation = "continuous_instability: one of \(run.count) episodes (≥ \(p.minClusterEpisodes)) "
                        + "separated by gaps under \(DurationText.prose(Double(p.isolationSeconds))) (isolation) in period \(id)"
                }
            } else {
                for i in run {
                    let before = i > 0 ? episodes[i - 1].end.seconds(until: episodes[i].start) : .infinity
                    let after = i + 1 < episodes.count ? episodes[i].end.seconds(until: episodes[i + 1].start) : .infinity
                    if before >= iso && after >= iso {
                        episodes[i].label = .isolatedBlip
                        episodes[i].explanation = "isolated_blip: \(DurationText.prose(episodes[i].durationSeconds)) < \(DurationText.prose(Double(p.hardMinSeconds))) (hard_min), "
                            + "and no other episode within \(DurationText.prose(Double(p.isolationSeconds))) (isolation) before or after"
                    } else {
                        episodes[i].label = .shortOutage
                        let near = min(before, after)
                        episodes[i].explanation = "short_outage: \(DurationText.prose(episodes[i].durationSeconds)) < \(DurationText.prose(Double(p.hardMinSeconds))) (hard_min); "
                            + "another episode \(DurationText.prose(near)) away (< isolation), but fewer than \(p.minClusterEpisodes) episodes in the run"
                    }
                }
            }
        }
        for i in episodes.indices where hard[i] {
            episodes[i].label = .hardOutage
            var text = "hard_outage: all \(episodes[i].blocks.count) blocks down for \(DurationText.prose(episodes[i].allDownSeconds)) ≥ \(DurationText.prose(Double(p.hardMinSeconds))) (hard_min); "
                + "\(Int((episodes[i].peersDownShare * 100).rounded())) % of \(episodes[i].peersKnown) eligible peers without a route at the worst moment"
            if let prior = periods.last(where: { $0.end <= episodes[i].start && $0.end.seconds(until: episodes[i].start) < iso }) {
                let after = prior.start.seconds(until: episodes[i].start)
                episodes[i].afterInstabilitySeconds = after
                text += "; follows continuous-instability period \(prior.id) (\(prior.episodes) episodes over \(DurationText.prose(prior.start.seconds(until: prior.end))), "
                    + "ended \(DurationText.prose(prior.end.seconds(until: episodes[i].start))) before)"
            }
            episodes[i].explanation = text
        }
        for j in periods.indices {
            let q = periods[j]
            periods[j].explanation = "continuous_instability: \(q.episodes) episodes (≥ \(p.minClusterEpisodes)) with gaps under \(DurationText.prose(Double(p.isolationSeconds))); "
                + String(format: "%.2f per hour, %.0f %% of the time down, median gap %@ (CV %.2f), longest episode %@, %d updates",
                         q.ratePerHour, q.downtimeShare * 100, DurationText.prose(q.medianGapSeconds), q.gapCV, DurationText.prose(q.longestEpisodeSeconds), q.churn)
        }
        return periods
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
            var b = Int((e.start.microseconds - from.microseconds) / binUS)
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
