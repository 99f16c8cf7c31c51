import Foundation
import Testing
@testable import MRT

/// Files as other producers really write them, made with the MRT writer:
/// BIRD's UPDATEs of ADD-PATH sessions under the plain BGP4MP subtypes, and
/// OpenBGPD's 8-byte AGGREGATOR in TABLE_DUMP (v1) RIBs.
@Suite("What BIRD and OpenBGPD write")
struct ProducerTests {
    static let session = MRTWriter.Session(peerASN: 65001, localASN: 65000, peerIP: .v4(0xAC11_0002), localIP: .v4(0xAC11_0001))
    static let v6Session = MRTWriter.Session(peerASN: 65001, localASN: 65000, peerIP: IPAddress("fd01::2")!, localIP: IPAddress("fd01::1")!)

    static func attributes(_ nextHop: IPAddress) -> AttributeSet {
        AttributeSet(origin: .igp, asPath: ASPath(segments: [ASPathSegment(type: .sequence, asns: [65001, 65010])]), nextHop: nextHop)
    }

    /// ADD-PATH capability tuples (RFC 7911 §4): IPv4 and IPv6 unicast with `sendReceive`.
    static func addPathCapability(_ sendReceive: UInt8) -> BGPCapability {
        BGPCapability(code: BGPCapability.addPath, value: [0, 1, 1, sendReceive, 0, 2, 1, sendReceive])
    }

    static func prefixes(_ records: [MRTRecord]) -> [String] {
        records.flatMap(\.elements).compactMap { e in e.prefix.map { "\(e.kind.letter) \($0)\(e.pathID.map { " #\($0)" } ?? "")" } }
    }

    @Test("BIRD without OPENs in the file: the plain reading is invalid, the ADD-PATH reading is taken — 172.17.0.0/24 and fd01:1::/64, not 0.0.0.0/2 and ::/0")
    func birdDetected() throws {
        let (records, failures, fatal) = decodeAll(SampleArchives.birdAddPath())
        #expect(failures.isEmpty && fatal == nil)
        #expect(Self.prefixes(records) == ["A 172.17.0.0/24 #1", "A 172.17.0.0/24 #2", "A 10.20.0.0/16 #1", "A fd01:1::/64 #1", "W 172.17.0.0/24 #2"])
        for r in records {
            guard case .message(let m) = r.body else { Issue.record("not a message"); continue }
            #expect(m.isAddPath && m.addPathSource == .detected)
            #expect(r.problems.isEmpty, "\(r.problems)")
        }
        // -m lines: the ADD-PATH label and path id column, as for the RFC 8050 subtypes.
        let lines = records.flatMap(\.elements).map(BGPDumpFormatter.line)
        #expect(lines[0] == "BGP4MP_AP|1700000000|A|172.17.0.2|65001|172.17.0.0/24|1|65001 65010|IGP|172.17.0.2|0|0||NAG||\n")
        #expect(lines[4] == "BGP4MP_AP|1700000002|W|172.17.0.2|65001|172.17.0.0/24|2\n")
    }

    @Test("BIRD with both OPENs: ADD-PATH comes from the negotiated capability, even where the plain reading would look valid")
    func birdFromOpen() throws {
        var w = MRTWriter()
        let t: UInt32 = 1_700_000_000
        w.writeOpen(MRTWriter.Time(t - 10), session: Self.session, bgpID: .v4(0xAC11_0002), capabilities: [Self.addPathCapability(3)])
        w.writeOpen(MRTWriter.Time(t - 10), session: Self.session, local: true, bgpID: .v4(0xAC11_0001), capabilities: [Self.addPathCapability(3)])
        // A path identifier whose plain reading is a valid, lone prefix: 0x18 0xC0 0x00 0x02 reads as 192.0.2.0/24…
        w.writeUpdate(MRTWriter.Time(t), session: Self.session, pathIDs: true, attributes: Self.attributes(.v4(0xAC11_0002)),
                      announced: [NLRIEntry(prefix: Prefix("198.51.100.0/24")!, pathID: 0x18C0_0002)])
        let records = decodeAll(w.bytes).records
        #expect(Self.prefixes(records) == ["A 198.51.100.0/24 #415236098"])
        guard case .message(let m) = records.last?.body else { Issue.record("no message"); return }
        #expect(m.addPathSource == .open)
    }

    @Test("OPENs that negotiated no ADD-PATH keep the plain reading; a plain file stays plain")
    func plainStaysPlain() throws {
        var w = MRTWriter()
        let t: UInt32 = 1_700_000_000
        // The peer may send, the collector does not receive: not negotiated.
        w.writeOpen(MRTWriter.Time(t - 10), session: Self.session, bgpID: .v4(0xAC11_0002), capabilities: [Self.addPathCapability(2)])
        w.writeOpen(MRTWriter.Time(t - 10), session: Self.session, local: true, bgpID: .v4(0xAC11_0001), capabilities: [])
        w.writeUpdate(MRTWriter.Time(t), session: Self.session, attributes: Self.attributes(.v4(0xAC11_0002)),
                      announced: [NLRIEntry(prefix: Prefix("0.0.0.0/0")!), NLRIEntry(prefix: Prefix("192.0.2.0/24")!)])
        // Another session, no OPENs: a default route and a /24, plainly.
        let other = MRTWriter.Session(peerASN: 65002, localASN: 65000, peerIP: .v4(0xAC11_0003), localIP: .v4(0xAC11_0001))
        w.writeUpdate(MRTWriter.Time(t + 1), session: other, attributes: Self.attributes(.v4(0xAC11_0003)),
                      announced: [NLRIEntry(prefix: Prefix("0.0.0.0/0")!), NLRIEntry(prefix: Prefix("192.0.2.0/24")!)])
        let records = decodeAll(w.bytes).records
        #expect(Self.prefixes(records) == ["A 0.0.0.0/0", "A 192.0.2.0/24", "A 0.0.0.0/0", "A 192.0.2.0/24"])
        for r in records { if case .message(let m) = r.body { #expect(!m.isAddPath) } }
    }

    @Test("a damaged plain NLRI whose ADD-PATH reading is not clean stays a damaged plain message")
    func damagedIsNotAddPath() throws {
        var w = MRTWriter()
        w.writeUpdate(MRTWriter.Time(1_700_000_000), session: Self.session, attributes: Self.attributes(.v4(0xAC11_0002)),
                      announced: [NLRIEntry(prefix: Prefix("192.0.2.0/24")!)])
        var bytes = w.bytes
        bytes[bytes.count - 4] = 40  // the prefix length byte: /40 is no IPv4 prefix
        let (records, _, _) = decodeAll(bytes)
        guard case .message(let m) = records.first?.body else { Issue.record("no message"); return }
        #expect(!m.isAddPath)
        #expect(records.first?.problems.map(\.code) == [.badPrefixLength])
    }

    @Test("OpenBGPD's TABLE_DUMP with an 8-byte AGGREGATOR: 65000 192.168.0.15 (bgpdump prints 0 253.232.192.168)")
    func openBGPDAggregator() throws {
        let records = decodeAll(SampleArchives.openBGPDTableDump()).records
        let line = try #require(records.first?.elements.first.map(BGPDumpFormatter.line))
        #expect(line == "TABLE_DUMP|1700000000|B|192.168.0.1|65001|203.0.113.0/24|65001 65010|IGP|192.168.0.1|0|0||NAG|65000 192.168.0.15|\n")
        #expect(records.first?.problems.isEmpty == true)
    }
}
