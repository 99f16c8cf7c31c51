/// Small MRT files that between them hold every record type and subtype the
/// decoder handles, IPv4 and IPv6, ADD-PATH, AS4 and AS_SET paths. Written by
/// `MRTWriter`; used by the test suites and by the cross-check against
/// Debian's bgpdump (.ci/run).
public enum SampleArchives {
    public struct Sample: Sendable {
        public var name: String
        public var bytes: [UInt8]
        /// bgpdump 1.6 prints nothing for these records (RIB multicast and
        /// RIB_GENERIC); nkwatch decodes them. See docs/formats.md.
        public var bgpdumpSilent: Bool
    }

    static let t0: UInt32 = 1_419_264_900 // 2014-12-22T16:15:00Z

    static func attrs(_ path: [UInt32], set: [UInt32] = [], nextHop: IPAddress? = .v4(0xC0A8_0001), communities: [Community]? = nil,
                      med: UInt32? = nil, lp: UInt32? = nil) -> AttributeSet {
        var segs = [ASPathSegment(type: .sequence, asns: path)]
        if !set.isEmpty { segs.append(ASPathSegment(type: .set, asns: set)) }
        var a = AttributeSet(origin: .igp, asPath: ASPath(segments: segs), nextHop: nextHop, multiExitDisc: med, localPref: lp,
                             communities: communities)
        a.atomicAggregate = false
        return a
    }

