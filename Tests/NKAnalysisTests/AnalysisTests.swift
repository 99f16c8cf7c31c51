import MRT
import Testing
@testable import NKAnalysis

@Suite("Outage analysis on hand-built sequences")
struct AnalysisTests {
    typealias S = Scenario

    @Test("three short, well-separated full outages are three isolated blips")
    func isolatedBlips() {
        var s = S()
        let starts = [3 * S.hour, 17 * S.hour, 38 * S.hour]
        for st in starts { s.outage(S.t0 + st, S.t0 + st + 15 * S.minute) }
        let r = s.analyze()
        #expect(r.blocks == ["175.45.176.0/24", "175.45.177.0/24", "175.45.178.0/24", "175.45.179.0/24"])
        #expect(r.episodes.count == 3)
        #expect(r.episodes.map(\.label) == [.isolatedBlip, .isolatedBlip, .isolatedBlip])
        #expect(r.episodes.map(\.start) == starts.map { S.t0 + $0 })
        #expect(r.episodes.map(\.durationSeconds) == [900, 900, 900])
        #expect(r.episodes.allSatisfy { $0.kind == "full" && $0.peersDownShare == 1 && $0.peersKnown == 10 && $0.peersDown.count == 10 })
        #expect(r.periods.isEmpty)
        #expect(r.verdict.contains("3 isolated blips"))
        #expect(r.verdict.contains("Usually isolated blips, not continuous connectivity problems."))
        // Bins: the outage bins are down for every block, and routed is 0 there.
        let b = Int((starts[0]) / (300 * 1_000_000))
        #expect(r.bins[b].blocks.allSatisfy { $0.state == .down })
        #expect(r.bins[b].routed == 0)
        #expect(r.bins[b - 1].routed == 4)
        #expect(r.bins[b].withdrawals == 40)
    }

    /// Twenty outages of 5–40 min with 20–60 min gaps over about a day, every
    /// fourth one hitting only 2 of the 4 blocks.
    static func instability(_ s: inout S, start: Int64) -> (Int64, Int64, Double) {
        var t = start
        var total = 0.0
        var first: Int64 = 0, last: Int64 = 0
        for i in 0..<20 {
            let dur = Int64(5 + (i * 7) % 36) * S.minute
            let gap = Int64(20 + (i * 13) % 41) * S.minute
            s.outage(t, t + dur, blocks: i % 4 == 3 ? [1, 2] : [0, 1, 2, 3])
            if i == 0 { first = t }
            last = t + dur
            total += Double(dur) / 1e6
            t += dur + gap
        }
        return (first, last, total)
    }

    @Test("twenty outages with 20–60 min gaps are one continuous-instability period")
    func continuousInstability() throws {
        var s = S(hours: 72)
        let (first, last, down) = Self.instability(&s, start: S.t0 + 30 * S.hour)
        let r = s.analyze()
        #expect(r.episodes.count == 20)
        #expect(r.episodes.allSatisfy { $0.label == .continuousInstability && $0.period == 1 })
        #expect(r.episodes.filter { $0.kind == "partial" }.count == 5)
        #expect(r.episodes.filter { $0.kind == "partial" }.allSatisfy { $0.blocks == ["175.45.177.0/24", "175.45.178.0/24"] })
        let q = try #require(r.periods.first)
        #expect(r.periods.count == 1)
        #expect(q.episodes == 20)
        #expect(q.start == first && q.end == last)
        #expect(abs(q.downtimeShare - down / (Double(last - first) / 1e6)) < 1e-9)
        #expect(abs(q.ratePerHour - 20 / (Double(last - first) / 3.6e9)) < 1e-9)
        #expect(q.longestEpisodeSeconds == 40 * 60)
        #expect(q.churn == 15 * 80 + 5 * 40)
        #expect(q.score > 50)
        #expect(r.verdict.contains("a period of continuous instability"))
    }

