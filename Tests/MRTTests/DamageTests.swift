import Testing
@testable import MRT

/// Bad bytes never trap: every prefix of a valid stream, every single-byte
/// corruption, and hand-made malformed records give typed errors, and the
/// records before the damage are kept.
@Suite("Damaged input")
struct DamageTests {
    @Test("drip-fed: every prefix of each sample keeps exactly the records before the cut", arguments: SampleArchives.all().map(\.name))
    func dripFed(name: String) throws {
        let bytes = try #require(SampleArchives.all().first { $0.name == name }).bytes
        let ends = recordEnds(bytes)
        #expect(ends.last == bytes.count)
        for cut in 0..<bytes.count {
            let r = decodeAll(Array(bytes.prefix(cut)))
            let complete = ends.filter { $0 <= cut }.count
            #expect(r.records.count + r.failures.count == complete)
            if ends.contains(cut) || cut == 0 {
                #expect(r.fatal == nil)
            } else {
                let code = try #require(r.fatal?.code)
                #expect(code == .truncatedHeader || code == .truncatedRecord)
                #expect(r.fatal?.offset == (ends.last { $0 <= cut } ?? 0))
            }
        }
    }

    @Test("every record body cut short decodes to a typed error or to what it holds, never a trap", arguments: SampleArchives.all().map(\.name))
    func shortBodies(name: String) throws {
        let bytes = try #require(SampleArchives.all().first { $0.name == name }).bytes
        var decoder = MRTDecoder()
        var start = 0
        for end in recordEnds(bytes) {
            let headerLen = (bytes[start + 4] == 0 && bytes[start + 5] == 17) ? 16 : 12
            let header = MRTCommonHeader(timestamp: 0, type: MRTType(rawValue: UInt16(bytes[start + 5])), subtype: UInt16(bytes[start + 7]),
                                         length: UInt32(end - start - headerLen))
            let body = Array(bytes[(start + headerLen)..<end])
            for cut in 0..<body.count {
                body.withUnsafeBytes { b in
                    let view = RawRecordView(header: MRTCommonHeader(timestamp: 0, type: header.type, subtype: header.subtype, length: UInt32(cut)),
                                             offset: start, body: UnsafeRawBufferPointer(rebasing: b[0..<cut]))
                    _ = decoder.decode(view)
                }
            }
            // The whole body decodes (this also refreshes the peer index table).
            body.withUnsafeBytes { b in
                #expect((try? decoder.decode(RawRecordView(header: header, offset: start, body: b)).get()) != nil)
            }
            start = end
        }
    }

    @Test("every single-byte flip is survived", arguments: SampleArchives.all().map(\.name))
    func byteFlips(name: String) throws {
        let bytes = try #require(SampleArchives.all().first { $0.name == name }).bytes
        let original = outcomes(bytes)
        let ends = recordEnds(bytes)
        for i in 0..<bytes.count {
            var damaged = bytes
            damaged[i] ^= 0xFF
            // Records wholly before the flipped byte decode exactly as they did.
            let before = ends.filter { $0 <= i }.count
            let got = outcomes(damaged)
            #expect(got.count >= before, "\(name): flip at \(i) lost records before it")
            #expect(Array(got.prefix(before)) == Array(original.prefix(before)), "\(name): flip at \(i) changed a record before it")
        }
    }

