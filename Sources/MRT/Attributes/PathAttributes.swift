/// ORIGIN (RFC 4271 §5.1.1). Unknown codes are data.
public struct Origin: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let igp = Origin(rawValue: 0)
    public static let egp = Origin(rawValue: 1)
    public static let incomplete = Origin(rawValue: 2)
    public var description: String { rawValue == 0 ? "IGP" : rawValue == 1 ? "EGP" : "INCOMPLETE" }
}

/// AGGREGATOR (RFC 4271 §5.1.7) and AS4_AGGREGATOR (RFC 6793).
public struct Aggregator: Hashable, Sendable {
    public var asn: UInt32
    public var address: IPAddress
    public init(asn: UInt32, address: IPAddress) {
        self.asn = asn
        self.address = address
    }
}

/// Path attribute type codes (IANA "BGP Path Attributes").
public struct AttributeType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let origin = AttributeType(rawValue: 1)
    public static let asPath = AttributeType(rawValue: 2)
    public static let nextHop = AttributeType(rawValue: 3)
    public static let multiExitDisc = AttributeType(rawValue: 4)
    public static let localPref = AttributeType(rawValue: 5)
    public static let atomicAggregate = AttributeType(rawValue: 6)
    public static let aggregator = AttributeType(rawValue: 7)
    public static let communities = AttributeType(rawValue: 8)
    public static let originatorID = AttributeType(rawValue: 9)
    public static let clusterList = AttributeType(rawValue: 10)
    public static let mpReachNLRI = AttributeType(rawValue: 14)
    public static let mpUnreachNLRI = AttributeType(rawValue: 15)
    public static let extendedCommunities = AttributeType(rawValue: 16)
    public static let as4Path = AttributeType(rawValue: 17)
    public static let as4Aggregator = AttributeType(rawValue: 18)
    public static let largeCommunities = AttributeType(rawValue: 32)
    public static let onlyToCustomer = AttributeType(rawValue: 35)

    /// A bit of its own for each attribute that reachability needs (NEXT_HOP,
    /// AS_PATH, AS4_PATH, MP_REACH_NLRI, MP_UNREACH_NLRI: what a partial
    /// decoding keeps), 0 for the others.
    @inline(__always)
    public var reachabilityBit: UInt8 {
        switch self {
        case .nextHop: return 1
        case .asPath: return 2
        case .as4Path: return 4
        case .mpReachNLRI: return 8
        case .mpUnreachNLRI: return 16
        default: return 0
        }
    }
}

/// Path attribute flag bits (RFC 4271 §4.3).
public enum AttributeFlags {
    public static let optional: UInt8 = 0x80
    public static let transitive: UInt8 = 0x40
    public static let partial: UInt8 = 0x20
    /// The length field is two octets.
    public static let extendedLength: UInt8 = 0x10
}

/// An attribute nkwatch does not decode, kept as it came.
public struct RawAttribute: Hashable, Sendable {
    public var flags: UInt8
    public var type: UInt8
    public var value: [UInt8]
    public init(flags: UInt8, type: UInt8, value: [UInt8]) {
        self.flags = flags
        self.type = type
        self.value = value
    }
}

/// MP_REACH_NLRI (RFC 4760 §3). In TABLE_DUMP_V2 RIB entries the attribute is
/// abbreviated to the next hop alone (RFC 6396 §4.3.4); `abbreviated` says so.
public struct MPReachNLRI: Hashable, Sendable {
    public var afi: AFI
    public var safi: SAFI
    public var nextHop: IPAddress?
    public var linkLocalNextHop: IPAddress?
    public var nlri: [NLRIEntry]
    public var abbreviated: Bool
    public init(afi: AFI, safi: SAFI, nextHop: IPAddress?, linkLocalNextHop: IPAddress? = nil, nlri: [NLRIEntry], abbreviated: Bool = false) {
        self.afi = afi
        self.safi = safi
        self.nextHop = nextHop
        self.linkLocalNextHop = linkLocalNextHop
        self.nlri = nlri
        self.abbreviated = abbreviated
    }
}

