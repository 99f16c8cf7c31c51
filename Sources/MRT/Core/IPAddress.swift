/// An IPv4 or IPv6 address held by value (no heap storage).
public enum IPAddress: Hashable, Sendable, Comparable {
    case v4(UInt32)
    case v6(UInt64, UInt64)

    public static let ipv4Unspecified = IPAddress.v4(0)

    public var isIPv4: Bool { if case .v4 = self { return true } else { return false } }
    public var maxPrefixLength: UInt8 { isIPv4 ? 32 : 128 }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case let (.v4(a), .v4(b)): return a < b
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        case let (.v6(ah, al), .v6(bh, bl)): return ah < bh || (ah == bh && al < bl)
        }
    }

    /// The address with every bit past `length` cleared.
    public func masked(to length: UInt8) -> IPAddress {
        switch self {
        case .v4(let a):
            if length >= 32 { return self }
            if length == 0 { return .v4(0) }
            return .v4(a & ~(UInt32.max >> UInt32(length)))
        case .v6(let hi, let lo):
            if length >= 128 { return self }
            if length == 0 { return .v6(0, 0) }
            if length <= 64 {
                let mask: UInt64 = length == 64 ? .max : ~(UInt64.max >> UInt64(length))
                return .v6(hi & mask, 0)
            }
            return .v6(hi, lo & ~(UInt64.max >> UInt64(length - 64)))
        }
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text.
    public init?(_ text: some StringProtocol) {
        var v4: UInt32? = nil
        var isV6 = false
        text.utf8.withContiguousStorageIfAvailable { bytes in
            if bytes.contains(UInt8(ascii: ":")) { isV6 = true } else { v4 = IPAddress.parseIPv4(bytes) }
        } ?? {
            let bytes = Array(text.utf8)
            if bytes.contains(UInt8(ascii: ":")) { isV6 = true } else { v4 = IPAddress.parseIPv4(bytes[...]) }
        }()
        if isV6 {
            guard let v = IPAddress.parseIPv6(Substring(text)) else { return nil }
            self = v
        } else {
            guard let v = v4 else { return nil }
            self = .v4(v)
        }
    }

    /// Dotted-quad text as bytes: four decimal octets of 1–3 digits, each at most 255.
    static func parseIPv4<C: Collection<UInt8>>(_ bytes: C) -> UInt32? {
        var value: UInt32 = 0, octet: UInt32 = 0, digits = 0, dots = 0
        for b in bytes {
            if b == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                octet = 0; digits = 0; dots += 1
            } else if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                guard digits < 3 else { return nil }
                octet = octet * 10 + UInt32(b - UInt8(ascii: "0"))
                guard octet <= 255 else { return nil }
                digits += 1
            } else {
                return nil
            }
        }
        guard dots == 3, digits > 0 else { return nil }
        return value << 8 | octet
    }

    static func parseIPv4(_ text: Substring) -> UInt32? { parseIPv4(Array(text.utf8)[...]) }

    static func parseIPv6(_ text: Substring) -> IPAddress? {
        var words: [UInt16] = []
        var tailWords: [UInt16] = []
        var sawDoubleColon = false
        var halves: [String] = []
        if let r = text.firstRange(of: "::") {
            halves = [String(text[..<r.lowerBound]), String(text[r.upperBound...])]
            if halves[1].contains("::") { return nil }
        } else {
            halves = [String(text)]
        }
        guard halves.count <= 2 else { return nil }
        func parseGroups(_ s: String, allowIPv4Tail: Bool) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            let groups = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, g) in groups.enumerated() {
                if g.contains(".") {
                    guard allowIPv4Tail, i == groups.count - 1, let v4 = parseIPv4(g) else { return nil }
                    out.append(UInt16(v4 >> 16)); out.append(UInt16(v4 & 0xFFFF))
                } else {
                    guard !g.isEmpty, g.count <= 4, let w = UInt16(g, radix: 16) else { return nil }
                    out.append(w)
                }
            }
            return out
        }
        if halves.count == 2 {
            sawDoubleColon = true
            guard let a = parseGroups(halves[0], allowIPv4Tail: false),
                  let b = parseGroups(halves[1], allowIPv4Tail: true) else { return nil }
            words = a; tailWords = b
        } else {
            guard let a = parseGroups(halves[0], allowIPv4Tail: true) else { return nil }
            words = a
        }
        if sawDoubleColon {
            guard words.count + tailWords.count <= 7 else { return nil }
            words += Array(repeating: 0, count: 8 - words.count - tailWords.count) + tailWords
        }
        guard words.count == 8 else { return nil }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<4 { hi = hi << 16 | UInt64(words[i]) }
        for i in 4..<8 { lo = lo << 16 | UInt64(words[i]) }
        return .v6(hi, lo)
    }
}

