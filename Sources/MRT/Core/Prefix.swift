/// An IP prefix. The address never has bits set past `length`.
public struct Prefix: Hashable, Sendable, Comparable {
    public let address: IPAddress
    public let length: UInt8

    /// Creates a prefix, clearing address bits past `length`.
    /// Returns nil when `length` is longer than the address family allows.
    public init?(address: IPAddress, length: UInt8) {
        guard length <= address.maxPrefixLength else { return nil }
        self.address = address.masked(to: length)
        self.length = length
    }

    /// Parses `a.b.c.d/n` or `x:y::/n`; a bare address is a host prefix.
    public init?(_ text: some StringProtocol) {
        let utf8 = text.utf8
        guard let slash = utf8.firstIndex(of: UInt8(ascii: "/")) else {
            guard let address = IPAddress(text) else { return nil }
            self.init(address: address, length: address.maxPrefixLength)
            return
        }
        let digits = utf8[utf8.index(after: slash)...]
        guard !digits.isEmpty, digits.count <= 3 else { return nil }
        var length = 0
        for d in digits {
            guard d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") else { return nil }
            length = length * 10 + Int(d - UInt8(ascii: "0"))
        }
        guard length <= 128, let address = IPAddress(Substring(text)[..<slash]) else { return nil }
        self.init(address: address, length: UInt8(length))
    }

    /// For callers that have already checked `length` against the family.
    @inline(__always)
    init(validLength length: UInt8, address: IPAddress) {
        self.address = address.masked(to: length)
        self.length = length
    }

    public var isIPv4: Bool { address.isIPv4 }

    /// True when `other` is this prefix or a more-specific of it.
    public func contains(_ other: Prefix) -> Bool {
        guard other.length >= length, other.address.isIPv4 == address.isIPv4 else { return false }
        return other.address.masked(to: length) == address
    }

    /// True when the two prefixes overlap (one covers the other).
    public func overlaps(_ other: Prefix) -> Bool { contains(other) || other.contains(self) }

    public static func < (lhs: Prefix, rhs: Prefix) -> Bool {
        lhs.address == rhs.address ? lhs.length < rhs.length : lhs.address < rhs.address
    }
}

extension Prefix: CustomStringConvertible {
    public var description: String {
        var out: [UInt8] = []
        appendText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func appendText<O: ByteOutput>(to out: inout O) {
        address.appendText(to: &out)
        out.put(UInt8(ascii: "/"))
        appendDecimal(length, to: &out)
    }
}

extension Prefix: Codable {
    /// Encoded as its text form.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let p = Prefix(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a prefix"))
        }
        self = p
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension Prefix {
    /// The last address inside the prefix (all host bits set).
    public var lastAddress: IPAddress {
        switch address {
        case .v4(let a):
            return .v4(length == 0 ? UInt32.max : a | (UInt32.max >> UInt32(length)))
        case .v6(let hi, let lo):
            if length == 0 { return .v6(.max, .max) }
            if length <= 64 { return .v6(length == 64 ? hi : hi | (UInt64.max >> UInt64(length)), .max) }
            return .v6(hi, length == 128 ? lo : lo | (UInt64.max >> UInt64(length - 64)))
        }
    }

    /// How many /24s (IPv4) or /48s (IPv6) the prefix spans, at least 1 for
    /// longer prefixes: the unit in which address space is weighed.
    public var slash24Equivalents: Double {
        let unit = isIPv4 ? 24 : 48
        let l = Int(length)
        return l >= unit ? 1 : Double(sign: .plus, exponent: unit - l, significand: 1)
    }
}
