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

private let mappedPrefix: [UInt8] = Array("::ffff:".utf8)
private let compatPrefix: [UInt8] = Array("::".utf8)

/// The text of each octet value, packed for one unaligned 4-byte store:
/// the digits and a "." after them in the low 4 bytes, the digit count above.
private let octetText: [UInt64] = (0..<256).map { (v: Int) -> UInt64 in
    let digits = Array(String(v).utf8) + [UInt8(ascii: ".")]
    var packed = UInt64(digits.count - 1) << 32
    for (i, d) in digits.enumerated() { packed |= UInt64(d) << UInt64(8 * i) }
    return packed
}

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

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

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

/// "00" to "99", two bytes each.
private let digitPairs: [UInt8] = (0..<100).flatMap { (v: Int) -> [UInt8] in
    [UInt8(truncatingIfNeeded: 48 + v / 10), UInt8(truncatingIfNeeded: 48 + v % 10)]
}

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
