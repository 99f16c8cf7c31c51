/// BGP message type codes (RFC 4271 §4.1, RFC 2918).
public enum BGPMessageType {
    public static let open: UInt8 = 1
    public static let update: UInt8 = 2
    public static let notification: UInt8 = 3
    public static let keepalive: UInt8 = 4
    public static let routeRefresh: UInt8 = 5
}

/// A capability advertised in OPEN (RFC 5492).
public struct BGPCapability: Hashable, Sendable {
    public var code: UInt8
    public var value: [UInt8]

    public static let multiprotocol: UInt8 = 1
    public static let routeRefresh: UInt8 = 2
    public static let fourOctetAS: UInt8 = 65
    public static let addPath: UInt8 = 69

    /// The 4-octet AS number (RFC 6793 §3), when this is that capability.
    public var fourOctetASN: UInt32? {
        guard code == Self.fourOctetAS, value.count == 4 else { return nil }
        return UInt32(value[0]) << 24 | UInt32(value[1]) << 16 | UInt32(value[2]) << 8 | UInt32(value[3])
    }

    /// ADD-PATH tuples (RFC 7911 §4): AFI, SAFI, send/receive (1 receive, 2 send, 3 both).
    public var addPathTuples: [(afi: AFI, safi: SAFI, sendReceive: UInt8)]? {
        guard code == Self.addPath, value.count % 4 == 0 else { return nil }
        var out: [(afi: AFI, safi: SAFI, sendReceive: UInt8)] = []
        var i = 0
        while i + 3 < value.count {
            let afi = AFI(rawValue: UInt16(value[i]) << 8 | UInt16(value[i + 1]))
            out.append((afi, SAFI(rawValue: value[i + 2]), value[i + 3]))
            i += 4
        }
        return out
    }

    /// Multiprotocol AFI/SAFI (RFC 4760 §8).
    public var multiprotocol: (afi: AFI, safi: SAFI)? {
        guard code == Self.multiprotocol, value.count == 4 else { return nil }
        return (AFI(rawValue: UInt16(value[0]) << 8 | UInt16(value[1])), SAFI(rawValue: value[3]))
    }
}

/// OPEN (RFC 4271 §4.2), with RFC 9072 extended optional parameters.
public struct BGPOpen: Hashable, Sendable {
    /// The optional parameter type that carries capabilities (RFC 5492 §4).
    public static let capabilitiesParameter: UInt8 = 2
    public var version: UInt8
    public var myAS: UInt16
    public var holdTime: UInt16
    public var bgpIdentifier: IPAddress
    public var capabilities: [BGPCapability]
    /// Optional parameters other than capabilities: (type, value).
    public var otherParameters: [[UInt8]]

    /// The speaker's AS: the 4-octet AS capability when present, else `myAS`.
    public var asn: UInt32 { capabilities.lazy.compactMap(\.fourOctetASN).first ?? UInt32(myAS) }
}

/// NOTIFICATION (RFC 4271 §4.5).
public struct BGPNotification: Hashable, Sendable {
    public var code: UInt8
    public var subcode: UInt8
    public var data: [UInt8]
}

/// ROUTE-REFRESH (RFC 2918, RFC 7313 subtypes).
public struct BGPRouteRefresh: Hashable, Sendable {
    public var afi: AFI
    public var subtype: UInt8
    public var safi: SAFI
}

/// UPDATE (RFC 4271 §4.3).
public struct BGPUpdate: Sendable {
    public var withdrawn: [NLRIEntry]
    public var attributes: PathAttributes
    public var announced: [NLRIEntry]
}

public enum BGPMessage: Sendable {
    case open(BGPOpen)
    case update(BGPUpdate)
    case notification(BGPNotification)
    case keepalive
    case routeRefresh(BGPRouteRefresh)
    case unknown(type: UInt8, body: [UInt8])
}

/// Decides, from the prefixes of a message, whether its attributes are wanted.
public typealias AttributeFilter = @Sendable (Prefix) -> Bool

enum BGPMessageDecoder {

    /// Decodes one BGP message: marker, length, type, body.
    static func decode(_ r: inout ByteReader, asnLength: Int, addPath: Bool, record: String?,
                       filter: AttributeFilter?, problems: inout [MRTError]) throws(MRTError) -> BGPMessage {
        let at = r.offset
        guard r.remaining >= 19 else {
            throw MRTError(.badMessageLength, offset: at, record: record, "BGP message header needs 19 bytes, \(r.remaining) remain")
        }
        for i in 0..<16 where r.peek(i) != 0xFF {
            throw MRTError(.badMarker, offset: at + i, record: record, "BGP marker byte \(i) is not 0xFF")
        }
        _ = r.skip(16)
        let length = Int(r.readUInt16() ?? 0)
        let type = r.readUInt8() ?? 0
        guard length >= 19 else {
            throw MRTError(.badMessageLength, offset: at + 16, record: record, "BGP message length \(length) is below the minimum of 19")
        }
        guard var body = r.readSlice(length - 19) else {
            throw MRTError(.badMessageLength, offset: at + 16, record: record,
                           "BGP message length \(length) runs past the record (\(r.remaining + 19) bytes present)")
        }
        switch type {
        case BGPMessageType.open:
            return .open(try decodeOpen(&body, record: record))
        case BGPMessageType.update:
            return .update(try decodeUpdate(&body, asnLength: asnLength, addPath: addPath, record: record, filter: filter, problems: &problems))
        case BGPMessageType.notification:
            guard let c = body.readUInt8(), let s = body.readUInt8() else {
                throw MRTError(.badMessageLength, offset: body.offset, record: record, "NOTIFICATION is shorter than 2 bytes")
            }
            return .notification(BGPNotification(code: c, subcode: s, data: body.rest()))
        case BGPMessageType.keepalive:
            return .keepalive
        case BGPMessageType.routeRefresh:
            guard let afi = body.readUInt16(), let sub = body.readUInt8(), let safi = body.readUInt8() else {
                throw MRTError(.badMessageLength, offset: body.offset, record: record, "ROUTE-REFRESH is shorter than 4 bytes")
            }
            return .routeRefresh(BGPRouteRefresh(afi: AFI(rawValue: afi), subtype: sub, safi: SAFI(rawValue: safi)))
        default:
            return .unknown(type: type, body: body.rest())
        }
    }