    @Test("all blocks withdrawn by every peer for 9 h 30 min is a hard outage; after instability it says so")
    func hardOutage() throws {
        var alone = S()
        alone.outage(S.t0 + 16 * S.hour + 15 * S.minute, S.t0 + 25 * S.hour + 45 * S.minute)
        let a = alone.analyze()
        #expect(a.episodes.count == 1)
        let h = try #require(a.episodes.first)
        #expect(h.label == .hardOutage)
        #expect(h.durationSeconds == 9.5 * 3600)
        #expect(h.allDownSeconds == 9.5 * 3600)
        #expect(h.afterInstabilitySeconds == nil)
        #expect(h.explanation.hasPrefix("hard_outage: all 4 blocks down for 9 h 30 min ≥ 1 h (hard_min)"))

        var s = S(hours: 96)
        let (first, last, _) = Self.instability(&s, start: S.t0 + 20 * S.hour)
        let hardStart = last + 45 * S.minute
        s.outage(hardStart, hardStart + 570 * S.minute)
        let r = s.analyze()
        #expect(r.episodes.count == 21)
        let hard = try #require(r.episodes.last)
        #expect(hard.label == .hardOutage)
        #expect(hard.start == hardStart)
        #expect(hard.durationSeconds == 34_200)
        #expect(hard.afterInstabilitySeconds == Double(hardStart - first) / 1e6)
        #expect(r.periods.count == 1)
        #expect(r.verdict.contains("After \(Duration.text(Double(hardStart - first) / 1e6)) of instability, all 4 networks were withdrawn at"))
        #expect(r.verdict.contains("by 100 % of 10 full-feed peers and stayed down 9 h 30 min"))
    }

    static func signature(_ r: AnalysisResult) -> [String] {
        r.episodes.map { "\($0.start) \($0.end) \($0.kind) \($0.label.rawValue) \($0.blocks)" }
    }

    @Test("confounders change nothing: a session down 2 h, a 1 h data gap, a partial-feed peer, a /24 withdrawn under its /22, AS-path churn")
    func confounders() throws {
        var base = S(collectors: ["rrc00", "route-views2"], peersPerCollector: 6, hours: 48)
        base.outage(S.t0 + 10 * S.hour, S.t0 + 10 * S.hour + 20 * S.minute)
        let reference = base.analyze()
        #expect(reference.episodes.count == 1)
        #expect(reference.episodes[0].label == .isolatedBlip)

        // One peer's session down for 2 h (its routes flushed): no episode.
        var session = base
        session.sessions = [SessionChange(time: S.t0 + 20 * S.hour, peer: 0, oldState: 6, newState: 1),
                            SessionChange(time: S.t0 + 22 * S.hour, peer: 0, oldState: 1, newState: 6)]
        for b in S.kp { session.observations.append(RouteObservation(time: S.t0 + 22 * S.hour + 30_000_000, peer: 0, prefix: b, kind: .announce, asPath: "3300 4837 131279")) }
        let rs = session.analyze()
        #expect(Self.signature(rs) == Self.signature(reference))
        #expect(rs.discounted.contains { $0.kind == "session_reset" && $0.start == S.t0 + 20 * S.hour })

        // A 1 h data gap at one collector, with withdrawals lost in it: no episode.
        var gap = base
        gap.coverage = [CoverageInterval(collector: "rrc00", start: S.t0, end: S.t0 + 30 * S.hour),
                        CoverageInterval(collector: "rrc00", start: S.t0 + 31 * S.hour, end: gap.to),
                        CoverageInterval(collector: "route-views2", start: S.t0, end: gap.to)]
        gap.ribs.append(RIBSnapshot(collector: "rrc00", time: S.t0 + 32 * S.hour, tableSizes: gap.ribs[0].tableSizes, routes: gap.ribs[0].routes))
        let rg = gap.analyze()
        #expect(Self.signature(rg) == Self.signature(reference))
        #expect(rg.discounted.contains { $0.kind == "data_gap" && $0.what == "rrc00" && $0.start == S.t0 + 30 * S.hour })

        // A partial-feed peer that never carries the targets.
        var partial = base
        partial.peers.append(PeerRef(collector: "rrc00", ip: "10.9.9.9", asn: 65000))
        partial.ribs[0].tableSizes[partial.peers.count - 1] = (1_000, 0)
        #expect(Self.signature(partial.analyze()) == Self.signature(reference))

        // A /24 withdrawn everywhere while the covering /22 stays announced.
        var covered = base
        for p in covered.peerIndices() {
            covered.observations.append(RouteObservation(time: S.t0 + 30 * S.hour, peer: p, prefix: S.slash22, kind: .announce, asPath: "x 4837 131279"))
            covered.observations.append(RouteObservation(time: S.t0 + 31 * S.hour, peer: p, prefix: S.kp[2], kind: .withdraw))
        }
        let rc = covered.analyze()
        #expect(Self.signature(rc) == Self.signature(reference))

        // A burst of AS-path changes with no withdrawal: churn and score up, no episode.
        var churn = base
        for i in 0..<120 {
            for p in churn.peerIndices() {
                churn.observations.append(RouteObservation(time: S.t0 + 40 * S.hour + Int64(i) * 30_000_000, peer: p, prefix: S.kp[i % 4], kind: .announce,
                                                           asPath: "\(churn.peers[p].asn) \(i % 2 == 0 ? 4837 : 9929) 131279"))
            }
        }
        let rch = churn.analyze()
        #expect(Self.signature(rch) == Self.signature(reference))
        let b = Int(40 * 12)
        #expect(rch.bins[b].pathChanges > 0)
        #expect((rch.scores["1h"]?[b + 11] ?? 0) > (reference.scores["1h"]?[b + 11] ?? 0) + 10)
    }

