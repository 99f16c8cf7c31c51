@testable import MRT
import Testing

/// The text tables are written out as literals (a computed table costs a
/// lazy-initialisation check per use): each entry must be what it says.
@Suite("Text tables")
struct TextTableTests {
    @Test("octetText: every octet's digits and a dot, and the digit count, for 0 to 255")
    func octets() {
        #expect(octetText.count == 256)
        for v in 0..<256 {
            let packed = octetText[v]
            let count = Int(packed >> 32)
            let bytes = (0...count).map { UInt8(truncatingIfNeeded: packed >> UInt64(8 * $0)) }
            #expect(bytes == Array("\(v).".utf8), "\(v)")
        }
    }

    @Test("digitPairs: \"00\" to \"99\"")
    func pairs() {
        #expect(digitPairs.count == 200)
        for v in 0..<100 {
            #expect(Array(digitPairs[(2 * v)..<(2 * v + 2)]) == Array((v < 10 ? "0\(v)" : "\(v)").utf8), "\(v)")
        }
    }

    @Test("addresses and numbers written through the tables")
    func written() {
        for (text, address) in [("0.0.0.0", IPAddress.v4(0)), ("255.255.255.255", .v4(.max)), ("10.200.3.99", .v4(0x0AC8_0363)),
                                ("::ffff:1.2.3.4", .v6(0, 0xFFFF_0102_0304)), ("2001:db8::abcd", .v6(0x2001_0DB8_0000_0000, 0xABCD))] {
            #expect(address.description == text)
        }
        var out: [UInt8] = []
        for n in [0, 9, 10, 99, 100, 4_294_967_295] as [UInt64] {
            out = []
            appendDecimal(n, to: &out)
            #expect(out == Array("\(n)".utf8))
        }
    }
}
