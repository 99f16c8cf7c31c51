import MRT
import NKModel
import Testing
@testable import NKAnalysis

@Suite("Outage analysis on hand-built sequences")
struct AnalysisTests {
    typealias S = Scenario

    @Test("three short, well-separated full outages are three isolated blips")
    func isolatedBlips() throws {
        var s = S()
        let starts = [3 * S.hour, 17 * S.hour, 38 * S.hour]
        for st in starts { s.outage(S.t0 + st, S.t0 + st + 15 * S.minute) }
        let r = try s.analyze()
        #expect(r.blocks == S.kp)
        #expect(r.episodes.count == 3)
        #expect(r.episodes.map(\.label) == [.isolatedBlip, .isolatedBlip, .isolatedBlip])
        #expect(r.episodes.map(\.start) == starts.map { S.t0 + $0 })
        #expect(r.episodes.map(\.durationSeconds) == [900, 900, 900])
        #expect(r.episodes.allSatisfy { $0.kind == .full && $0.peersDownShare == 1 && $0.peersKnown == 10 && $0.peersDown.count == 10 })
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
    static func instability(_ s: inout S, start: Timestamp) -> (Timestamp, Timestamp, Double) {
        var t = start
        var total = 0.0
        var first = start, last = start
        for i in 0..<20 {
            let dur = Int64(5 + (i * 7) % 36) * S.minute
            let gap = Int64(20 + (i * 13) % 41) * S.minute
            s.outage(t, t + dur, blocks: i % 4 == 3 ? [1, 2] : [0, 1, 2, 3])
            if i == 0 { first = t }
            last = t + dur
            total += Double(dur) / 1e6
            t = t + (dur + gap)
        }
        return (first, last, total)
    }

    @Test("twenty outages with 20–60 min gaps are one continuous-instability period")
    func continuousInstability() throws {
        var s = S(hours: 72)
        let (first, last, down) = Self.instability(&s, start: S.t0 + 30 * S.hour)
        let r = try s.analyze()
        #expect(r.episodes.count == 20)
        #expect(r.episodes.allSatisfy { $0.label == .continuousInstability && $0.period == 1 })
        #expect(r.episodes.filter { $0.kind == .partial }.count == 5)
        #expect(r.episodes.filter { $0.kind == .partial }.allSatisfy { $0.blocks == [S.kp[1], S.kp[2]] })
        let q = try #require(r.periods.first)
        #expect(r.periods.count == 1)
        #expect(q.episodes == 20)
        #expect(q.start == first && q.end == last)
        #expect(abs(q.downtimeShare - down / (Double(last - first) / 1e6)) < 1e-9)
        #expect(abs(q.ratePerHour - 20 / (Double(last - first) / 3.6e9)) < 1e-9)
        #expect(q.longestEpisodeSeconds == 40 * 60)
        #expect(q.churn == 15 * 80 + 5 * 40)
        #expect(q.score > 50)
        #expect(r.verdict.hasPrefix("From 2014-12-21 00:00 UTC to 2014-12-24 00:00 UTC: continuous instability from 2014-12-22 06:00 UTC"))
        #expect(q.trend.direction == .steady)
    }

    @Test("all blocks withdrawn by every peer for 9 h 30 min is a hard outage; after instability it says so")
    func hardOutage() throws {
        var alone = S()
        alone.outage(S.t0 + 16 * S.hour + 15 * S.minute, S.t0 + 25 * S.hour + 45 * S.minute)
        let a = try alone.analyze()
        #expect(a.episodes.count == 1)
        let h = try #require(a.episodes.first)
        #expect(h.label == .hardOutage)
        #expect(h.durationSeconds == 9.5 * 3600)
        #expect(h.allDownSeconds == 9.5 * 3600)
        #expect(h.afterInstabilitySeconds == nil)
        #expect(h.explanation.hasPrefix("hard_outage: 9 h 30 min; at least 100 % (hard_extent) of the routed address space down for 9 h 30 min ≥ 1 h (hard_min); "
            + "at worst 100 % of the routed address space (4 of 4 blocks)"))
        #expect(h.extent == Extent(blocksDown: 4, blocksRouted: 4, slash24Down: 4, slash24Routed: 4))
        #expect(h.hardSeconds == 9.5 * 3600)