    @Test("2 of 10 peers losing the route is no episode at the default threshold, an episode at visible ratio 0.9")
    func threshold() {
        var s = S()
        s.outage(S.t0 + 5 * S.hour, S.t0 + 6 * S.hour, peers: [0, 1])
        #expect(s.analyze().episodes.isEmpty)
        var p = Parameters()
        p.visibleRatio = 0.9
        let r = s.analyze(p)
        #expect(r.episodes.count == 1)
        #expect(r.episodes[0].peersDownShare == 0.2)
        #expect(r.episodes[0].peersDown.map(\.ip) == ["10.0.0.1", "10.0.0.2"])
        #expect(r.parameters.visibleRatio == 0.9)
    }

    @Test("unrelated peers, prefixes and gaps outside the scope never change the verdict")
    func unrelatedAdditions() {
        var s = S(hours: 72)
        _ = Self.instability(&s, start: S.t0 + 20 * S.hour)
        let reference = s.analyze()
        var more = s
        // Partial-feed peers that never carry the targets.
        for i in 0..<5 {
            more.peers.append(PeerRef(collector: "rrc00", ip: "192.0.2.\(i)", asn: 64_600 + UInt32(i)))
            more.ribs[0].tableSizes[more.peers.count - 1] = (1_000 + i, 0)
        }
        // A collector with no full-feed peer, and a gap in its files.
        for i in 0..<3 { more.peers.append(PeerRef(collector: "rrc99", ip: "198.51.100.\(i)", asn: 64_700 + UInt32(i))) }
        more.ribs.append(RIBSnapshot(collector: "rrc99", time: S.t0, tableSizes: [15: (0, 0), 16: (0, 0), 17: (0, 0)], routes: [:]))
        more.coverage.append(CoverageInterval(collector: "rrc99", start: S.t0, end: S.t0 + 5 * S.hour))
        // Unrelated prefixes.
        for i in 0..<200 {
            more.observations.append(RouteObservation(time: S.t0 + Int64(i) * S.minute * 7, peer: i % 10, prefix: Prefix("10.\(i).0.0/16")!, kind: i % 3 == 0 ? .withdraw : .announce))
        }
        #expect(Self.signature(more.analyze()) == Self.signature(reference))
        #expect(more.analyze().verdict == reference.verdict)
    }