/// MP_UNREACH_NLRI (RFC 4760 §4).
public struct MPUnreachNLRI: Hashable, Sendable {
    public var afi: AFI
    public var safi: SAFI
    public var withdrawn: [NLRIEntry]
    public init(afi: AFI, safi: SAFI, withdrawn: [NLRIEntry]) {
        self.afi = afi
        self.safi = safi
        self.withdrawn = withdrawn
    }
}

/// How attributes are being decoded.
struct AttributeContext {
    var asnLength: Int
    var addPath: Bool
    /// Inside a TABLE_DUMP_V2 or TABLE_DUMP RIB entry (abbreviated MP_REACH allowed).
    var inRIB: Bool
    var record: String?
}

/// The path attributes of one UPDATE or RIB entry, shared by every element
/// made from it.
///
/// Problems inside an attribute follow RFC 7606: the attribute is dropped and
/// a warning recorded; where the RFC says "treat-as-withdraw",
/// `treatAsWithdraw` is set. Only a length that runs past the attribute block
/// makes the whole block unreadable.
public final class PathAttributes: Sendable {
    public let origin: Origin?
    public let asPath: ASPath?
    public let as4Path: ASPath?
    public let nextHop: IPAddress?
    public let multiExitDisc: UInt32?
    public let localPref: UInt32?
    public let atomicAggregate: Bool
    public let aggregator: Aggregator?
    public let as4Aggregator: Aggregator?
    public let communities: [Community]?
    public let originatorID: IPAddress?
    public let clusterList: [IPAddress]?
    public let mpReach: MPReachNLRI?
    public let mpUnreach: MPUnreachNLRI?
    public let extendedCommunities: [ExtendedCommunity]?
    public let largeCommunities: [LargeCommunity]?
    public let onlyToCustomer: UInt32?
    public let unknown: [RawAttribute]
    /// RFC 7606 problems that did not stop the decoding (codes
    /// `.duplicateAttribute`, `.attributeDiscarded`, `.treatAsWithdraw`).
    public let warnings: [MRTError]
    public let treatAsWithdraw: Bool
    /// False when only the reachability attributes (NEXT_HOP, AS_PATH,
    /// AS4_PATH, MP_REACH_NLRI, MP_UNREACH_NLRI) were decoded, because no
    /// prefix of the message was wanted.
    public let isComplete: Bool
    /// AS path after the RFC 6793 merge of AS_PATH and AS4_PATH.
    public let effectiveASPath: ASPath?
    /// Aggregator after the RFC 6793 merge of AGGREGATOR and AS4_AGGREGATOR.
    public let effectiveAggregator: Aggregator?

    /// Takes the builder's values out (moved, not copied: a message's
    /// attributes are built once per message, and copying the builder cost
    /// a retain and a release per field).
    init(_ b: inout Builder, asnLength: Int, complete: Bool) {
        // RFC 6793 §4.2.3, before the fields are moved out.
        var path = b.asPath
        var agg = b.aggregator
        if asnLength == 2 {
            var useAS4Path = true
            if let a = b.aggregator, let a4 = b.as4Aggregator {
                if a.asn == 23456 { agg = a4 } else { useAS4Path = false }
            }
            if useAS4Path, let p = b.asPath, let p4 = b.as4Path {
                path = ASPath.merge(asPath: p, as4Path: p4)
            }
        }
        effectiveASPath = path
        effectiveAggregator = agg
        origin = b.origin
        asPath = b.asPath.take()
        as4Path = b.as4Path.take()
        nextHop = b.nextHop
        multiExitDisc = b.med
        localPref = b.localPref
        atomicAggregate = b.atomicAggregate
        aggregator = b.aggregator
        as4Aggregator = b.as4Aggregator
        communities = b.communities.take()
        originatorID = b.originatorID
        clusterList = b.clusterList.take()
        mpReach = b.mpReach.take()
        mpUnreach = b.mpUnreach.take()
        extendedCommunities = b.extendedCommunities.take()
        largeCommunities = b.largeCommunities.take()
        onlyToCustomer = b.onlyToCustomer
        var none: [RawAttribute] = []
        swap(&none, &b.unknown)
        unknown = none
        var noWarnings: [MRTError] = []
        swap(&noWarnings, &b.warnings)
        warnings = noWarnings
        treatAsWithdraw = b.treatAsWithdraw
        isComplete = complete
    }

