import Testing
@testable import MRT

@Suite("Addresses and prefixes")
struct AddressTests {
    @Test("IPv6 text: inet_ntop form and bgpdump's form", arguments: [
        ("2001:7f8:30:0:2:1:0:8447", "2001:7f8:30:0:2:1:0:8447", "2001:7f8:30::2:1:0:8447"),
        ("2001:db8::1", "2001:db8::1", "2001:db8::1"),
        ("fe80::", "fe80::", "fe80::"),
        ("::", "::", "::"),
        ("::1", "::1", "::1"),
        ("::ffff:193.0.0.56", "::ffff:193.0.0.56", "::ffff:193.0.0.56"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3", "1:0:0:2::3"),
        ("1:0:0:2:3:0:0:4", "1::2:3:0:0:4", "1::2:3:0:0:4"),
    ])
    func ipv6Text(input: String, rfc: String, bgpdump: String) throws {
        let a = try #require(IPAddress(input))
        #expect(a.description == rfc)
        var out: [UInt8] = []
        a.appendBGPDumpText(to: &out)
        #expect(String(decoding: out, as: UTF8.self) == bgpdump)
        #expect(IPAddress(a.description) == a)
    }

    @Test("parsing rejects malformed addresses", arguments: ["1.2.3", "1.2.3.256", "1::2::3", "12345::", "", "a.b.c.d", "1:2:3:4:5:6:7:8:9"])
    func rejects(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test("prefixes are masked and contain their more-specifics")
    func prefixes() throws {
        let p = try #require(Prefix("11.13.0.0/13"))
        #expect(p.description == "11.8.0.0/13")
        let kp = try #require(Prefix("175.45.176.0/22"))
        #expect(kp.contains(try #require(Prefix("175.45.179.0/24"))))
        #expect(!kp.contains(try #require(Prefix("175.45.180.0/24"))))
        #expect(!kp.contains(try #require(Prefix("175.45.0.0/16"))))
        #expect(try #require(Prefix("175.45.0.0/16")).contains(kp))
        #expect(Prefix("10.0.0.0/33") == nil)
        #expect(Prefix("2001:db8::/129") == nil)
        #expect(try #require(Prefix("2001:db8:ffff:1234::/35")).description == "2001:db8:e000::/35")
    }
}
