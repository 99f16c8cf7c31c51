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

    @Test("record names: the literal for every known type and subtype is the computed name")
    func recordNames() {
        var literals = 0
        for type in [UInt16](0...64) {
            for subtype in [UInt16](0...20) {
                let computed = MRTCommonHeader.computeName(type: MRTType(rawValue: type), subtype: subtype)
                let header = MRTCommonHeader(timestamp: 0, type: MRTType(rawValue: type), subtype: subtype, length: 0)
                #expect(header.recordName == computed, "\(type)/\(subtype)")
                if let literal = MRTCommonHeader.literalName(type: type, subtype: subtype) {
                    literals += 1
                    #expect(literal == computed)
                } else {
                    // Everything without a literal is an unknown type or subtype.
                    #expect(computed.contains("SUBTYPE_") || ![12, 13, 16, 17].contains(type), "\(computed)")
                }
            }
        }
        // TABLE_DUMP 2, TABLE_DUMP_V2 12, BGP4MP and BGP4MP_ET 12 each.
        #expect(literals == 38)
    }

    @Test("the formatter's literals: labels, letters, origins and fixed texts")
    func literals() {
        func text(_ s: StaticString) -> String { var out: [UInt8] = []; out.put(s); return String(decoding: out, as: UTF8.self) }
        #expect((0..<11).map { text(BGPDumpFormatter.label($0)) } == [
            "TABLE_DUMP", "TABLE_DUMP2", "TABLE_DUMP2_AP", "BGP4MP", "BGP4MP_ET", "BGP4MP_LOCAL", "BGP4MP_ET_LOCAL",
            "BGP4MP_AP", "BGP4MP_ET_AP", "BGP4MP_LOCAL_AP", "BGP4MP_ET_LOCAL_AP"])
        #expect(ElementKind.allCases.map { text(BGPDumpFormatter.letter($0)) } == ElementKind.allCases.map(\.letter))
        #expect((0..<3).map { text(BGPDumpFormatter.originText($0)) } == ["IGP", "EGP", "INCOMPLETE"])
        #expect(text(BGPDumpFormatter.allOnes) + text(BGPDumpFormatter.nag) + text(BGPDumpFormatter.zeroV4) == "255.255.255.255NAG0.0.0.0")
        // A one-character literal may be stored as a scalar, not a pointer: put handles both.
        #expect(text("W") == "W")
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