    /// The origin AS of the effective path.
    public var originASN: UInt32? { effectiveASPath?.originASN }

    struct Builder {
        var origin: Origin?
        var asPath: ASPath?
        var as4Path: ASPath?
        var nextHop: IPAddress?
        var med: UInt32?
        var localPref: UInt32?
        var atomicAggregate = false
        var aggregator: Aggregator?
        var as4Aggregator: Aggregator?
        var communities: [Community]?
        var originatorID: IPAddress?
        var clusterList: [IPAddress]?
        var mpReach: MPReachNLRI?
        var mpUnreach: MPUnreachNLRI?
        var extendedCommunities: [ExtendedCommunity]?
        var largeCommunities: [LargeCommunity]?
        var onlyToCustomer: UInt32?
        var unknown: [RawAttribute] = []
        var warnings: [MRTError] = []
        var treatAsWithdraw = false
        var seen: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        mutating func markSeen(_ type: UInt8) -> Bool {
            let bit = UInt64(1) << UInt64(type & 63)
            switch type >> 6 {
            case 0: if seen.0 & bit != 0 { return false }; seen.0 |= bit
            case 1: if seen.1 & bit != 0 { return false }; seen.1 |= bit
            case 2: if seen.2 & bit != 0 { return false }; seen.2 |= bit
            default: if seen.3 & bit != 0 { return false }; seen.3 |= bit
            }
            return true
        }
    }