    public static func all() -> [Sample] {
        let v4peer = IPAddress("193.0.0.56")!, v6peer = IPAddress("2001:7f8:30::2:1:0:8447")!
        let kp = [Prefix("175.45.176.0/24")!, Prefix("175.45.177.0/24")!, Prefix("175.45.178.0/24")!, Prefix("175.45.179.0/24")!]
        let v6 = Prefix("2001:db8:1000::/36")!
        var out: [Sample] = []

        // TABLE_DUMP (v1), IPv4 and IPv6.
        var w = MRTWriter()
        var a1 = attrs([3333, 4837, 131279], communities: [Community(asn: 3333, value: 100), .noExport], med: 5, lp: 100)
        a1.atomicAggregate = true
        a1.aggregator = Aggregator(asn: 4837, address: .v4(0xCA61_0001))
        for (i, p) in kp.enumerated() {
            w.writeTableDump(timestamp: t0, sequence: UInt16(i), prefix: p, originatedTime: t0 - 3600, peerIP: v4peer, peerASN: 3333, attributes: a1)
        }
        var a1v6 = attrs([3333, 6939], nextHop: nil)
        a1v6.mpReach = MPReachNLRI(afi: .ipv6, safi: .unicast, nextHop: v6peer, linkLocalNextHop: nil, nlri: [], abbreviated: true)
        w.writeTableDump(timestamp: t0, sequence: 9, prefix: v6, originatedTime: t0 - 60, peerIP: v6peer, peerASN: 8447, attributes: a1v6)
        out.append(Sample(name: "table-dump-v1.mrt", bytes: w.take(), bgpdumpSilent: false))

        // TABLE_DUMP_V2: peer index table, RIB_IPV4_UNICAST, RIB_IPV6_UNICAST.
        let peers = [PeerEntry(peerType: 0, bgpID: .v4(0x0A00_0001), ip: v4peer, asn: 3333),
                     PeerEntry(peerType: 3, bgpID: .v4(0x0A00_0002), ip: v6peer, asn: 8447),
                     PeerEntry(peerType: 2, bgpID: .v4(0x0A00_0003), ip: .v4(0xC000_0201), asn: 4_200_000_001)]
        w.writePeerIndexTable(timestamp: t0, collectorBGPID: .v4(0xC100_0001), viewName: "rrc00", peers: peers)
        for (i, p) in kp.enumerated() {
            var e = attrs([3333, 1299, 4837, 131279], set: i == 3 ? [64512, 64513] : [], communities: i == 1 ? [Community(asn: 1299, value: 20000)] : nil)
            if i == 2 { e.aggregator = Aggregator(asn: 4_200_000_001, address: .v4(0x0A0A_0A0A)) }
            w.writeRIB(timestamp: t0, sequence: UInt32(i), prefix: p, entries: [
                MRTWriter.RIBEntryValue(peerIndex: 0, originatedTime: t0 - 100, attributes: e),
                MRTWriter.RIBEntryValue(peerIndex: 2, originatedTime: t0 - 200, attributes: attrs([4_200_000_001, 4837, 131279], med: 10)),
            ])
        }
        var r6 = attrs([8447, 6939, 4_200_000_001], nextHop: nil)
        r6.mpReach = MPReachNLRI(afi: .ipv6, safi: .unicast, nextHop: v6peer, linkLocalNextHop: IPAddress("fe80::1"), nlri: [], abbreviated: true)
        r6.largeCommunities = [LargeCommunity(8447, 1, 2)]
        w.writeRIB(timestamp: t0, sequence: 4, prefix: v6, entries: [MRTWriter.RIBEntryValue(peerIndex: 1, originatedTime: t0 - 5, attributes: r6)])
        out.append(Sample(name: "table-dump-v2.mrt", bytes: w.take(), bgpdumpSilent: false))

        // TABLE_DUMP_V2 ADD-PATH subtypes.
        w.writePeerIndexTable(timestamp: t0, collectorBGPID: .v4(0xC100_0001), peers: peers)
        w.writeRIB(timestamp: t0, sequence: 0, prefix: kp[0], addPath: true, entries: [
            MRTWriter.RIBEntryValue(peerIndex: 0, originatedTime: t0 - 1, pathID: 36, attributes: attrs([3333, 4837, 131279])),
            MRTWriter.RIBEntryValue(peerIndex: 0, originatedTime: t0 - 2, pathID: 38, attributes: attrs([3333, 174, 4837, 131279])),
        ])
        w.writeRIB(timestamp: t0, sequence: 1, prefix: v6, addPath: true, entries: [
            MRTWriter.RIBEntryValue(peerIndex: 1, originatedTime: t0 - 1, pathID: 7, attributes: r6),
        ])
        out.append(Sample(name: "table-dump-v2-addpath.mrt", bytes: w.take(), bgpdumpSilent: false))

        // TABLE_DUMP_V2 multicast and RIB_GENERIC (bgpdump prints nothing).
        w.writePeerIndexTable(timestamp: t0, collectorBGPID: .v4(0xC100_0001), peers: peers)
        w.writeRIB(timestamp: t0, sequence: 0, prefix: kp[1], safi: .multicast, entries: [
            MRTWriter.RIBEntryValue(peerIndex: 0, originatedTime: t0, attributes: attrs([3333, 131279]))])
        w.writeRIB(timestamp: t0, sequence: 1, prefix: v6, safi: .multicast, entries: [
            MRTWriter.RIBEntryValue(peerIndex: 1, originatedTime: t0, attributes: r6)])
        w.writeRIB(timestamp: t0, sequence: 2, prefix: kp[2], generic: true, entries: [
            MRTWriter.RIBEntryValue(peerIndex: 0, originatedTime: t0, attributes: attrs([3333, 131279]))])
        w.writeRIB(timestamp: t0, sequence: 3, prefix: kp[3], addPath: true, generic: true, entries: [
            MRTWriter.RIBEntryValue(peerIndex: 0, originatedTime: t0, pathID: 2, attributes: attrs([3333, 131279]))])
        out.append(Sample(name: "table-dump-v2-multicast-generic.mrt", bytes: w.take(), bgpdumpSilent: true))

        // BGP4MP and BGP4MP_ET: every message and state-change subtype.
        for et in [false, true] {
            let s2 = MRTWriter.Session(peerASN: 4837, localASN: 12654, peerIP: .v4(0xC100_0005), localIP: .v4(0xC100_0001), as4: false)
            let s4 = MRTWriter.Session(peerASN: 4_200_000_001, localASN: 12654, peerIP: .v4(0xC100_0006), localIP: .v4(0xC100_0001), as4: true)
            let s6 = MRTWriter.Session(peerASN: 8447, localASN: 12654, peerIP: v6peer, localIP: IPAddress("2001:7f8:30::1")!, as4: true)
            func t(_ dt: UInt32) -> MRTWriter.Time { MRTWriter.Time(t0 + dt, microseconds: et ? dt * 1000 + 7 : nil) }
            w.writeStateChange(t(0), session: s2, oldState: 1, newState: 2)
            w.writeStateChange(t(1), session: s4, oldState: 5, newState: 6)
            w.writeStateChange(t(1), session: s6, oldState: 6, newState: 1)
            w.writeOpen(t(2), session: s4, bgpID: .v4(0x0A00_0003), capabilities: [
                BGPCapability(code: 1, value: [0, 1, 0, 1]), BGPCapability(code: 69, value: [0, 1, 1, 3])])
            w.writeKeepalive(t(2), session: s4)
            w.writeNotification(t(2), session: s2, code: 6, subcode: 2)
            // 2-octet session: AS_TRANS in AS_PATH, real path in AS4_PATH; AS4_AGGREGATOR.
            var m = attrs([4837, 4_200_000_001, 131279], communities: [Community(asn: 4837, value: 1)], med: 0, lp: 200)
            m.aggregator = Aggregator(asn: 4_200_000_001, address: .v4(0x0A0B_0C0D))
            w.writeUpdate(t(3), session: s2, withdrawn: [NLRIEntry(prefix: kp[3])], attributes: m, announced: kp.prefix(3).map { NLRIEntry(prefix: $0) })
            w.writeUpdate(t(4), session: s2, withdrawn: kp.map { NLRIEntry(prefix: $0) })
            // 4-octet session with an AS_SET and confederation segments.
            var c = attrs([4_200_000_001, 4837], set: [131279, 64496])
            c.asPath?.segments.insert(ASPathSegment(type: .confedSequence, asns: [65001, 65002]), at: 0)
            c.extendedCommunities = [ExtendedCommunity(rawValue: 0x0002_0D1C_0000_0064)]
            c.onlyToCustomer = 4837
            c.originatorID = .v4(0x0A00_0009)
            c.clusterList = [.v4(0x0A00_000A)]
            w.writeUpdate(t(5), session: s4, attributes: c, announced: [NLRIEntry(prefix: Prefix("10.0.0.0/8")!)])
            // IPv6 over an IPv6 session: MP_REACH_NLRI with link-local next hop, MP_UNREACH_NLRI.
            var v = attrs([8447, 6939], nextHop: nil)
            v.mpReach = MPReachNLRI(afi: .ipv6, safi: .unicast, nextHop: v6peer, linkLocalNextHop: IPAddress("fe80::2"), nlri: [NLRIEntry(prefix: v6), NLRIEntry(prefix: Prefix("2001:db8::/32")!)], abbreviated: false)
            v.mpUnreach = MPUnreachNLRI(afi: .ipv6, safi: .unicast, withdrawn: [NLRIEntry(prefix: Prefix("2001:db8:ffff::/48")!)])
            w.writeUpdate(t(6), session: s6, attributes: v)
            // IPv4 NLRI in MP_REACH_NLRI (multicast) over an IPv4 session.
            var mc = attrs([4837, 131279], nextHop: nil)
            mc.mpReach = MPReachNLRI(afi: .ipv4, safi: .multicast, nextHop: .v4(0xC100_0006), linkLocalNextHop: nil, nlri: [NLRIEntry(prefix: kp[0])], abbreviated: false)
            w.writeUpdate(t(7), session: s4, attributes: mc)
            // Messages the collector sent (_LOCAL).
            w.writeUpdate(t(8), session: s4, local: true, attributes: attrs([12654, 4837]), announced: [NLRIEntry(prefix: kp[1])])
            w.writeUpdate(t(8), session: s2, local: true, withdrawn: [NLRIEntry(prefix: kp[1])])
            out.append(Sample(name: et ? "bgp4mp-et.mrt" : "bgp4mp.mrt", bytes: w.take(), bgpdumpSilent: false))

            // ADD-PATH message subtypes.
            w.writeUpdate(t(9), session: s4, addPath: true, withdrawn: [NLRIEntry(prefix: kp[2], pathID: 4)],
                          attributes: attrs([4_200_000_001, 131279]), announced: [NLRIEntry(prefix: kp[0], pathID: 1), NLRIEntry(prefix: kp[0], pathID: 2)])
            w.writeUpdate(t(9), session: s2, addPath: true, attributes: attrs([4837, 131279]), announced: [NLRIEntry(prefix: kp[3], pathID: 9)])
            w.writeUpdate(t(10), session: s4, local: true, addPath: true, attributes: attrs([12654]), announced: [NLRIEntry(prefix: kp[1], pathID: 3)])
            w.writeUpdate(t(10), session: s2, local: true, addPath: true, withdrawn: [NLRIEntry(prefix: kp[1], pathID: 3)])
            var va = attrs([8447], nextHop: nil)
            va.mpReach = MPReachNLRI(afi: .ipv6, safi: .unicast, nextHop: v6peer, linkLocalNextHop: nil, nlri: [NLRIEntry(prefix: v6, pathID: 11)], abbreviated: false)
            va.mpUnreach = MPUnreachNLRI(afi: .ipv6, safi: .unicast, withdrawn: [NLRIEntry(prefix: Prefix("2001:db8:ffff::/48")!, pathID: 12)])
            w.writeUpdate(t(11), session: s6, addPath: true, attributes: va)
            out.append(Sample(name: et ? "bgp4mp-et-addpath.mrt" : "bgp4mp-addpath.mrt", bytes: w.take(), bgpdumpSilent: false))
        }
        return out
    }
}

