import MRT
import NKModel
import Testing
@testable import NKAnalysis

/// A scope of `count` /24s (10.0.0.0/24 up), all carried by 10 full-feed peers
/// from a RIB dump at t0, and outages of block ranges.
struct LargeScope {
    typealias S = Scenario
    var s = S()
    let blocks: [Prefix]

    init(count: Int, hours: Int64 = 24) {
        s = S(hours: hours)
        blocks = (0..<count).map { Prefix(address: .v4(0x0A00_0000 + UInt32($0) << 8), length: 24)! }
        s.scope = [Prefix("10.0.0.0/14")!]
        for i in s.ribs.indices {
            for peer in s.ribs[i].tableSizes.keys {
                s.ribs[i].routes?[peer] = Dictionary(uniqueKeysWithValues: blocks.enumerated().map { b, p in
                    (p, "\(peer.asn) 3356 \(64_600 + b / 100)")
                })
            }
        }
    }

    mutating func outage(_ start: Timestamp, _ end: Timestamp, blocks range: Range<Int>) {
        for p in s.peerIndices() {
            for b in range {
                s.observations.append(s.event(start, p, blocks[b], .withdraw))
                s.observations.append(s.event(end, p, blocks[b], .announce, path: "\(s.peers[p].asn) 3356 \(64_600 + b / 100)"))
            }
        }
    }
}

@Suite("Scopes as analysts have them: never-routed space, other families, partial outages, extents")
struct ScopeExtentTests {
    typealias S = Scenario

    @Test("blocks no peer ever routed are listed, warned about and left out: the outage of the routed ones stays hard")
    func neverRouted() throws {
        var s = S()
        s.scope = [S.slash22, Prefix("210.52.109.0/24")!, Prefix("2001:db8:7000::/32")!]
        s.outage(S.t0 + 16 * S.hour, S.t0 + 25 * S.hour + 30 * S.minute)
        let r = try s.analyze()
        #expect(r.blocks == S.kp)
        #expect(r.neverRouted == [Prefix("210.52.109.0/24")!, Prefix("2001:db8:7000::/32")!])
        #expect(r.warnings.contains { $0.hasPrefix("2 blocks were never routed in the data") && $0.contains("210.52.109.0/24") })
        let h = try #require(r.episodes.first)
        #expect(r.episodes.count == 1)
        #expect(h.label == .hardOutage && h.kind == .full)
        #expect(h.extent == Extent(blocksDown: 4, blocksRouted: 4, slash24Down: 4, slash24Routed: 4))
        #expect(r.verdict.contains("all 4 networks were withdrawn at 2014-12-21 16:00 UTC"))
        #expect(r.verdict.contains("2 blocks of the scope were never routed in the data and are left out."))
        #expect(!r.verdict.contains("nkwatch found ."))
    }

    @Test("a block routed only where no eligible peer carries its family is unknown, not down, and hides nothing")
    func unknownFamily() throws {
        var s = S()
        let v6 = Prefix("2001:db8:7000::/48")!
        s.scope = [S.slash22, Prefix("2001:db8:7000::/32")!]
        // No peer has an IPv6 table; a partial-feed peer announces the block.
        for peer in s.ribs[0].tableSizes.keys { s.ribs[0].tableSizes[peer]?.ipv6 = 0 }
        s.addPeer("rrc00", ip: "10.0.0.99", asn: 65_001, table: TableSize(ipv4: 10, ipv6: 0))
        s.observations.append(s.event(S.t0 + S.minute, s.peers.count - 1, v6, .announce, path: "65001 131279"))
        s.outage(S.t0 + 16 * S.hour, S.t0 + 25 * S.hour + 30 * S.minute)
        let r = try s.analyze()
        #expect(r.blocks == S.kp + [v6])
        #expect(r.unknownBlocks == [v6])
        let h = try #require(r.episodes.first)
        #expect(r.episodes.count == 1)
        #expect(h.label == .hardOutage)
        #expect(h.kind == .full)
        #expect(h.extent.blocksRouted == 4)
        #expect(!r.verdict.contains("Visibility was unknown"))
        #expect(r.verdict.contains("1 block had no 3 eligible peers of its address family: unknown, not down."))
    }

    @Test("a block only a partial-feed peer routes, while eligible IPv6 peers exist, was never up: never routed, not an outage")
    func neverUp() throws {
        var s = S()
        let v6 = Prefix("2001:db8:7000::/48")!
        s.scope = [S.slash22, Prefix("2001:db8:7000::/32")!]
        s.addPeer("rrc00", ip: "10.0.0.99", asn: 65_001, table: TableSize(ipv4: 10, ipv6: 10))
        s.observations.append(s.event(S.t0 + S.minute, s.peers.count - 1, v6, .announce, path: "65001 131279"))
        let r = try s.analyze()
        #expect(r.blocks == S.kp)
        #expect(r.neverRouted == [v6])
        #expect(r.episodes.isEmpty)
        #expect(r.verdict.hasPrefix("No outage: the 4 networks stayed visible"))
    }

