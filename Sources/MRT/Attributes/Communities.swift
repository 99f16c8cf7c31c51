/// A COMMUNITIES member (RFC 1997): 4 octets, conventionally `ASN:value`.
public struct Community: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(asn: UInt16, value: UInt16) { rawValue = UInt32(asn) << 16 | UInt32(value) }
    public var asn: UInt16 { UInt16(rawValue >> 16) }
    public var value: UInt16 { UInt16(rawValue & 0xFFFF) }

    public static let noExport = Community(rawValue: 0xFFFF_FF01)
    public static let noAdvertise = Community(rawValue: 0xFFFF_FF02)
    public static let noExportSubconfed = Community(rawValue: 0xFFFF_FF03)

    /// The well-known names bgpdump prints, else `asn:value`.
    public var description: String {
        switch self {
        case .noExport: return "no-export"
        case .noAdvertise: return "no-advertise"
        case .noExportSubconfed: return "local-AS"
        default: return "\(asn):\(value)"
        }
    }
}

/// An EXTENDED_COMMUNITIES member (RFC 4360): 8 octets.
public struct ExtendedCommunity: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public var type: UInt8 { UInt8(rawValue >> 56) }
    public var subtype: UInt8 { UInt8((rawValue >> 48) & 0xFF) }

    /// `type:subtype:` then the value: `asn:local` for two- and four-octet AS
    /// specific types, `a.b.c.d:local` for IPv4-address specific, else hex.
    public var description: String {
        let t = type & 0x3F
        switch t {
        case 0x00:
            return "\(type):\(subtype):\((rawValue >> 32) & 0xFFFF):\(rawValue & 0xFFFF_FFFF)"
        case 0x01:
            return "\(type):\(subtype):\(IPAddress.v4(UInt32((rawValue >> 16) & 0xFFFF_FFFF))):\(rawValue & 0xFFFF)"
        case 0x02:
            return "\(type):\(subtype):\((rawValue >> 16) & 0xFFFF_FFFF):\(rawValue & 0xFFFF)"
        default:
            let v = rawValue & 0xFFFF_FFFF_FFFF
            let hex = String(v, radix: 16)
            return "\(type):\(subtype):0x" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        }
    }
}

/// A LARGE_COMMUNITIES member (RFC 8092): global administrator, two local data parts.
public struct LargeCommunity: Hashable, Sendable, CustomStringConvertible {
    public var globalAdministrator: UInt32
    public var localData1: UInt32
    public var localData2: UInt32
    public init(_ g: UInt32, _ l1: UInt32, _ l2: UInt32) {
        globalAdministrator = g
        localData1 = l1
        localData2 = l2
    }
    public var description: String { "\(globalAdministrator):\(localData1):\(localData2)" }
}
