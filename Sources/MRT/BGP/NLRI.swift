/// Address Family Identifier (RFC 4760). Unknown values are data.
public struct AFI: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let ipv4 = AFI(rawValue: 1)
    public static let ipv6 = AFI(rawValue: 2)
    public var description: String { self == .ipv4 ? "IPv4" : self == .ipv6 ? "IPv6" : "AFI_\(rawValue)" }
    /// IPv4 or IPv6: the families whose prefixes nkwatch decodes.
    public var isIP: Bool { self == .ipv4 || self == .ipv6 }
}

/// Subsequent Address Family Identifier (RFC 4760). Unknown values are data.
public struct SAFI: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let unicast = SAFI(rawValue: 1)
    public static let multicast = SAFI(rawValue: 2)
    /// Deprecated "unicast and multicast" (RFC 4760 §9 reserved it; old dumps use it).
    public static let unicastMulticast = SAFI(rawValue: 3)
    public var description: String {
        switch rawValue { case 1: return "unicast"; case 2: return "multicast"; case 3: return "unicast+multicast"; default: return "SAFI_\(rawValue)" }
    }
    /// The SAFIs whose NLRI is a plain prefix list that nkwatch decodes.
    public var isPrefixList: Bool { rawValue >= 1 && rawValue <= 3 }
}

/// One NLRI entry: a prefix and, with ADD-PATH (RFC 7911), its path identifier.
public struct NLRIEntry: Hashable, Sendable {
    public var prefix: Prefix
    public var pathID: UInt32?
    public init(prefix: Prefix, pathID: UInt32? = nil) {
        self.prefix = prefix
        self.pathID = pathID
    }
}

enum NLRI {
    /// Reads one prefix in the RFC 4271 §4.3 encoding (length in bits, then
    /// the minimum number of octets). Bits past the length are masked.
    @inline(__always)
    static func readPrefix(_ r: inout ByteReader, afi: AFI, record: String?) throws(MRTError) -> Prefix {
        let at = r.offset
        guard let bits = r.readUInt8() else { throw MRTError.short("prefix length", at: at, record: record) }
        let maxBits: UInt8 = afi == .ipv6 ? 128 : 32
        guard bits <= maxBits else {
            throw MRTError(.badPrefixLength, offset: at, record: record,
                           "prefix length \(bits) exceeds \(maxBits) for \(afi)")
        }
        let nbytes = (Int(bits) + 7) / 8
        guard r.remaining >= nbytes else {
            throw MRTError(.shortBody, offset: at, record: record,
                           "prefix of length \(bits) needs \(nbytes) bytes, \(r.remaining) remain")
        }
        let address: IPAddress
        if afi == .ipv6 {
            var hi: UInt64 = 0, lo: UInt64 = 0
            for i in 0..<nbytes {
                let b = UInt64(r.readUInt8() ?? 0)
                if i < 8 { hi |= b << UInt64(56 - 8 * i) } else { lo |= b << UInt64(56 - 8 * (i - 8)) }
            }
            address = .v6(hi, lo)
        } else {
            var v: UInt32 = 0
            for i in 0..<nbytes { v |= UInt32(r.readUInt8() ?? 0) << UInt32(24 - 8 * i) }
            address = .v4(v)
        }
        return Prefix(validLength: bits, address: address)
    }

    /// Reads NLRI entries until the reader is exhausted. A damaged entry (a
    /// prefix cut short or longer than the family allows) ends the list: the
    /// entries before it are kept and the damage is added to `problems`.
    static func readList(_ r: inout ByteReader, afi: AFI, addPath: Bool, record: String?,
                         into out: inout [NLRIEntry], problems: inout [MRTError]) {
        // Room for the usual prefix sizes (a /24 takes 4 bytes, a /48 7)
        // at once, instead of growing from empty.
        if !r.isAtEnd {
            out.reserveCapacity(out.count + r.remaining / ((afi == .ipv6 ? 7 : 4) + (addPath ? 4 : 0)) + 1)
        }
        while !r.isAtEnd {
            var pathID: UInt32? = nil
            if addPath {
                let at = r.offset
                guard let id = r.readUInt32() else {
                    problems.append(MRTError.short("ADD-PATH path identifier", at: at, record: record))
                    return
                }
                pathID = id
            }
            do throws(MRTError) {
                let prefix = try readPrefix(&r, afi: afi, record: record)
                out.append(NLRIEntry(prefix: prefix, pathID: pathID))
            } catch {
                problems.append(error)
                return
            }
        }
    }
}