        var s = S(hours: 96)
        let (first, last, _) = Self.instability(&s, start: S.t0 + 20 * S.hour)
        let hardStart = last + 45 * S.minute
        s.outage(hardStart, hardStart + 570 * S.minute)
        let r = try s.analyze()
        #expect(r.episodes.count == 21)
        let hard = try #require(r.episodes.last)
        #expect(hard.label == .hardOutage)
        #expect(hard.start == hardStart)
        #expect(hard.durationSeconds == 34_200)
        #expect(hard.afterInstabilitySeconds == Double(hardStart - first) / 1e6)
        #expect(r.periods.count == 1)
        #expect(r.verdict.contains("After \(DurationText.prose(Double(hardStart - first) / 1e6)) of instability, all 4 networks were withdrawn at"))
        #expect(r.verdict.contains("by 100 % of 10 full-feed peers and stayed down 9 h 30 min"))
    }

    static func signature(_ r: AnalysisResult) -> [String] {
        r.episodes.map { "\($0.start) \($0.end) \($0.kind) \($0.label.rawValue) \($0.blocks)" }
    }

    @Test("confounders change nothing: a session down 2 h, a 1 h data gap, a partial-feed peer, a /24 withdrawn under its /22, AS-path churn")
    func confounders() throws {
        var base = S(collectors: ["rrc00", "route-views2"], peersPerCollector: 6, hours: 48)
        base.outage(S.t0 + 10 * S.hour, S.t0 + 10 * S.hour + 20 * S.minute)
        let reference = try base.analyze()
        #expect(reference.episodes.count == 1)
        #expect(reference.episodes[0].label == .isolatedBlip)

        // One peer's session down for 2 h (its routes flushed): no episode.
        var session = base
        session.sessions = [SessionChange(time: S.t0 + 20 * S.hour, peer: session.peers[0], old: .established, new: .idle),
                            SessionChange(time: S.t0 + 22 * S.hour, peer: session.peers[0], old: .idle, new: .established)]
        for b in S.kp { session.observations.append(session.event(S.t0 + 22 * S.hour + 30_000_000, 0, b, .announce, path: "3300 4837 131279")) }
        let rs = try session.analyze()
        #expect(Self.signature(rs) == Self.signature(reference))
        #expect(rs.discounted.contains { $0.kind == .sessionReset && $0.start == S.t0 + 20 * S.hour })

        // A 1 h data gap at one collector, with withdrawals lost in it: no episode.
        var gap = base
        gap.coverage = [CollectorInterval(collector: "rrc00", start: S.t0, end: S.t0 + 30 * S.hour),
                        CollectorInterval(collector: "rrc00", start: S.t0 + 31 * S.hour, end: gap.to),
                        CollectorInterval(collector: "route-views2", start: S.t0, end: gap.to)]
        gap.ribs.append(RIBDump(collector: "rrc00", time: S.t0 + 32 * S.hour, tableSizes: gap.ribs[0].tableSizes, routes: gap.ribs[0].routes))
        let rg = try gap.analyze()
        #expect(Self.signature(rg) == Self.signature(reference))
        #expect(rg.discounted.contains { $0.kind == .dataGap && $0.what == "rrc00" && $0.start == S.t0 + 30 * S.hour })

        // A partial-feed peer that never carries the targets.
        var partial = base
        partial.addPeer("rrc00", ip: "10.9.9.9", asn: 65000, table: TableSize(ipv4: 1_000, ipv6: 0))
        #expect(Self.signature(try partial.analyze()) == Self.signature(reference))

        // A /24 withdrawn everywhere while the covering /22 stays announced.
        var covered = base
        for p in covered.peerIndices() {
            covered.observations.append(covered.event(S.t0 + 30 * S.hour, p, S.slash22, .announce, path: "x 4837 131279"))
            covered.observations.append(covered.event(S.t0 + 31 * S.hour, p, S.kp[2], .withdraw))
        }
        let rc = try covered.analyze()
        #expect(Self.signature(rc) == Self.signature(reference))

        // A burst of AS-path changes with no withdrawal: churn and score up, no episode.
        var churn = base
        for i in 0..<120 {
            for p in churn.peerIndices() {
                churn.observations.append(churn.event(S.t0 + 40 * S.hour + Int64(i) * 30_000_000, p, S.kp[i % 4], .announce,
                                                      path: "\(churn.peers[p].asn) \(i % 2 == 0 ? 4837 : 9929) 131279"))
            }
        }
        let rch = try churn.analyze()
        #expect(Self.signature(rch) == Self.signature(reference))
        let b = Int(40 * 12)
        #expect(rch.bins[b].pathChanges > 0)
        #expect((rch.scores[.oneHour]?[b + 11] ?? 0) > (reference.scores[.oneHour]?[b + 11] ?? 0) + 10)
    }

    @Test("2 of 10 peers losing the route is no episode at the default threshold, an episode at visible ratio 0.9")
    func threshold() throws {
        var s = S()
        s.outage(S.t0 + 5 * S.hour, S.t0 + 6 * S.hour, peers: [0, 1])
        #expect(try s.analyze().episodes.isEmpty)
        var p = Parameters()
        p.visibleRatio = 0.9
        let r = try s.analyze(p)
        #expect(r.episodes.count == 1)
        #expect(r.episodes[0].peersDownShare == 0.2)
        #expect(r.episodes[0].peersDown.map(\.ip.description) == ["10.0.0.1", "10.0.0.2"])
        #expect(r.parameters.visibleRatio == 0.9)
    }

    @Test("unrelated peers, prefixes and gaps outside the scope never change the verdict")
    func unrelatedAdditions() throws {
        var s = S(hours: 72)
        _ = Self.instability(&s, start: S.t0 + 20 * S.hour)
        let reference = try s.analyze()
        var more = s
        // Partial-feed peers that never carry the targets.
        for i in 0..<5 {
            more.addPeer("rrc00", ip: "192.0.2.\(i)", asn: 64_600 + UInt32(i), table: TableSize(ipv4: 1_000 + i, ipv6: 0))
        }
        // A collector with no full-feed peer, and a gap in its files.
        more.ribs.append(RIBDump(collector: "rrc99", time: S.t0, tableSizes: [:], routes: [:]))
        for i in 0..<3 { more.addPeer("rrc99", ip: "198.51.100.\(i)", asn: 64_700 + UInt32(i), table: TableSize(ipv4: 0, ipv6: 0)) }
        more.coverage.append(CollectorInterval(collector: "rrc99", start: S.t0, end: S.t0 + 5 * S.hour))
        // Unrelated prefixes.
        for i in 0..<200 {
            more.observations.append(more.event(S.t0 + Int64(i) * S.minute * 7, i % 10, Prefix("10.\(i).0.0/16")!, i % 3 == 0 ? .withdraw : .announce))
        }
        #expect(Self.signature(try more.analyze()) == Self.signature(reference))
        #expect(try more.analyze().verdict == reference.verdict)
    }

    @Test("same-time events give the same result in any arrival order")
    func orderIndependence() throws {
        var s = S()
        s.outage(S.t0 + 5 * S.hour, S.t0 + 5 * S.hour + 10 * S.minute)
        s.outage(S.t0 + 20 * S.hour, S.t0 + 30 * S.hour)
        // A withdrawal and re-announcement at the same instant, for the 5 first peers.
        for p in 0..<5 {
            s.observations.append(s.event(S.t0 + 12 * S.hour, p, S.kp[0], .withdraw))
            s.observations.append(s.event(S.t0 + 12 * S.hour, p, S.kp[0], .announce, path: "a"))
        }
        let reference = try s.analyze()
        var rng = SeededRNG(seed: 7)
        for _ in 0..<5 {
            var shuffled = s
            shuffled.observations.shuffle(using: &rng)
            let r = try shuffled.analyze()
            #expect(Self.signature(r) == Self.signature(reference))
            #expect(r.bins == reference.bins)
            #expect(r.scores == reference.scores)
        }
    }

    @Test("durations read like an analyst writes them")
    func durations() throws {
        #expect(DurationText.prose(34_260.0) == "9 h 31 min")
        #expect(DurationText.prose(1800.0) == "30 min")
        #expect(DurationText.prose(45.0) == "45 s")
        #expect(DurationText.prose(Double(3 * 86400 + 7200)) == "3 d 2 h")
    }
}