    /// Decodes an attribute block. With `full == false` only what reachability
    /// needs is decoded — NEXT_HOP, AS_PATH, AS4_PATH, MP_REACH_NLRI and
    /// MP_UNREACH_NLRI — and the rest is skipped.
    static func decode(_ block: ByteReader, context: AttributeContext, full: Bool, problems: inout [MRTError]) throws(MRTError) -> PathAttributes {
        var r = block
        var b = Builder()
        let record = context.record
        while !r.isAtEnd {
            let at = r.offset
            guard let flags = r.readUInt8(), let typeCode = r.readUInt8() else {
                throw MRTError(.attributeOverrun, offset: at, record: record, "path attribute header is cut short")
            }
            let extended = flags & AttributeFlags.extendedLength != 0
            let lengthValue: Int?
            if extended { lengthValue = r.readUInt16().map(Int.init) } else { lengthValue = r.readUInt8().map(Int.init) }
            guard let length = lengthValue else {
                throw MRTError(.attributeOverrun, offset: at, record: record, "path attribute \(typeCode) length is cut short")
            }
            guard var v = r.readSlice(length) else {
                throw MRTError(.attributeOverrun, offset: at, record: record,
                               "path attribute \(typeCode) declares \(length) bytes, \(r.remaining) remain in the attribute block")
            }
            let type = AttributeType(rawValue: typeCode)
            if !full && type.reachabilityBit == 0 { continue }
            if !b.markSeen(typeCode) {
                b.warnings.append(MRTError(.duplicateAttribute, offset: at, record: record,
                                           "duplicate path attribute \(typeCode) ignored (RFC 7606 §3 g)"))
                continue
            }
            func warn(_ what: String, withdraw: Bool = false) {
                b.warnings.append(MRTError(withdraw ? .treatAsWithdraw : .attributeDiscarded, offset: at, record: record,
                                           "path attribute \(typeCode): \(what)"))
                if withdraw { b.treatAsWithdraw = true }
            }
            switch type {
            case .origin:
                if length == 1, let o = v.readUInt8() { b.origin = Origin(rawValue: o) } else { warn("ORIGIN length \(length) is not 1", withdraw: true) }
            case .asPath:
                do throws(MRTError) { b.asPath = try ASPath.decode(&v, asnLength: context.asnLength, record: record) } catch { warn(error.detail, withdraw: true) }
            case .as4Path:
                do throws(MRTError) { b.as4Path = try ASPath.decode(&v, asnLength: 4, record: record) } catch { warn(error.detail) }
            case .nextHop:
                if length == 4, let nh = v.readIPv4() { b.nextHop = nh } else { warn("NEXT_HOP length \(length) is not 4", withdraw: true) }
            case .multiExitDisc:
                if length == 4, let x = v.readUInt32() { b.med = x } else { warn("MULTI_EXIT_DISC length \(length) is not 4", withdraw: true) }
            case .localPref:
                if length == 4, let x = v.readUInt32() { b.localPref = x } else { warn("LOCAL_PREF length \(length) is not 4", withdraw: true) }
            case .atomicAggregate:
                b.atomicAggregate = true
                if length != 0 { warn("ATOMIC_AGGREGATE length \(length) is not 0") }
            case .aggregator:
                if length == 2 + 4 || length == 4 + 4 {
                    let asn = length == 8 ? (v.readUInt32() ?? 0) : UInt32(v.readUInt16() ?? 0)
                    if let a = v.readIPv4() { b.aggregator = Aggregator(asn: asn, address: a) }
                } else { warn("AGGREGATOR length \(length) is not 6 or 8") }
            case .as4Aggregator:
                if length == 8, let asn = v.readUInt32(), let a = v.readIPv4() { b.as4Aggregator = Aggregator(asn: asn, address: a) } else { warn("AS4_AGGREGATOR length \(length) is not 8") }
            case .communities:
                if length % 4 == 0 {
                    var list: [Community] = []
                    list.reserveCapacity(length / 4)
                    while let x = v.readUInt32() { list.append(Community(rawValue: x)) }
                    b.communities = list
                } else { warn("COMMUNITIES length \(length) is not a multiple of 4", withdraw: true) }
            case .originatorID:
                if length == 4, let a = v.readIPv4() { b.originatorID = a } else { warn("ORIGINATOR_ID length \(length) is not 4", withdraw: true) }
            case .clusterList:
                if length % 4 == 0 {
                    var list: [IPAddress] = []
                    while let a = v.readIPv4() { list.append(a) }
                    b.clusterList = list
                } else { warn("CLUSTER_LIST length \(length) is not a multiple of 4", withdraw: true) }
            case .mpReachNLRI:
                do throws(MRTError) { b.mpReach = try decodeMPReach(&v, context: context, problems: &problems) } catch { warn(error.detail, withdraw: true) }
            case .mpUnreachNLRI:
                do throws(MRTError) { b.mpUnreach = try decodeMPUnreach(&v, context: context, problems: &problems) } catch { warn(error.detail, withdraw: true) }
            case .extendedCommunities:
                if length % 8 == 0 {
                    var list: [ExtendedCommunity] = []
                    while let x = v.readUInt64() { list.append(ExtendedCommunity(rawValue: x)) }
                    b.extendedCommunities = list
                } else { warn("EXTENDED_COMMUNITIES length \(length) is not a multiple of 8", withdraw: true) }
            case .largeCommunities:
                if length % 12 == 0 {
                    var list: [LargeCommunity] = []
                    while let g = v.readUInt32(), let l1 = v.readUInt32(), let l2 = v.readUInt32() { list.append(LargeCommunity(g, l1, l2)) }
                    b.largeCommunities = list
                } else { warn("LARGE_COMMUNITIES length \(length) is not a multiple of 12", withdraw: true) }
            case .onlyToCustomer:
                if length == 4, let x = v.readUInt32() { b.onlyToCustomer = x } else { warn("ONLY_TO_CUSTOMER length \(length) is not 4", withdraw: true) }
            default:
                b.unknown.append(RawAttribute(flags: flags, type: typeCode, value: v.rest()))
            }
        }
        return PathAttributes(&b, asnLength: context.asnLength, complete: full)
    }