extension IPAddress: CustomStringConvertible {
    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(40)
        appendText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the textual form: dotted quad, or IPv6 as `inet_ntop` writes it
    /// (longest run of two or more zero groups compressed, embedded IPv4 for
    /// `::ffff:a.b.c.d` and `::a.b.c.d`).
    public func appendText<O: ByteOutput>(to out: inout O) {
        switch self {
        case .v4(let a):
            appendIPv4(a, to: &out)
        case .v6(let hi, let lo):
            let words = IPv6Words(hi: hi, lo: lo)
            var bestBase = -1, bestLen = 0, curBase = -1, curLen = 0
            for i in 0..<8 {
                if words[i] == 0 {
                    if curBase == -1 { curBase = i; curLen = 1 } else { curLen += 1 }
                } else if curBase != -1 {
                    if bestBase == -1 || curLen > bestLen { bestBase = curBase; bestLen = curLen }
                    curBase = -1
                }
            }
            if curBase != -1, bestBase == -1 || curLen > bestLen { bestBase = curBase; bestLen = curLen }
            if bestBase != -1, bestLen < 2 { bestBase = -1 }
            var i = 0
            while i < 8 {
                if bestBase != -1, i >= bestBase, i < bestBase + bestLen {
                    if i == bestBase { out.put(UInt8(ascii: ":")) }
                    i += 1
                    continue
                }
                if i != 0 { out.put(UInt8(ascii: ":")) }
                if i == 6, bestBase == 0, bestLen == 6 || (bestLen == 5 && words[5] == 0xFFFF) {
                    appendIPv4(UInt32(truncatingIfNeeded: lo), to: &out)
                    return
                }
                appendHex(words[i], to: &out)
                i += 1
            }
            if bestBase != -1, bestBase + bestLen == 8 { out.put(UInt8(ascii: ":")) }
        }
    }
}

extension IPAddress {
    /// The text bgpdump writes (its fmt_ipv6): like `inet_ntop`, except that
    /// the longest run of zero groups is compressed even when it is a single
    /// group, and any address with 96 leading zero bits and a value above 1
    /// is written `::a.b.c.d`.
    public func appendBGPDumpText<O: ByteOutput>(to out: inout O) {
        guard case .v6(let hi, let lo) = self else { appendText(to: &out); return }
        let mapped = hi == 0 && (lo >> 32) == 0xFFFF
        let compat = hi == 0 && (lo >> 32) == 0 && (lo & 0xFFFF_FFFF) > 1
        if mapped || compat {
            out.put(mapped ? mappedPrefix : compatPrefix)
            appendIPv4(UInt32(truncatingIfNeeded: lo), to: &out)
            return
        }
        let words = IPv6Words(hi: hi, lo: lo)
        // The longest run of zero groups (the first of equal ones).
        var best = -1, bestLen = 0, j = 0
        for i in stride(from: 7, through: 0, by: -1) {
            j = words[i] == 0 ? j + 1 : 0
            if j >= bestLen && j > 0 { best = i; bestLen = j }
        }
        var i = 0
        while i < 8 {
            if i == best {
                if i == 0 { out.put(UInt8(ascii: ":")) }
                out.put(UInt8(ascii: ":"))
                i += bestLen
                continue
            }
            appendHex(words[i], to: &out)
            if i != 7 { out.put(UInt8(ascii: ":")) }
            i += 1
        }
    }
}

/// The eight 16-bit groups of an IPv6 address, without an array.
struct IPv6Words {
    let hi: UInt64, lo: UInt64
    @inline(__always)
    subscript(i: Int) -> UInt16 {
        i < 4 ? UInt16(truncatingIfNeeded: hi >> UInt64(48 - 16 * i)) : UInt16(truncatingIfNeeded: lo >> UInt64(48 - 16 * (i - 4)))
    }
}

// The text tables below are written out as literals: a global array of
// literals is laid out by the compiler, while one computed at start-up is
// reached through a lazy-initialisation check (swift_once) on every use,
// which was millions of calls in a dump.

/// "::ffff:" and "::".
private var mappedPrefix: StaticString { "::ffff:" }
private var compatPrefix: StaticString { "::" }

