import MRT
import Testing

@Suite("Prefix sets and the scope scanner's named codes")
struct PrefixSetTests {
    @Test("prefix sets answer overlap for more- and less-specifics")
    func prefixSet() {
        let s = PrefixSet([Prefix("175.45.176.0/22")!, Prefix("2001:db8::/32")!, Prefix("10.0.0.0/8")!])
        #expect(s.overlaps(Prefix("175.45.179.0/24")!))
        #expect(s.overlaps(Prefix("175.0.0.0/8")!))
        #expect(s.overlaps(Prefix("0.0.0.0/0")!))
        #expect(!s.overlaps(Prefix("175.45.180.0/22")!))
        #expect(s.overlaps(Prefix("2001:db8:1::/48")!))
        #expect(!s.overlaps(Prefix("2001:db9::/32")!))
        #expect(s.overlaps(Prefix("10.1.2.3/32")!))
        #expect(!s.overlaps(Prefix("11.0.0.0/8")!))
    }

    @Test("last addresses and /24 equivalents")
    func lastAddress() {
        #expect(Prefix("175.45.176.0/22")!.lastAddress == IPAddress("175.45.179.255"))
        #expect(Prefix("0.0.0.0/0")!.lastAddress == IPAddress("255.255.255.255"))
        #expect(Prefix("10.1.2.3/32")!.lastAddress == IPAddress("10.1.2.3"))
        #expect(Prefix("2001:db8::/32")!.lastAddress == IPAddress("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"))
        #expect(Prefix("2001:db8::/96")!.lastAddress == IPAddress("2001:db8::ffff:ffff"))
        #expect(Prefix("175.45.176.0/22")!.slash24Equivalents == 4)
        #expect(Prefix("175.45.176.128/25")!.slash24Equivalents == 1)
        #expect(Prefix("2001:db8::/46")!.slash24Equivalents == 4)
    }

    @Test("subtype forms: every BGP4MP message subtype and RIB subtype, and nothing else")
    func forms() {
        let messages: [(UInt16, BGP4MPSubtype.MessageForm)] = (0..<16).compactMap { (s: UInt16) in BGP4MPSubtype.messageForm(s).map { (s, $0) } }
        #expect(messages.map(\.0) == [1, 4, 6, 7, 8, 9, 10, 11])
        #expect(messages.filter { $0.1.as4 }.map(\.0) == [4, 7, 9, 11])
        #expect(messages.filter { $0.1.local }.map(\.0) == [6, 7, 10, 11])
        #expect(messages.filter { $0.1.addPath }.map(\.0) == [8, 9, 10, 11])
        let ribs: [(UInt16, TableDumpV2Subtype.RIBForm)] = (0..<16).compactMap { (s: UInt16) in TableDumpV2Subtype.ribForm(s).map { (s, $0) } }
        #expect(ribs.map(\.0) == [2, 3, 4, 5, 8, 9, 10, 11])
        #expect(ribs.filter { $0.1.afi == .ipv6 }.map(\.0) == [4, 5, 10, 11])
        #expect(ribs.filter { $0.1.safi == .multicast }.map(\.0) == [3, 5, 9, 11])
        #expect(ribs.filter { $0.1.addPath }.map(\.0) == [8, 9, 10, 11])
    }
}
