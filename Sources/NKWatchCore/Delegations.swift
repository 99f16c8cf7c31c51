import MRT
import NKModel

/// RIR "delegated-extended" statistics files (APNIC, RIPE NCC, ARIN, LACNIC,
/// AFRINIC): `registry|cc|type|start|value|date|status[|opaque-id]`.
/// For ipv4 `value` is a count of addresses, for ipv6 a prefix length, for
/// asn a count of AS numbers.
public enum Delegations {
    public struct ParseError: Error, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// The scope of country `cc` (case-insensitive): its allocated and
    /// assigned IPv4/IPv6 blocks as CIDR prefixes and its AS numbers.
    public static func scope(country cc: String, text: String) throws -> Scope {
        let want = cc.uppercased()
        var prefixes: [Prefix] = []
        var asns = Set<UInt32>()
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty || line.hasPrefix("#") { continue }
            let f = line.split(separator: "|", omittingEmptySubsequences: false)
            // Version and summary lines have fewer fields or a '*' country.
            guard f.count >= 7, f[1].uppercased() == want else { continue }
            let status = f[6].lowercased()
            guard status == "allocated" || status == "assigned" else { continue }
            switch f[2] {
            case "ipv4":
                guard case .v4(let start)? = IPAddress(f[3]), let count = UInt64(f[4]), count > 0 else {
                    throw ParseError(line: lineNumber, message: "bad ipv4 record '\(line)'")
                }
                prefixes += cidrs(start: UInt64(start), count: count)
            case "ipv6":
                guard let a = IPAddress(f[3]), !a.isIPv4, let len = UInt8(f[4]), let p = Prefix(address: a, length: len) else {
                    throw ParseError(line: lineNumber, message: "bad ipv6 record '\(line)'")
                }
                prefixes.append(p)
            case "asn":
                guard let start = UInt32(f[3]), let count = UInt32(f[4]), count > 0, count <= 1 << 20 else {
                    throw ParseError(line: lineNumber, message: "bad asn record '\(line)'")
                }
                for i in 0..<count { asns.insert(start &+ i) }
            default:
                continue
            }
        }
        return Scope(prefixes: prefixes, originASNs: asns, country: want)
    }

    /// The smallest list of CIDR blocks covering `count` IPv4 addresses from `start`.
    static func cidrs(start: UInt64, count: UInt64) -> [Prefix] {
        var out: [Prefix] = []
        var s = start
        var remaining = count
        while remaining > 0 && s <= 0xFFFF_FFFF {
            var size: UInt64 = s == 0 ? (1 << 32) : (s & (~s &+ 1))  // largest block aligned at s
            while size > remaining { size >>= 1 }
            let len = 32 - UInt8(size.trailingZeroBitCount)
            if let p = Prefix(address: .v4(UInt32(s)), length: len) { out.append(p) }
            s += size
            remaining -= size
        }
        return out
    }
}