/// The text of each octet value, packed for one unaligned 4-byte store:
/// the digits and a "." after them in the low 4 bytes, the digit count above
/// (`TextTableTests` checks every entry).
let octetText: [UInt64] = [
    0x0100002E30, 0x0100002E31, 0x0100002E32, 0x0100002E33, 0x0100002E34, 0x0100002E35,
    0x0100002E36, 0x0100002E37, 0x0100002E38, 0x0100002E39, 0x02002E3031, 0x02002E3131,
    0x02002E3231, 0x02002E3331, 0x02002E3431, 0x02002E3531, 0x02002E3631, 0x02002E3731,
    0x02002E3831, 0x02002E3931, 0x02002E3032, 0x02002E3132, 0x02002E3232, 0x02002E3332,
    0x02002E3432, 0x02002E3532, 0x02002E3632, 0x02002E3732, 0x02002E3832, 0x02002E3932,
    0x02002E3033, 0x02002E3133, 0x02002E3233, 0x02002E3333, 0x02002E3433, 0x02002E3533,
    0x02002E3633, 0x02002E3733, 0x02002E3833, 0x02002E3933, 0x02002E3034, 0x02002E3134,
    0x02002E3234, 0x02002E3334, 0x02002E3434, 0x02002E3534, 0x02002E3634, 0x02002E3734,
    0x02002E3834, 0x02002E3934, 0x02002E3035, 0x02002E3135, 0x02002E3235, 0x02002E3335,
    0x02002E3435, 0x02002E3535, 0x02002E3635, 0x02002E3735, 0x02002E3835, 0x02002E3935,
    0x02002E3036, 0x02002E3136, 0x02002E3236, 0x02002E3336, 0x02002E3436, 0x02002E3536,
    0x02002E3636, 0x02002E3736, 0x02002E3836, 0x02002E3936, 0x02002E3037, 0x02002E3137,
    0x02002E3237, 0x02002E3337, 0x02002E3437, 0x02002E3537, 0x02002E3637, 0x02002E3737,
    0x02002E3837, 0x02002E3937, 0x02002E3038, 0x02002E3138, 0x02002E3238, 0x02002E3338,
    0x02002E3438, 0x02002E3538, 0x02002E3638, 0x02002E3738, 0x02002E3838, 0x02002E3938,
    0x02002E3039, 0x02002E3139, 0x02002E3239, 0x02002E3339, 0x02002E3439, 0x02002E3539,
    0x02002E3639, 0x02002E3739, 0x02002E3839, 0x02002E3939, 0x032E303031, 0x032E313031,
    0x032E323031, 0x032E333031, 0x032E343031, 0x032E353031, 0x032E363031, 0x032E373031,
    0x032E383031, 0x032E393031, 0x032E303131, 0x032E313131, 0x032E323131, 0x032E333131,
    0x032E343131, 0x032E353131, 0x032E363131, 0x032E373131, 0x032E383131, 0x032E393131,
    0x032E303231, 0x032E313231, 0x032E323231, 0x032E333231, 0x032E343231, 0x032E353231,
    0x032E363231, 0x032E373231, 0x032E383231, 0x032E393231, 0x032E303331, 0x032E313331,
    0x032E323331, 0x032E333331, 0x032E343331, 0x032E353331, 0x032E363331, 0x032E373331,
    0x032E383331, 0x032E393331, 0x032E303431, 0x032E313431, 0x032E323431, 0x032E333431,
    0x032E343431, 0x032E353431, 0x032E363431, 0x032E373431, 0x032E383431, 0x032E393431,
    0x032E303531, 0x032E313531, 0x032E323531, 0x032E333531, 0x032E343531, 0x032E353531,
    0x032E363531, 0x032E373531, 0x032E383531, 0x032E393531, 0x032E303631, 0x032E313631,
    0x032E323631, 0x032E333631, 0x032E343631, 0x032E353631, 0x032E363631, 0x032E373631,
    0x032E383631, 0x032E393631, 0x032E303731, 0x032E313731, 0x032E323731, 0x032E333731,
    0x032E343731, 0x032E353731, 0x032E363731, 0x032E373731, 0x032E383731, 0x032E393731,
    0x032E303831, 0x032E313831, 0x032E323831, 0x032E333831, 0x032E343831, 0x032E353831,
    0x032E363831, 0x032E373831, 0x032E383831, 0x032E393831, 0x032E303931, 0x032E313931,
    0x032E323931, 0x032E333931, 0x032E343931, 0x032E353931, 0x032E363931, 0x032E373931,
    0x032E383931, 0x032E393931, 0x032E303032, 0x032E313032, 0x032E323032, 0x032E333032,
    0x032E343032, 0x032E353032, 0x032E363032, 0x032E373032, 0x032E383032, 0x032E393032,
    0x032E303132, 0x032E313132, 0x032E323132, 0x032E333132, 0x032E343132, 0x032E353132,
    0x032E363132, 0x032E373132, 0x032E383132, 0x032E393132, 0x032E303232, 0x032E313232,
    0x032E323232, 0x032E333232, 0x032E343232, 0x032E353232, 0x032E363232, 0x032E373232,
    0x032E383232, 0x032E393232, 0x032E303332, 0x032E313332, 0x032E323332, 0x032E333332,
    0x032E343332, 0x032E353332, 0x032E363332, 0x032E373332, 0x032E383332, 0x032E393332,
    0x032E303432, 0x032E313432, 0x032E323432, 0x032E333432, 0x032E343432, 0x032E353432,
    0x032E363432, 0x032E373432, 0x032E383432, 0x032E393432, 0x032E303532, 0x032E313532,
    0x032E323532, 0x032E333532, 0x032E343532, 0x032E353532,
]