extension SampleArchives {
    /// What BIRD writes for a session that negotiated ADD-PATH: plain
    /// BGP4MP_MESSAGE_AS4 records whose NLRI start with a 4-byte path
    /// identifier — two paths of 172.17.0.0/24, 10.20.0.0/16, fd01:1::/64 in
    /// MP_REACH_NLRI, then a withdrawal of one path. No OPEN in the file.
    public static func birdAddPath(at t: UInt32 = 1_700_000_000) -> [UInt8] {
        let v4 = MRTWriter.Session(peerASN: 65001, localASN: 65000, peerIP: .v4(0xAC11_0002), localIP: .v4(0xAC11_0001))
        let v6 = MRTWriter.Session(peerASN: 65001, localASN: 65000, peerIP: IPAddress("fd01::2")!, localIP: IPAddress("fd01::1")!)
        let path = ASPath(segments: [ASPathSegment(type: .sequence, asns: [65001, 65010])])
        var w = MRTWriter()
        w.writeUpdate(MRTWriter.Time(t), session: v4, pathIDs: true, attributes: AttributeSet(origin: .igp, asPath: path, nextHop: .v4(0xAC11_0002)),
                      announced: [NLRIEntry(prefix: Prefix("172.17.0.0/24")!, pathID: 1), NLRIEntry(prefix: Prefix("172.17.0.0/24")!, pathID: 2),
                                  NLRIEntry(prefix: Prefix("10.20.0.0/16")!, pathID: 1)])
        var a = AttributeSet(origin: .igp, asPath: path)
        a.mpReach = MPReachNLRI(afi: .ipv6, safi: .unicast, nextHop: IPAddress("fd01::2")!, nlri: [NLRIEntry(prefix: Prefix("fd01:1::/64")!, pathID: 1)])
        w.writeUpdate(MRTWriter.Time(t + 1), session: v6, pathIDs: true, attributes: a)
        w.writeUpdate(MRTWriter.Time(t + 2), session: v4, pathIDs: true, withdrawn: [NLRIEntry(prefix: Prefix("172.17.0.0/24")!, pathID: 2)])
        return w.take()
    }

    /// What OpenBGPD writes in its TABLE_DUMP (v1) RIBs: an AGGREGATOR of 8
    /// bytes (a 4-byte AS) although the record's AS numbers are 2 bytes.
    public static func openBGPDTableDump() -> [UInt8] {
        var w = MRTWriter()
        var a = AttributeSet(origin: .igp, asPath: ASPath(segments: [ASPathSegment(type: .sequence, asns: [65001, 65010])]), nextHop: .v4(0xC0A8_0001))
        a.unknown = [RawAttribute(flags: 0xC0, type: 7, value: [0, 0, 0xFD, 0xE8, 192, 168, 0, 15])]
        w.writeTableDump(timestamp: 1_700_000_000, sequence: 0, prefix: Prefix("203.0.113.0/24")!, originatedTime: 1_699_000_000,
                         peerIP: .v4(0xC0A8_0001), peerASN: 65001, attributes: a)
        return w.take()
    }
}