    /// A BGP4MP_MESSAGE_AS4 UPDATE with a hand-made body.
    static func update(withdrawn: [UInt8] = [], attributes: [UInt8], nlri: [UInt8], attrLength: Int? = nil) -> [UInt8] {
        var bgp: [UInt8] = Array(repeating: 0xFF, count: 16)
        let body = [UInt8(withdrawn.count >> 8), UInt8(withdrawn.count & 0xFF)] + withdrawn
            + [UInt8((attrLength ?? attributes.count) >> 8), UInt8((attrLength ?? attributes.count) & 0xFF)] + attributes + nlri
        let len = 19 + body.count
        bgp += [UInt8(len >> 8), UInt8(len & 0xFF), 2] + body
        let rec: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0x0A, 0, 0, 1, 0x0A, 0, 0, 2] + bgp
        return [0, 0, 0, 100, 0, 16, 0, 4] + [0, 0, UInt8(rec.count >> 8), UInt8(rec.count & 0xFF)] + rec
    }

    static let origin: [UInt8] = [0x40, 1, 1, 0]
    static let nextHop: [UInt8] = [0x40, 3, 4, 10, 0, 0, 1]

    @Test("prefix length over 32 keeps the prefixes before it and is reported")
    func prefixTooLong() throws {
        let r = decodeAll(Self.update(attributes: Self.origin + Self.nextHop, nlri: [24, 10, 1, 2, 33, 1, 2, 3, 4, 5]))
        let rec = try #require(r.records.first)
        #expect(rec.problems.map(\.code) == [.badPrefixLength])
        #expect(rec.elements.map { $0.prefix?.description } == ["10.1.2.0/24"])
    }

    @Test("prefix length over 128 in MP_REACH_NLRI is reported")
    func ipv6PrefixTooLong() throws {
        let mp: [UInt8] = [0x80, 14, 38, 0, 2, 1, 16] + Array(repeating: 0x20, count: 16) + [0] + [129] + Array(repeating: 0, count: 16)
        let r = decodeAll(Self.update(attributes: Self.origin + mp, nlri: []))
        let rec = try #require(r.records.first)
        #expect(rec.problems.map(\.code) == [.badPrefixLength])
    }

    @Test("an attribute length past the attribute block makes the record fail with its offset")
    func attributeOverrun() throws {
        let r = decodeAll(Self.update(attributes: Self.origin + [0x40, 2, 200, 2, 1, 0, 1], nlri: [8, 10]))
        let e = try #require(r.failures.first)
        #expect(e.code == .attributeOverrun)
        // Record header, BGP4MP peer header, BGP header, two length fields, ORIGIN.
        #expect(e.offset == 12 + 20 + 19 + 2 + 2 + 4)
        #expect(r.records.isEmpty)
    }

    @Test("a total attribute length past the message fails the record")
    func attributeBlockOverrun() throws {
        let r = decodeAll(Self.update(attributes: Self.origin, nlri: [], attrLength: 500))
        #expect(r.failures.map(\.code) == [.attributeOverrun])
    }

    @Test("a malformed AS_PATH is treat-as-withdraw (RFC 7606)")
    func malformedPath() throws {
        let r = decodeAll(Self.update(attributes: Self.origin + [0x40, 2, 3, 9, 1, 0] + Self.nextHop, nlri: [8, 10]))
        let e = try #require(r.records.first?.elements.first)
        #expect(e.kind == .withdraw)
        #expect(e.prefix?.description == "10.0.0.0/8")
    }

    @Test("bytes left after the BGP message are reported; the message is kept")
    func trailingBytes() throws {
        var bytes = Self.update(attributes: Self.origin + Self.nextHop, nlri: [8, 10]) + [1, 2, 3]
        let length = Int(bytes[10]) << 8 | Int(bytes[11])
        bytes[10] = UInt8((length + 3) >> 8)
        bytes[11] = UInt8((length + 3) & 0xFF)
        let rec = try #require(decodeAll(bytes).records.first)
        #expect(rec.problems.map(\.code) == [.trailingBytes])
        #expect(rec.problems.first?.offset == bytes.count - 3)
        #expect(rec.elements.map { $0.prefix?.description } == ["10.0.0.0/8"])
    }

    @Test("a record length over the 16 MiB cap is refused before allocation")
    func hugeLength() {
        let r = decodeAll([0, 0, 0, 1, 0, 16, 0, 4, 0xFF, 0xFF, 0xFF, 0xF0] + Array(repeating: 0, count: 100))
        #expect(r.fatal?.code == .recordTooLarge)
    }

    @Test("bad BGP marker and short messages are typed errors")
    func badMarker() {
        var bytes = Self.update(attributes: Self.origin, nlri: [])
        bytes[12 + 20] = 0
        #expect(decodeAll(bytes).failures.map(\.code) == [.badMarker])
    }

    @Test("a RIB entry whose attributes overrun inside its own length loses that entry alone; a bad peer index too")
    func ribEntryDamage() throws {
        var w = MRTWriter()
        let peers = (1...3).map { PeerEntry(peerType: 2, bgpID: .v4(UInt32($0)), ip: .v4(0x0A00_0000 + UInt32($0)), asn: 64_500 + UInt32($0)) }
        w.writePeerIndexTable(timestamp: 1, collectorBGPID: .v4(1), peers: peers)
        let tableEnd = w.bytes.count
        let attrs = AttributeSet(origin: .igp, asPath: ASPath(segments: [ASPathSegment(type: .sequence, asns: [64_501, 131_279])]), nextHop: .v4(1))
        w.writeRIB(timestamp: 1, sequence: 0, prefix: Prefix("175.45.176.0/24")!,
                   entries: (0..<3).map { MRTWriter.RIBEntryValue(peerIndex: UInt16($0), originatedTime: 1, attributes: attrs) })
        var bytes = w.bytes
        // Record header (12), sequence (4), prefix (1 + 3), entry count (2); then entries of
        // peer index (2), originated time (4), attribute length (2) and the attributes.
        let first = tableEnd + 12 + 4 + 4 + 2
        let alen = Int(bytes[first + 6]) << 8 | Int(bytes[first + 7])
        let second = first + 8 + alen
        // The second entry's first attribute (ORIGIN, flags and type then a 1-byte length) claims 200 bytes.
        bytes[second + 8 + 2] = 200
        let r = decodeAll(bytes)
        let rib = try #require(r.records.last)
        guard case .rib(let record) = rib.body else { Issue.record("not a RIB record"); return }
        #expect(record.entries.map(\.peerIndex) == [0, 2])
        #expect(rib.problems.map(\.code) == [.attributeOverrun])
        #expect(rib.problems.first?.detail.contains("RIB entry 1") == true)
        #expect(rib.problems.first?.offset == second + 8)
        #expect(r.failures.isEmpty)
        // A peer index past the PEER_INDEX_TABLE: that entry alone.
        var badPeer = w.bytes
        badPeer[second] = 0
        badPeer[second + 1] = 9
        let b = try #require(decodeAll(badPeer).records.last)
        guard case .rib(let r2) = b.body else { Issue.record("not a RIB record"); return }
        #expect(r2.entries.map(\.peerIndex) == [0, 2])
        #expect(b.problems.map(\.code) == [.badPeerIndex])
        // An attribute length past the record cannot be framed: the record fails.
        var overrun = w.bytes
        overrun[second + 6] = 0xFF
        #expect(decodeAll(overrun).failures.map(\.code) == [.attributeOverrun])
    }

    @Test("a RIB record before any PEER_INDEX_TABLE is reported")
    func ribWithoutPeerTable() {
        var w = MRTWriter()
        w.writeRIB(timestamp: 1, sequence: 0, prefix: Prefix("10.0.0.0/8")!, entries: [])
        #expect(decodeAll(w.bytes).failures.map(\.code) == [.missingPeerIndexTable])
    }

    @Test("unknown record types are counted, not fatal")
    func unknownTypes() {
        let bytes: [UInt8] = [0, 0, 0, 1, 0, 11, 0, 0, 0, 0, 0, 2, 1, 2]
        let r = decodeAll(bytes + bytes)
        #expect(r.fatal == nil)
        #expect(r.records.count == 2)
        if case .unsupported(let what) = r.records[0].body { #expect(what == "OSPFv2/0") } else { Issue.record("expected unsupported") }
    }
}