    @Test("same-time events give the same result in any arrival order")
    func orderIndependence() {
        var s = S()
        s.outage(S.t0 + 5 * S.hour, S.t0 + 5 * S.hour + 10 * S.minute)
        s.outage(S.t0 + 20 * S.hour, S.t0 + 30 * S.hour)
        // A withdrawal and re-announcement at the same instant, for the 5 first peers.
        for p in 0..<5 {
            s.observations.append(RouteObservation(time: S.t0 + 12 * S.hour, peer: p, prefix: S.kp[0], kind: .withdraw))
            s.observations.append(RouteObservation(time: S.t0 + 12 * S.hour, peer: p, prefix: S.kp[0], kind: .announce, asPath: "a"))
        }
        let reference = s.analyze()
        var rng = SeededRNG(seed: 7)
        for _ in 0..<5 {
            var shuffled = s
            shuffled.observations.shuffle(using: &rng)
            let r = shuffled.analyze()
            #expect(Self.signature(r) == Self.signature(reference))
            #expect(r.bins == reference.bins)
            #expect(r.scores == reference.scores)
        }
    }

    @Test("durations read like an analyst writes them")
    func durations() {
        #expect(Duration.text(34_260) == "9 h 31 min")
        #expect(Duration.text(1800) == "30 min")
        #expect(Duration.text(45) == "45 s")
        #expect(Duration.text(3 * 86400 + 7200) == "3 d 2 h")
    }
}

typealias SeededRNG = SplitMix64

@Suite("IPv6 and several collectors")
struct IPv6Tests {
    @Test("an IPv6 block uses IPv6 tables for eligibility and peers of two collectors")
    func ipv6() {
        let t0 = Scenario.t0, h = Scenario.hour
        let block = Prefix("2001:db8:100::/48")!
        var peers: [PeerRef] = []
        var ribs: [RIBSnapshot] = []
        var obs: [RouteObservation] = []
        for (ci, c) in ["rrc00", "route-views2"].enumerated() {
            var sizes: [Int: (ipv4: Int, ipv6: Int)] = [:]
            var routes: [Int: [Prefix: String]] = [:]
            for i in 0..<4 {
                let idx = peers.count
                peers.append(PeerRef(collector: c, ip: "2001:db8::\(ci * 10 + i + 1)", asn: 6000 + UInt32(idx)))
                // The last peer of each collector has a full IPv4 but a tiny IPv6 table: not eligible for IPv6.
                sizes[idx] = (500_000, i == 3 ? 100 : 30_000)
                if i != 3 { routes[idx] = [Prefix("2001:db8::/32")!: "a b"] }
                if i != 3 {
                    obs.append(RouteObservation(time: t0 + 5 * h, peer: idx, prefix: Prefix("2001:db8::/32")!, kind: .withdraw))
                    obs.append(RouteObservation(time: t0 + 5 * h + 20 * Scenario.minute, peer: idx, prefix: Prefix("2001:db8::/32")!, kind: .announce, asPath: "a b"))
                }
            }
            ribs.append(RIBSnapshot(collector: c, time: t0, tableSizes: sizes, routes: routes))
        }
        let input = AnalysisInput(scopePrefixes: [block], peers: peers, observations: obs, ribs: ribs, from: t0, to: t0 + 24 * h)
        let r = Analyzer.analyze(input)
        #expect(r.blocks == ["2001:db8:100::/48"])
        #expect(r.episodes.count == 1)
        #expect(r.episodes.first?.start == t0 + 5 * h)
        #expect(r.episodes.first?.durationSeconds == 1200)
        #expect(r.episodes.first?.peersKnown == 6)
        #expect(r.episodes.first?.label == .isolatedBlip)
        #expect(r.eligiblePeers == 6)
    }
}
