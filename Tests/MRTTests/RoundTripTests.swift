import Testing
@testable import MRT

/// Random elements → MRT bytes (the writer) → elements (the decoder): equal.
@Suite("Writer and decoder round trips")
struct RoundTripTests {
    static func randomPrefix(_ rng: inout SeededRNG, v6: Bool) -> Prefix {
        if v6 {
            let len = UInt8.random(in: 0...128, using: &rng)
            return Prefix(address: .v6(rng.next(), rng.next()), length: len)!
        }
        let len = UInt8.random(in: 0...32, using: &rng)
        return Prefix(address: .v4(UInt32.random(in: 0...UInt32.max, using: &rng)), length: len)!
    }

    static func randomPath(_ rng: inout SeededRNG, as4: Bool) -> ASPath {
        var segs: [ASPathSegment] = []
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            let type: ASPathSegmentType = Bool.random(using: &rng) ? .sequence : .set
            let asns = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                as4 && Bool.random(using: &rng) ? UInt32.random(in: 65536...UInt32.max, using: &rng) : UInt32.random(in: 1...64511, using: &rng)
            }
            segs.append(ASPathSegment(type: type, asns: asns))
        }
        return ASPath(segments: segs)
    }

    @Test("BGP4MP updates round-trip", arguments: 0..<20)
    func updates(seed: Int) throws {
        var rng = SeededRNG(seed: UInt64(seed))
        var w = MRTWriter()
        var expected: [(BGPElement.Kind, Prefix, UInt32?, ASPath?, [Community]?, UInt32?, IPAddress?, UInt32, Bool)] = []
        for i in 0..<50 {
            let v6session = Bool.random(using: &rng)
            let as4 = Bool.random(using: &rng)
            let addPath = Bool.random(using: &rng)
            let local = Bool.random(using: &rng)
            let et = Bool.random(using: &rng)
            let peer: IPAddress = v6session ? .v6(rng.next(), rng.next()) : .v4(UInt32.random(in: 1...UInt32.max, using: &rng))
            let local_: IPAddress = v6session ? .v6(1, 2) : .v4(0x0A00_0001)
            let peerASN = as4 ? UInt32.random(in: 1...UInt32.max, using: &rng) : UInt32.random(in: 1...65535, using: &rng)
            let s = MRTWriter.Session(peerASN: peerASN, localASN: 12654, peerIP: peer, localIP: local_, as4: as4)
            let time = MRTWriter.Time(1_419_264_900 + UInt32(i), microseconds: et ? UInt32.random(in: 0...999_999, using: &rng) : nil)
            func nlri(_ v6: Bool) -> [NLRIEntry] {
                (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                    NLRIEntry(prefix: Self.randomPrefix(&rng, v6: v6), pathID: addPath ? UInt32.random(in: 0...UInt32.max, using: &rng) : nil)
                }
            }
            let withdrawn = nlri(false), announced = nlri(false), mpAnnounced = nlri(true), mpWithdrawn = nlri(true)
            var a = AttributeSet(origin: Origin(rawValue: UInt8.random(in: 0...2, using: &rng)),
                                 asPath: Self.randomPath(&rng, as4: true),
                                 nextHop: .v4(UInt32.random(in: 0...UInt32.max, using: &rng)),
                                 multiExitDisc: Bool.random(using: &rng) ? UInt32.random(in: 0...UInt32.max, using: &rng) : nil,
                                 localPref: Bool.random(using: &rng) ? UInt32.random(in: 0...UInt32.max, using: &rng) : nil,
                                 communities: Bool.random(using: &rng) ? (0..<3).map { _ in Community(rawValue: UInt32.random(in: 0...UInt32.max, using: &rng)) } : nil)
            let mpNextHop: IPAddress = .v6(rng.next(), rng.next())
            if !mpAnnounced.isEmpty { a.mpReach = MPReachNLRI(afi: .ipv6, safi: .unicast, nextHop: mpNextHop, linkLocalNextHop: nil, nlri: mpAnnounced, abbreviated: false) }
            if !mpWithdrawn.isEmpty { a.mpUnreach = MPUnreachNLRI(afi: .ipv6, safi: .unicast, withdrawn: mpWithdrawn) }
            w.writeUpdate(time, session: s, local: local, addPath: addPath, withdrawn: withdrawn, attributes: a, announced: announced)
            let plainPath = a.asPath
            for n in withdrawn + mpWithdrawn { expected.append((.withdraw, n.prefix, n.pathID, nil, nil, nil, nil, peerASN, local)) }
            for n in announced { expected.append((.announce, n.prefix, n.pathID, plainPath, a.communities, a.localPref, a.nextHop, peerASN, local)) }
            for n in mpAnnounced { expected.append((.announce, n.prefix, n.pathID, plainPath, a.communities, a.localPref, mpNextHop, peerASN, local)) }
        }
        let decoded = decodeAll(w.bytes)
        #expect(decoded.failures.isEmpty)
        #expect(decoded.fatal == nil)
        let got = decoded.records.flatMap(\.elements)
        try #require(got.count == expected.count)
        for (g, e) in zip(got, expected) {
            #expect(g.kind == e.0)
            #expect(g.prefix == e.1)
            #expect(g.pathID == e.2)
            #expect(g.peerASN == e.7)
            #expect(g.isLocal == e.8)
            if g.kind == .announce {
                #expect(g.attributes?.effectiveASPath == e.3)
                #expect(g.attributes?.communities == e.4)
                #expect(g.attributes?.localPref == e.5)
                #expect(g.nextHop == e.6)
            }
        }
    }

    @Test("TABLE_DUMP_V2 RIBs round-trip, with 2- and 4-octet peers")
    func ribs() throws {
        var rng = SeededRNG(seed: 42)
        var w = MRTWriter()
        var peers: [PeerEntry] = []
        for i in 0..<20 {
            let ip: IPAddress = i % 3 == 0 ? .v6(UInt64(i), 1) : .v4(0x0A00_0000 + UInt32(i))
            let asn: UInt32 = i % 2 == 0 ? 64500 + UInt32(i) : 4_200_000_000 + UInt32(i)
            peers.append(PeerEntry(peerType: 0, bgpID: .v4(UInt32(i)), ip: ip, asn: asn))
        }
        w.writePeerIndexTable(timestamp: 1000, collectorBGPID: .v4(1), viewName: "v", peers: peers)
        var expected: [(Prefix, UInt16, ASPath?, UInt32?)] = []
        for seq in 0..<200 {
            let v6 = seq % 4 == 0
            let p = Self.randomPrefix(&rng, v6: v6)
            let addPath = seq % 5 == 0
            let entries = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                MRTWriter.RIBEntryValue(peerIndex: UInt16.random(in: 0..<20, using: &rng), originatedTime: 999,
                                        pathID: addPath ? UInt32.random(in: 0...9, using: &rng) : nil,
                                        attributes: AttributeSet(origin: .igp, asPath: Self.randomPath(&rng, as4: true),
                                                                 nextHop: .v4(7), localPref: UInt32.random(in: 0...500, using: &rng)))
            }
            w.writeRIB(timestamp: 1000, sequence: UInt32(seq), prefix: p, addPath: addPath, entries: entries)
            for e in entries { expected.append((p, e.peerIndex, e.attributes.asPath, e.pathID)) }
        }
        let got = elements(w.bytes)
        try #require(got.count == expected.count)
        for (g, e) in zip(got, expected) {
            #expect(g.kind == .rib)
            #expect(g.prefix == e.0)
            #expect(g.peerIP == peers[Int(e.1)].ip)
            #expect(g.peerASN == peers[Int(e.1)].asn)
            #expect(g.attributes?.asPath == e.2)
            #expect(g.pathID == e.3)
        }
    }

    @Test("2-octet sessions carry 4-octet paths in AS4_PATH and merge back (RFC 6793)")
    func as4Merge() throws {
        var w = MRTWriter()
        let s = MRTWriter.Session(peerASN: 4837, localASN: 12654, peerIP: .v4(1), localIP: .v4(2), as4: false)
        var a = AttributeSet(origin: .igp, asPath: ASPath(segments: [ASPathSegment(type: .sequence, asns: [4837, 4_200_000_001, 131279])]), nextHop: .v4(3))
        a.aggregator = Aggregator(asn: 4_200_000_001, address: .v4(9))
        w.writeUpdate(MRTWriter.Time(1), session: s, attributes: a, announced: [NLRIEntry(prefix: Prefix("175.45.176.0/24")!)])
        let e = try #require(elements(w.bytes).first)
        let attrs = try #require(e.attributes)
        #expect(attrs.asPath?.allASNs == [4837, 23456, 23456])
        #expect(attrs.as4Path?.allASNs == [4837, 4_200_000_001, 131279])
        #expect(attrs.effectiveASPath?.description == "4837 4200000001 131279")
        #expect(attrs.aggregator?.asn == 23456)
        #expect(attrs.effectiveAggregator?.asn == 4_200_000_001)
        #expect(attrs.originASN == 131279)
    }

    @Test("AS path text: sets, confederations, and bgpdump's 7900-byte cut")
    func pathText() {
        let p = ASPath(segments: [ASPathSegment(type: .confedSequence, asns: [65001, 65002]),
                                  ASPathSegment(type: .sequence, asns: [1, 2]),
                                  ASPathSegment(type: .set, asns: [3, 4]),
                                  ASPathSegment(type: .confedSet, asns: [5])])
        #expect(p.description == "(65001 65002) 1 2 {3,4} [5]")
        #expect(p.originASN == nil)
        let long = ASPath(segments: [ASPathSegment(type: .sequence, asns: Array(repeating: 4_200_000_001, count: 10_000))])
        var out: [UInt8] = []
        long.appendText(to: &out, limit: BGPDumpFormatter.asPathLimit)
        // 719 ASNs of 10 digits and a space take 7908 bytes, the first length past 7900.
        #expect(out.count == 7908 + 3)
        #expect(out.suffix(3) == [46, 46, 46])
        #expect(long.description.count == 10_000 * 11 - 1)
    }

    @Test("AS path segments kept flat: segments, origin, lengths and text as given, an empty segment and set included")
    func flatSegments() {
        let segs = [ASPathSegment(type: .sequence, asns: [3356, 4837]), ASPathSegment(type: .confedSequence, asns: []),
                    ASPathSegment(type: .set, asns: [131279]), ASPathSegment(type: .confedSet, asns: [65001])]
        var p = ASPath(segments: segs)
        #expect(p.segments == segs)
        #expect(p.originASN == 131279)          // a one-member AS_SET before a confederation set
        #expect(p.routeSelectionLength == 3)
        #expect(p.allASNs == [3356, 4837, 131279, 65001])
        // As before the flat storage: no space after an empty segment.
        #expect(p.description == "3356 4837 (){131279} [65001]")
        #expect(p == ASPath(segments: segs) && p != ASPath(segments: Array(segs.dropLast())))
        p.segments.insert(ASPathSegment(type: .sequence, asns: [1]), at: 0)
        #expect(p.segments.count == 5 && p.allASNs.first == 1)
        #expect(ASPath(segments: []).originASN == nil && ASPath(segments: []).description.isEmpty)
        #expect(ASPath(segments: [ASPathSegment(type: .sequence, asns: [])]).originASN == nil)
        #expect(ASPath(segments: [ASPathSegment(type: .set, asns: [1, 2])]).originASN == nil)
    }

    @Test("a 10 000-hop AS path is written in 255-ASN segments and read back whole")
    func longPath() throws {
        var w = MRTWriter()
        let s = MRTWriter.Session(peerASN: 1, localASN: 2, peerIP: .v4(1), localIP: .v4(2))
        let path = ASPath(segments: [ASPathSegment(type: .sequence, asns: (0..<10_000).map { UInt32($0 + 1) })])
        w.writeUpdate(MRTWriter.Time(1), session: s, attributes: AttributeSet(origin: .igp, asPath: path, nextHop: .v4(1)),
                      announced: [NLRIEntry(prefix: Prefix("10.0.0.0/8")!)])
        let e = try #require(elements(w.bytes).first)
        #expect(e.attributes?.asPath?.allASNs.count == 10_000)
        #expect(e.attributes?.asPath?.segments.count == 40)
        #expect(e.attributes?.originASN == 10_000)
    }

    @Test("attribute filter: unwanted prefixes keep their prefix, next hop and AS path, and skip the rest")
    func attributeFilter() throws {
        var w = MRTWriter()
        let s = MRTWriter.Session(peerASN: 1, localASN: 2, peerIP: .v4(1), localIP: .v4(2))
        let attrs = AttributeSet(origin: .igp, asPath: ASPath(segments: [ASPathSegment(type: .sequence, asns: [1, 131279])]), nextHop: .v4(1))
        w.writeUpdate(MRTWriter.Time(1), session: s, attributes: attrs, announced: [NLRIEntry(prefix: Prefix("8.8.8.0/24")!)])
        w.writeUpdate(MRTWriter.Time(2), session: s, attributes: attrs, announced: [NLRIEntry(prefix: Prefix("175.45.178.0/24")!)])
        let kp = Prefix("175.45.176.0/22")!
        let got = decodeAll(w.bytes, filter: { kp.contains($0) }).records.flatMap(\.elements)
        #expect(got.count == 2)
        #expect(got[0].attributes?.isComplete == false)
        #expect(got[0].attributes?.originASN == 131279)
        #expect(got[0].nextHop == .v4(1))
        #expect(got[1].attributes?.originASN == 131279)
    }
}

@Suite("bgpdump formatter")
struct FormatterTests {
    @Test("the caching writer prints exactly what the plain formatter prints", arguments: SampleArchives.all().map(\.name))
    func writerMatches(name: String) throws {
        let bytes = try #require(SampleArchives.all().first { $0.name == name }).bytes
        var plain: [UInt8] = [], cached: [UInt8] = []
        var writer = BGPDumpFormatter.Writer()
        for e in elements(bytes) {
            BGPDumpFormatter.append(e, to: &plain)
            writer.append(e, to: &cached)
        }
        #expect(!plain.isEmpty)
        #expect(plain == cached)
    }
}