    static func decodeOpen(_ r: inout ByteReader, record: String?) throws(MRTError) -> BGPOpen {
        let at = r.offset
        guard let version = r.readUInt8(), let myAS = r.readUInt16(), let hold = r.readUInt16(),
              let id = r.readIPv4(), let optLen8 = r.readUInt8() else {
            throw MRTError(.badMessageLength, offset: at, record: record, "OPEN is shorter than 10 bytes")
        }
        var optLen = Int(optLen8)
        var extendedParams = false
        // RFC 9072: length 255 followed by type 255 means 2-octet lengths follow.
        if optLen8 == 255, r.peek() == 255 {
            _ = r.readUInt8()
            guard let l = r.readUInt16() else { throw MRTError.short("OPEN extended parameter length", at: r.offset, record: record) }
            optLen = Int(l)
            extendedParams = true
        }
        guard var params = r.readSlice(optLen) else {
            throw MRTError(.badMessageLength, offset: at + 9, record: record, "OPEN optional parameters of \(optLen) bytes run past the message")
        }
        var caps: [BGPCapability] = []
        var other: [[UInt8]] = []
        while !params.isAtEnd {
            let pat = params.offset
            guard let ptype = params.readUInt8(),
                  let plen = extendedParams ? params.readUInt16().map(Int.init) : params.readUInt8().map(Int.init),
                  var pval = params.readSlice(plen) else {
                throw MRTError(.badMessageLength, offset: pat, record: record, "OPEN optional parameter is cut short")
            }
            if ptype == BGPOpen.capabilitiesParameter {
                while !pval.isAtEnd {
                    let cat = pval.offset
                    guard let code = pval.readUInt8(), let clen = pval.readUInt8(), let cval = pval.readBytes(Int(clen)) else {
                        throw MRTError(.badMessageLength, offset: cat, record: record, "OPEN capability is cut short")
                    }
                    caps.append(BGPCapability(code: code, value: cval))
                }
            } else {
                other.append([ptype] + pval.rest())
            }
        }
        return BGPOpen(version: version, myAS: myAS, holdTime: hold, bgpIdentifier: id, capabilities: caps, otherParameters: other)
    }

    static func decodeUpdate(_ r: inout ByteReader, asnLength: Int, addPath: Bool, record: String?,
                             filter: AttributeFilter?, problems: inout [MRTError]) throws(MRTError) -> BGPUpdate {
        let at = r.offset
        guard let wlen = r.readUInt16() else { throw MRTError.short("UPDATE withdrawn routes length", at: at, record: record) }
        guard var wr = r.readSlice(Int(wlen)) else {
            throw MRTError(.badMessageLength, offset: at, record: record, "UPDATE withdrawn routes length \(wlen) runs past the message")
        }
        var withdrawn: [NLRIEntry] = []
        NLRI.readList(&wr, afi: .ipv4, addPath: addPath, record: record, into: &withdrawn, problems: &problems)
        let aat = r.offset
        guard let alen = r.readUInt16() else { throw MRTError.short("UPDATE path attribute length", at: aat, record: record) }
        guard let ar = r.readSlice(Int(alen)) else {
            throw MRTError(.attributeOverrun, offset: aat, record: record, "UPDATE total path attribute length \(alen) runs past the message")
        }
        var announced: [NLRIEntry] = []
        NLRI.readList(&r, afi: .ipv4, addPath: addPath, record: record, into: &announced, problems: &problems)
        let context = AttributeContext(asnLength: asnLength, addPath: addPath, inRIB: false, record: record)
        var attributes = try PathAttributes.decode(ar, context: context, full: filter == nil, problems: &problems)
        if let filter, !attributes.isComplete {
            var wanted = announced.contains { filter($0.prefix) }
            if !wanted, let mp = attributes.mpReach { wanted = mp.nlri.contains { filter($0.prefix) } }
            if wanted {
                var again: [MRTError] = []
                attributes = try PathAttributes.decode(ar, context: context, full: true, problems: &again)
            }
        }
        return BGPUpdate(withdrawn: withdrawn, attributes: attributes, announced: announced)
    }
}