    @Test("100 of 300 blocks down for 4 h is a partial outage with its extent; 200 of 500 for 2 h too, never a blip")
    func partialOutages() throws {
        var a = LargeScope(count: 300)
        a.outage(S.t0 + 4 * S.hour, S.t0 + 8 * S.hour, blocks: 100..<200)
        let r = try a.s.analyze()
        let e = try #require(r.episodes.first)
        #expect(r.episodes.count == 1)
        #expect(e.label == .partialOutage)
        #expect(e.kind == .partial)
        #expect(e.extent == Extent(blocksDown: 100, blocksRouted: 300, slash24Down: 100, slash24Routed: 300))
        #expect(e.hardSeconds == 0)
        #expect(e.explanation.hasPrefix("partial_outage: 4 h ≥ 1 h (hard_min) with at most 33 % of the routed address space (100 of 300 blocks) down, < 100 % (hard_extent)"))
        #expect(r.verdict.contains("a partial outage: 100 of 300 networks (33 % of the routed address space) went down at 2014-12-21 04:00 UTC"))
        #expect(r.verdict.contains("stayed down 4 h"))

        var b = LargeScope(count: 500)
        b.outage(S.t0 + 4 * S.hour, S.t0 + 6 * S.hour, blocks: 0..<200)
        let rb = try b.s.analyze()
        #expect(rb.episodes.map(\.label) == [.partialOutage])
        #expect(rb.episodes.first?.extent.blocksDown == 200)
        #expect(rb.episodes.first?.extent.blocksRouted == 500)
    }

    @Test("--hard-extent: 290 of 300 blocks down for 2 h is partial at 1.0 and hard at 0.9, and the JSON records it")
    func hardExtent() throws {
        var a = LargeScope(count: 300)
        a.outage(S.t0 + 4 * S.hour, S.t0 + 6 * S.hour, blocks: 0..<290)
        let strict = try a.s.analyze()
        #expect(strict.episodes.map(\.label) == [.partialOutage])
        var p = Parameters()
        p.hardExtent = 0.9
        let lenient = try a.s.analyze(p)
        let h = try #require(lenient.episodes.first)
        #expect(h.label == .hardOutage)
        #expect(h.hardSeconds == 7200)
        #expect(abs(h.extent.spaceShare - 290.0 / 300) < 1e-12)
        #expect(h.explanation.hasPrefix("hard_outage: 2 h; at least 90 % (hard_extent) of the routed address space down for 2 h ≥ 1 h (hard_min); "
            + "at worst 97 % of the routed address space (290 of 300 blocks)"))
        #expect(lenient.verdict.contains("290 of 300 networks (97 % of the routed address space) were withdrawn at 2014-12-21 04:00 UTC"))
    }

    @Test("an outage 2 h 30 min long of 2 of 4 blocks is a partial outage, not a blip explained by a false sentence")
    func twoOfFour() throws {
        var s = S()
        s.outage(S.t0 + 4 * S.hour, S.t0 + 6 * S.hour + 30 * S.minute, blocks: [1, 2])
        let r = try s.analyze()
        let e = try #require(r.episodes.first)
        #expect(e.label == .partialOutage)
        #expect(e.explanation.hasPrefix("partial_outage: 2 h 30 min ≥ 1 h (hard_min) with at most 50 % of the routed address space (2 of 4 blocks) down"))
    }

    @Test("the extent weighs address space: a /22 and three /24s, the /22 down is 4 of 7 /24s")
    func addressSpace() throws {
        var s = S()
        let big = Prefix("175.45.176.0/22")!
        let small = (180...182).map { Prefix("175.45.\($0).0/24")! }
        s.scope = [Prefix("175.45.176.0/21")!]
        for i in s.ribs.indices {
            for peer in s.ribs[i].tableSizes.keys {
                s.ribs[i].routes?[peer] = Dictionary(uniqueKeysWithValues: ([big] + small).map { ($0, "\(peer.asn) 4837 131279") })
            }
        }
        for p in s.peerIndices() {
            s.observations.append(s.event(S.t0 + S.hour, p, big, .withdraw))
            s.observations.append(s.event(S.t0 + 3 * S.hour, p, big, .announce, path: "\(s.peers[p].asn) 4837 131279"))
        }
        let r = try s.analyze()
        let e = try #require(r.episodes.first)
        #expect(e.extent == Extent(blocksDown: 1, blocksRouted: 4, slash24Down: 4, slash24Routed: 7))
        #expect(e.label == .partialOutage)
        #expect(r.verdict.contains("1 of 4 networks (57 % of the routed address space) went down"))
    }

    @Test("groups by origin AS and by allocation, and the header's summary of a large scope")
    func groups() throws {
        var a = LargeScope(count: 250)
        a.s.scope = [Prefix("10.0.0.0/16")!, Prefix("10.1.0.0/16")!]  // 256 + the rest
        let r = try a.s.analyze()
        let byOrigin = BlockGroups.byOrigin(r)
        #expect(byOrigin.map(\.origin) == [64_600, 64_601, 64_602])
        #expect(byOrigin.map(\.blocks.count) == [100, 100, 50])
        let byAllocation = BlockGroups.byAllocation(r)
        #expect(byAllocation.map(\.name) == ["10.0.0.0/16"])
        #expect(BlockGroups.summary(r) == "250 blocks in 1 allocation, 3 origin ASNs, 250 /24s")
    }
}
