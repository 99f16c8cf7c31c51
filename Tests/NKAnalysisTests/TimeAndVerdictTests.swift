import MRT
import NKModel
import Testing
@testable import NKAnalysis

@Suite("Outages in time: true starts, ongoing outages, bins, trends, sessions, RIB dumps, the verdict")
struct TimeAndVerdictTests {
    typealias S = Scenario

    @Test("a range inside an outage: the start is found before --from, and the outage is still going at --to")
    func cutByRange() throws {
        var s = S()
        s.outage(S.t0 + 16 * S.hour + 15 * S.minute, S.t0 + 25 * S.hour + 45 * S.minute)
        s.from = S.t0 + 17 * S.hour
        s.to = S.t0 + 18 * S.hour
        let r = try s.analyze()
        let e = try #require(r.episodes.first)
        #expect(r.episodes.count == 1)
        #expect(e.start == S.t0 + 16 * S.hour + 15 * S.minute)
        #expect(e.end == S.t0 + 18 * S.hour)
        #expect(e.ongoing)
        #expect(e.label == .hardOutage)
        #expect(r.verdict == "From 2014-12-21 17:00 UTC to 2014-12-21 18:00 UTC: all 4 networks were withdrawn at 2014-12-21 16:15 UTC (before the range) "
            + "by 100 % of 10 full-feed peers and were still down at 2014-12-21 18:00 UTC, 1 h 45 min so far.")
        #expect(e.explanation.hasSuffix("; still down at 2014-12-21 18:00 UTC, 1 h 45 min so far"))
    }

    @Test("data that ends during an outage: ongoing at the end of the data, however far the range goes")
    func cutByData() throws {
        var s = S(hours: 24)
        s.outage(S.t0 + 16 * S.hour + 15 * S.minute, S.t0 + 30 * S.hour)
        // Update files end at 20:00; the range runs to midnight.
        s.coverage = s.coverage.map { CollectorInterval(collector: $0.collector, start: $0.start, end: S.t0 + 20 * S.hour) }
        s.observations.removeAll { $0.time >= S.t0 + 20 * S.hour }
        let r = try s.analyze()
        let e = try #require(r.episodes.first)
        #expect(e.ongoing)
        #expect(e.end == S.t0 + 20 * S.hour)
        #expect(e.durationSeconds == 3.75 * 3600)
        #expect(r.dataEnd == S.t0 + 20 * S.hour)
        #expect(r.verdict.contains("were still down at 2014-12-21 20:00 UTC, 3 h 45 min so far"))
        #expect(!r.verdict.contains("stayed down"))
    }

    @Test("an outage is not ended by an hour nothing says anything about: down, unknown, down is one outage")
    func acrossUnknown() throws {
        var s = S(hours: 24)
        s.outage(S.t0 + 4 * S.hour, S.t0 + 10 * S.hour)
        // Every collector has no update file from 06:00 to 07:00; after it,
        // the peers are known again from the RIB dump at 07:00.
        s.coverage = [CollectorInterval(collector: "rrc00", start: S.t0, end: S.t0 + 6 * S.hour),
                      CollectorInterval(collector: "rrc00", start: S.t0 + 7 * S.hour, end: S.t0 + 24 * S.hour)]
        var dump = s.ribs[0]
        dump.time = S.t0 + 7 * S.hour
        dump.routes = Dictionary(uniqueKeysWithValues: dump.tableSizes.keys.map { ($0, [Prefix: String]()) })
        s.ribs.append(dump)
        let r = try s.analyze()
        #expect(r.episodes.count == 1)
        let e = try #require(r.episodes.first)
        #expect(e.start == S.t0 + 4 * S.hour && e.end == S.t0 + 10 * S.hour)
        #expect(e.label == .hardOutage)
        #expect(!e.ongoing)
    }

    @Test("episodes come from event times: two outages 10 min apart are two at 5 min, 15 min and 1 h bins, and a coarse bin says it merges them")
    func binIndependence() throws {
        var s = S(hours: 24)
        s.outage(S.t0 + 10 * S.hour, S.t0 + 10 * S.hour + 20 * S.minute)
        s.outage(S.t0 + 10 * S.hour + 30 * S.minute, S.t0 + 10 * S.hour + 45 * S.minute)
        s.outage(S.t0 + 15 * S.hour, S.t0 + 15 * S.hour + 5 * S.minute)
        var counts: [Int64: Int] = [:], merges: [Int64: Int] = [:]
        for bin: Int64 in [300, 900, 3600] {
            var p = Parameters()
            p.binSeconds = bin
            let r = try s.analyze(p)
            counts[bin] = r.episodes.count
            merges[bin] = r.binMerges
            #expect(r.episodes.map(\.start) == [S.t0 + 10 * S.hour, S.t0 + 10 * S.hour + 30 * S.minute, S.t0 + 15 * S.hour])
        }
        #expect(counts == [300: 3, 900: 3, 3600: 3])
        #expect(merges == [300: 0, 900: 1, 3600: 1])
    }

    @Test("up for less than the merge gap does not split an outage; longer does")
    func mergeGap() throws {
        var s = S(hours: 24)
        s.outage(S.t0 + 10 * S.hour, S.t0 + 10 * S.hour + 20 * S.minute)
        s.outage(S.t0 + 10 * S.hour + 20 * S.minute + 30_000_000, S.t0 + 10 * S.hour + 40 * S.minute)
        #expect(try s.analyze().episodes.count == 1)
        var p = Parameters()
        p.mergeGapSeconds = 0
        #expect(try s.analyze(p).episodes.count == 2)
    }

    /// Outages at `offsets` (minutes after t0 + 1 h) lasting `durations` minutes.
    static func flaps(_ s: inout S, _ steps: [(Int64, Int64)]) {
        for (at, length) in steps { s.outage(S.t0 + S.hour + at * S.minute, S.t0 + S.hour + (at + length) * S.minute) }
    }

    @Test("trend: outages that grow and close up are increasing, in numbers; a steady beat is steady; a fading one decreasing")
    func trends() throws {
        var rising = S(hours: 48)
        var t: Int64 = 0
        var steps: [(Int64, Int64)] = []
        for (d, g) in zip([5, 6, 8, 9, 12, 14, 18, 22, 28, 35] as [Int64], [120, 110, 95, 80, 70, 60, 45, 35, 25, 20] as [Int64]) {
            steps.append((t, d))
            t += d + g
        }
        Self.flaps(&rising, steps)
        let up = try #require(try rising.analyze().periods.first)
        #expect(up.trend.direction == .increasing)
        #expect(up.trend.first.downtimeShare < up.trend.last.downtimeShare)
        #expect(up.trend.tauLength > 0.9)
        #expect(up.trend.tauGap < -0.9)
        #expect(up.trend.text.hasPrefix("increasing: from "))
        #expect(up.trend.text.contains("longest from 8 min to 35 min"))

        var fading = S(hours: 48)
        let total = t
        Self.flaps(&fading, steps.map { (total - $0.0 - $0.1, $0.1) }.reversed())
        #expect(try fading.analyze().periods.first?.trend.direction == .decreasing)

        var steady = S(hours: 48)
        Self.flaps(&steady, (0..<10).map { (Int64($0) * 60, 15) })
        #expect(try steady.analyze().periods.first?.trend.direction == .steady)
    }

    @Test("Kendall's τ-b: perfect agreement, reversal, ties, too few points")
    func kendall() {
        #expect(Analyzer.kendallTau([1, 2, 3, 4], [10, 20, 30, 40]) == 1)
        #expect(Analyzer.kendallTau([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
        #expect(abs(Analyzer.kendallTau([1, 2, 3], [1, 1, 2]) - 2 / 6.0.squareRoot()) < 1e-12)
        #expect(Analyzer.kendallTau([1], [1]) == 0)
        #expect(Analyzer.kendallTau([1, 2, 3], [5, 5, 5]) == 0)
    }

    @Test("FRR's states 7 and 8, and moves between other states, are not a session going down; leaving Established is")
    func frrStates() throws {
        var s = S()
        let t = S.t0 + 2 * S.hour
        for p in s.peerIndices() {
            s.sessions.append(SessionChange(time: t, peer: s.peers[p], old: .openConfirm, new: .established))
            s.sessions.append(SessionChange(time: t.adding(seconds: 1), peer: s.peers[p], old: p % 2 == 0 ? .idle : .active, new: BGPState(rawValue: 8)))
            s.sessions.append(SessionChange(time: t.adding(seconds: 2), peer: s.peers[p], old: .connect, new: .active))
            s.sessions.append(SessionChange(time: t.adding(seconds: 3), peer: s.peers[p], old: BGPState(rawValue: 7), new: .idle))
        }
        s.outage(S.t0 + 10 * S.hour, S.t0 + 10 * S.hour + 30 * S.minute)
        let r = try s.analyze()
        #expect(r.eligiblePeers == 10)
        let e = try #require(r.episodes.first)
        #expect(e.peersKnown == 10)
        #expect(r.discounted.isEmpty)

        // One peer leaves Established: it is unknown until it is back and settled.
        var d = S()
        d.sessions.append(SessionChange(time: S.t0 + 2 * S.hour, peer: d.peers[0], old: .established, new: BGPState(rawValue: 7)))
        d.outage(S.t0 + 10 * S.hour, S.t0 + 10 * S.hour + 30 * S.minute)
        let rd = try d.analyze()
        #expect(rd.episodes.first?.peersKnown == 9)
        #expect(rd.discounted.map(\.kind) == [.sessionReset])
    }

    @Test("a RIB dump that does not decode to its end, or holds a fraction of the usual table, re-synchronises no peer: no false outage, a data gap")
    func incompleteRIB() throws {
        for cut in ["damaged", "small"] {
            var s = S()
            var dump = s.ribs[0]
            dump.time = S.t0 + 8 * S.hour
            dump.name = "bview.20141221.0800.gz"
            // The peer table is there; the records with the targets are not.
            dump.routes = Dictionary(uniqueKeysWithValues: dump.tableSizes.keys.map { ($0, [Prefix: String]()) })
            if cut == "damaged" {
                dump.complete = false
            } else {
                dump.tableSizes = dump.tableSizes.mapValues { TableSize(ipv4: $0.ipv4 / 5, ipv6: 0) }
                var later = s.ribs[0]
                later.time = S.t0 + 16 * S.hour
                s.ribs.append(later)
            }
            s.ribs.append(dump)
            let r = try s.analyze()
            #expect(r.episodes.isEmpty, "\(cut)")
            #expect(r.discounted.contains { $0.kind == .dataGap && $0.start == S.t0 + 8 * S.hour && $0.detail?.contains("bview.20141221.0800.gz") == true }, "\(cut)")
            #expect(r.warnings.contains { $0.contains("is incomplete") }, "\(cut)")
        }
        // Applied as if whole, the damaged dump would have made a hard outage.
        var s = S()
        var dump = s.ribs[0]
        dump.time = S.t0 + 8 * S.hour
        dump.routes = Dictionary(uniqueKeysWithValues: dump.tableSizes.keys.map { ($0, [Prefix: String]()) })
        s.ribs.append(dump)
        #expect(try s.analyze().episodes.first?.label == .hardOutage)
    }

    @Test("the verdict in every shape, facts in time order: nothing, only a hard outage, only blips, instability alone, several hard outages, ongoing")
    func verdictShapes() throws {
        let nothing = try S().analyze()
        #expect(nothing.verdict == "No outage: the 4 networks stayed visible to at least 50 % of 10 eligible peers from 2014-12-21 00:00 UTC to 2014-12-23 00:00 UTC.")

        var hard = S()
        hard.outage(S.t0 + 5 * S.hour, S.t0 + 7 * S.hour)
        #expect(try hard.analyze().verdict == "From 2014-12-21 00:00 UTC to 2014-12-23 00:00 UTC: all 4 networks were withdrawn at 2014-12-21 05:00 UTC "
            + "by 100 % of 10 full-feed peers and stayed down 2 h.")

        var blips = S()
        blips.outage(S.t0 + 5 * S.hour, S.t0 + 5 * S.hour + 10 * S.minute)
        blips.outage(S.t0 + 20 * S.hour, S.t0 + 20 * S.hour + 12 * S.minute)
        #expect(try blips.analyze().verdict == "From 2014-12-21 00:00 UTC to 2014-12-23 00:00 UTC: 2 isolated blips (2014-12-21 05:00 UTC, 2014-12-21 20:00 UTC; "
            + "longest 12 min). Usually isolated blips, not continuous connectivity problems.")

        var unstable = S()
        _ = AnalysisTests.instability(&unstable, start: S.t0 + 2 * S.hour)
        let u = try unstable.analyze()
        #expect(u.verdict.hasPrefix("From 2014-12-21 00:00 UTC to 2014-12-23 00:00 UTC: continuous instability from 2014-12-21 02:00 UTC to "))
        #expect(!u.verdict.contains("withdrawn"))

        var several = S(hours: 72)
        several.outage(S.t0 + 2 * S.hour, S.t0 + 3 * S.hour + 30 * S.minute)
        several.outage(S.t0 + 12 * S.hour, S.t0 + 12 * S.hour + 15 * S.minute)
        several.outage(S.t0 + 14 * S.hour, S.t0 + 14 * S.hour + 15 * S.minute)
        several.outage(S.t0 + 30 * S.hour, S.t0 + 33 * S.hour)
        let v = try several.analyze().verdict
        #expect(v == "From 2014-12-21 00:00 UTC to 2014-12-24 00:00 UTC: all 4 networks were withdrawn at 2014-12-21 02:00 UTC by 100 % of 10 full-feed peers "
            + "and stayed down 1 h 30 min. Then 2 short outages (2014-12-21 12:00 UTC, 2014-12-21 14:00 UTC; longest 15 min). "
            + "Then all 4 networks were withdrawn at 2014-12-22 06:00 UTC by 100 % of 10 full-feed peers and stayed down 3 h.")

        var ongoing = S()
        ongoing.outage(S.t0 + 10 * S.hour, S.t0 + 10 * S.hour + 10 * S.minute)
        ongoing.outage(S.t0 + 45 * S.hour, S.t0 + 60 * S.hour)
        #expect(try ongoing.analyze().verdict == "From 2014-12-21 00:00 UTC to 2014-12-23 00:00 UTC: an isolated blip (2014-12-21 10:00 UTC; 10 min). "
            + "Then all 4 networks were withdrawn at 2014-12-22 21:00 UTC by 100 % of 10 full-feed peers and were still down at 2014-12-23 00:00 UTC, 3 h so far.")
    }

    @Test("every explanation states the numbers its label rests on, and they are true of its episode")
    func explanationsMatchNumbers() throws {
        var results: [AnalysisResult] = []
        var a = S(hours: 96)
        _ = AnalysisTests.instability(&a, start: S.t0 + 20 * S.hour)
        a.outage(S.t0 + 50 * S.hour, S.t0 + 55 * S.hour)
        a.outage(S.t0 + 58 * S.hour, S.t0 + 58 * S.hour + 20 * S.minute)
        a.outage(S.t0 + 62 * S.hour, S.t0 + 64 * S.hour + 30 * S.minute, blocks: [1, 2])
        a.outage(S.t0 + 80 * S.hour, S.t0 + 80 * S.hour + 8 * S.minute)
        results.append(try a.analyze())
        var b = LargeScope(count: 300, hours: 48)
        b.outage(S.t0 + 4 * S.hour, S.t0 + 8 * S.hour, blocks: 100..<200)
        b.outage(S.t0 + 20 * S.hour, S.t0 + 22 * S.hour, blocks: 0..<295)
        results.append(try b.s.analyze())
        var seen = Set<Label>()
        for r in results {
            let p = r.parameters
            let hardMin = DurationText.prose(p.hardMinSeconds)
            for e in r.episodes {
                seen.insert(e.label)
                let d = DurationText.prose(e.durationSeconds)
                #expect(e.explanation.hasPrefix(e.label.rawValue + ": "), "\(e.explanation)")
                switch e.label {
                case .isolatedBlip, .shortOutage, .continuousInstability:
                    #expect(e.durationSeconds < Double(p.hardMinSeconds))
                    #expect(e.explanation.contains("\(d) < \(hardMin) (hard_min)"), "\(e.explanation)")
                case .partialOutage:
                    #expect(e.durationSeconds >= Double(p.hardMinSeconds) && e.hardSeconds < Double(p.hardMinSeconds))
                    #expect(e.explanation.contains("\(d) ≥ \(hardMin) (hard_min)"), "\(e.explanation)")
                    #expect(e.explanation.contains("(\(e.extent.blocksDown) of \(e.extent.blocksRouted) blocks)"), "\(e.explanation)")
                case .hardOutage:
                    #expect(e.hardSeconds >= Double(p.hardMinSeconds))
                    #expect(e.explanation.contains("for \(DurationText.prose(e.hardSeconds)) ≥ \(hardMin) (hard_min)"), "\(e.explanation)")
                    #expect(e.explanation.contains("(\(e.extent.blocksDown) of \(e.extent.blocksRouted) blocks)"), "\(e.explanation)")
                }
                if e.label == .isolatedBlip || e.label == .shortOutage {
                    let i = try #require(r.episodes.firstIndex(of: e))
                    let before = i > 0 ? r.episodes[i - 1].end.seconds(until: e.start) : .infinity
                    let after = i + 1 < r.episodes.count ? e.end.seconds(until: r.episodes[i + 1].start) : .infinity
                    #expect((min(before, after) >= Double(p.isolationSeconds)) == (e.label == .isolatedBlip), "\(e.explanation)")
                }
            }
        }
        #expect(seen == Set(Label.allCases))
    }
}