    static func decodeNextHop(_ r: inout ByteReader, length: Int, afi: AFI) -> (IPAddress?, IPAddress?) {
        switch length {
        case 4: return (r.readIPv4(), nil)
        case 16: return (r.readIPv6(), nil)
        case 32:
            let g = r.readIPv6()
            return (g, r.readIPv6())
        case 12: // RD + IPv4 (RFC 4364)
            _ = r.skip(8); return (r.readIPv4(), nil)
        case 24: // RD + IPv6 (RFC 4659)
            _ = r.skip(8); return (r.readIPv6(), nil)
        case 48:
            _ = r.skip(8); let g = r.readIPv6(); _ = r.skip(8); return (g, r.readIPv6())
        default:
            _ = r.skip(length); return (nil, nil)
        }
    }

    static func decodeMPReach(_ v: inout ByteReader, context: AttributeContext, problems: inout [MRTError]) throws(MRTError) -> MPReachNLRI {
        let at = v.offset
        // RFC 6396 §4.3.4: in RIB entries only the next-hop length and next hop
        // are kept. A full attribute starts with an AFI, whose high octet is 0.
        if context.inRIB, let first = v.peek(), first != 0 {
            let nhLen = Int(first)
            _ = v.readUInt8()
            guard v.remaining >= nhLen else { throw MRTError(.badAttribute, offset: at, record: context.record, "MP_REACH_NLRI next hop of \(nhLen) bytes is cut short") }
            let (nh, ll) = decodeNextHop(&v, length: nhLen, afi: nhLen == 4 ? .ipv4 : .ipv6)
            return MPReachNLRI(afi: nhLen == 4 ? .ipv4 : .ipv6, safi: .unicast, nextHop: nh, linkLocalNextHop: ll, nlri: [], abbreviated: true)
        }
        guard let afiRaw = v.readUInt16(), let safiRaw = v.readUInt8(), let nhLen8 = v.readUInt8() else {
            throw MRTError(.badAttribute, offset: at, record: context.record, "MP_REACH_NLRI header is cut short")
        }
        let afi = AFI(rawValue: afiRaw), safi = SAFI(rawValue: safiRaw)
        let nhLen = Int(nhLen8)
        guard v.remaining >= nhLen + 1 else {
            throw MRTError(.badAttribute, offset: at, record: context.record, "MP_REACH_NLRI next hop of \(nhLen) bytes is cut short")
        }
        let (nh, ll) = decodeNextHop(&v, length: nhLen, afi: afi)
        // Reserved octet (formerly the SNPA count, RFC 2858); skip any SNPAs.
        var snpas = Int(v.readUInt8() ?? 0)
        while snpas > 0 {
            guard let l = v.readUInt8(), v.skip((Int(l) + 1) / 2) else {
                throw MRTError(.badAttribute, offset: at, record: context.record, "MP_REACH_NLRI SNPA list is cut short")
            }
            snpas -= 1
        }
        var nlri: [NLRIEntry] = []
        if afi.isIP && safi.isPrefixList {
            NLRI.readList(&v, afi: afi, addPath: context.addPath, record: context.record, into: &nlri, problems: &problems)
        }
        return MPReachNLRI(afi: afi, safi: safi, nextHop: nh, linkLocalNextHop: ll, nlri: nlri, abbreviated: false)
    }

    static func decodeMPUnreach(_ v: inout ByteReader, context: AttributeContext, problems: inout [MRTError]) throws(MRTError) -> MPUnreachNLRI {
        let at = v.offset
        guard let afiRaw = v.readUInt16(), let safiRaw = v.readUInt8() else {
            throw MRTError(.badAttribute, offset: at, record: context.record, "MP_UNREACH_NLRI header is cut short")
        }
        let afi = AFI(rawValue: afiRaw), safi = SAFI(rawValue: safiRaw)
        var nlri: [NLRIEntry] = []
        if afi.isIP && safi.isPrefixList {
            NLRI.readList(&v, afi: afi, addPath: context.addPath, record: context.record, into: &nlri, problems: &problems)
        }
        return MPUnreachNLRI(afi: afi, safi: safi, withdrawn: nlri)
    }
}