typealias SeededRNG = SplitMix64

@Suite("IPv6 and several collectors")
struct IPv6Tests {
    @Test("an IPv6 block uses IPv6 tables for eligibility and peers of two collectors")
    func ipv6() throws {
        let t0 = Scenario.t0, h = Scenario.hour
        let block = Prefix("2001:db8:100::/48")!
        let cover = Prefix("2001:db8::/32")!
        var peers: [Peer] = []
        var ribs: [RIBDump] = []
        var obs: [RouteEvent] = []
        for (ci, c) in ["rrc00", "route-views2"].enumerated() {
            var sizes: [Peer: TableSize] = [:]
            var routes: [Peer: [Prefix: String]] = [:]
            for i in 0..<4 {
                let peer = Peer(collector: c, ip: IPAddress("2001:db8::\(ci * 10 + i + 1)")!, asn: 6000 + UInt32(peers.count))
                peers.append(peer)
                // The last peer of each collector has a full IPv4 but a tiny IPv6 table: not eligible for IPv6.
                sizes[peer] = TableSize(ipv4: 500_000, ipv6: i == 3 ? 100 : 30_000)
                if i != 3 {
                    routes[peer] = [cover: "a b"]
                    obs.append(RouteEvent(time: t0 + 5 * h, peer: peer, kind: .withdraw, prefix: cover))
                    obs.append(RouteEvent(time: t0 + 5 * h + 20 * Scenario.minute, peer: peer, kind: .announce, prefix: cover, asPath: "a b"))
                }
            }
            ribs.append(RIBDump(collector: c, time: t0, tableSizes: sizes, routes: routes))
        }
        let input = AnalysisInput(scopePrefixes: [block], peers: peers, observations: obs, ribs: ribs, from: t0, to: t0 + 24 * h)
        let r = try Analyzer.analyze(input)
        #expect(r.blocks == [block])
        #expect(r.episodes.count == 1)
        #expect(r.episodes.first?.start == t0 + 5 * h)
        #expect(r.episodes.first?.durationSeconds == 1200)
        #expect(r.episodes.first?.peersKnown == 6)
        #expect(r.episodes.first?.label == .isolatedBlip)
        #expect(r.eligiblePeers == 6)
    }
}