@inline(__always)
func appendIPv4<O: ByteOutput>(_ a: UInt32, to out: inout O) {
    // Four table lookups and four stores straight into the output: one
    // append per byte costs more than the digits.
    octetText.withUnsafeBufferPointer { table in
        out.put(upTo: 16) { p in
            var n = 0
            for shift in stride(from: 24, through: 0, by: -8) {
                let t = table[Int((a >> UInt32(shift)) & 0xFF)]
                UnsafeMutableRawPointer(p + n).storeBytes(of: UInt32(truncatingIfNeeded: t).littleEndian, as: UInt32.self)
                n += Int(t >> 32) + 1
            }
            return n - 1
        }
    }
}

/// "0123456789abcdef".
private let hexDigits: [UInt8] = [0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66]

@inline(__always)
func appendHex<O: ByteOutput>(_ w: UInt16, to out: inout O) {
    hexDigits.withUnsafeBufferPointer { hex in
        out.put(upTo: 4) { p in
            var n = 0
            var shift = 12
            while shift > 0 && (w >> UInt16(shift)) == 0 { shift -= 4 }
            while shift >= 0 {
                p[n] = hex[Int((w >> UInt16(shift)) & 0xF)]
                n += 1
                shift -= 4
            }
            return n
        }
    }
}

/// "00" to "99", two bytes each (`TextTableTests` checks every entry).
let digitPairs: [UInt8] = [
    48, 48, 48, 49, 48, 50, 48, 51, 48, 52, 48, 53, 48, 54, 48, 55, 48, 56, 48, 57,
    49, 48, 49, 49, 49, 50, 49, 51, 49, 52, 49, 53, 49, 54, 49, 55, 49, 56, 49, 57,
    50, 48, 50, 49, 50, 50, 50, 51, 50, 52, 50, 53, 50, 54, 50, 55, 50, 56, 50, 57,
    51, 48, 51, 49, 51, 50, 51, 51, 51, 52, 51, 53, 51, 54, 51, 55, 51, 56, 51, 57,
    52, 48, 52, 49, 52, 50, 52, 51, 52, 52, 52, 53, 52, 54, 52, 55, 52, 56, 52, 57,
    53, 48, 53, 49, 53, 50, 53, 51, 53, 52, 53, 53, 53, 54, 53, 55, 53, 56, 53, 57,
    54, 48, 54, 49, 54, 50, 54, 51, 54, 52, 54, 53, 54, 54, 54, 55, 54, 56, 54, 57,
    55, 48, 55, 49, 55, 50, 55, 51, 55, 52, 55, 53, 55, 54, 55, 55, 55, 56, 55, 57,
    56, 48, 56, 49, 56, 50, 56, 51, 56, 52, 56, 53, 56, 54, 56, 55, 56, 56, 56, 57,
    57, 48, 57, 49, 57, 50, 57, 51, 57, 52, 57, 53, 57, 54, 57, 55, 57, 56, 57, 57,
]

/// Appends the decimal digits of `value` without creating a String.
@inline(__always)
public func appendDecimal<T: BinaryInteger, O: ByteOutput>(_ value: T, to out: inout O) {
    if value < 0 {
        out.put(UInt8(ascii: "-"))
        appendDecimal(UInt64(value.magnitude), to: &out)
        return
    }
    var v = UInt64(value)
    if v < 10 { out.put(UInt8(truncatingIfNeeded: v) &+ 48); return }
    var digits = 2
    var t = v
    while t >= 100 { t /= 100; digits += 2 }
    if t < 10 { digits -= 1 }
    // Two digits at a time from the right, straight into the output.
    digitPairs.withUnsafeBufferPointer { pairs in
        out.put(upTo: digits) { p in
            var i = digits
            while v >= 100 {
                let q = v / 100
                let r = Int(v &- q &* 100) &* 2
                i -= 2
                p[i] = pairs[r]
                p[i + 1] = pairs[r + 1]
                v = q
            }
            if v >= 10 {
                let r = Int(v) &* 2
                p[i - 2] = pairs[r]
                p[i - 1] = pairs[r + 1]
            } else {
                p[i - 1] = UInt8(truncatingIfNeeded: v) &+ 48
            }
            return digits
        }
    }
}

extension IPAddress: Codable {
    /// Encoded as its text form.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let a = IPAddress(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not an IP address"))
        }
        self = a
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
