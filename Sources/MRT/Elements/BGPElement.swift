/// The flattened, per-prefix view of MRT data that most users touch: one
/// element per prefix per announcement, withdrawal or RIB entry, plus one per
/// session state change.
/// What an element is. Its letters are bgpdump's, and every layer (dump,
/// JSON lines, the store's `events.kind`) spells it this one way.
public enum ElementKind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible, Codable {
    case rib, announce, withdraw, state

    /// bgpdump's letter: B, A, W, STATE.
    public var letter: String {
        switch self { case .rib: return "B"; case .announce: return "A"; case .withdraw: return "W"; case .state: return "STATE" }
    }

    public init?(letter: some StringProtocol) {
        guard let k = Self.allCases.first(where: { $0.letter == letter }) else { return nil }
        self = k
    }

    public var description: String { letter }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let k = ElementKind(letter: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not B, A, W or STATE"))
        }
        self = k
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(letter)
    }
}

public struct BGPElement: Sendable {
    public typealias Kind = ElementKind

    public var kind: Kind
    public var recordType: MRTType
    public var subtype: UInt16
    /// Seconds since the epoch (the MRT header time; for RIB dumps, the dump time).
    public var timestamp: UInt32
    /// Microseconds (extended-timestamp records), else 0.
    public var microseconds: UInt32
    /// The collector's peer: the BGP speaker the route came from.
    public var peerIP: IPAddress
    public var peerASN: UInt32
    /// Nil for state changes.
    public var prefix: Prefix?
    /// ADD-PATH path identifier.
    public var pathID: UInt32?
    /// The next hop that applies to this prefix: MP_REACH_NLRI's for
    /// multiprotocol NLRI, NEXT_HOP's for IPv4 NLRI; in RIB entries the
    /// MP_REACH_NLRI next hop when there is one, else NEXT_HOP.
    public var nextHop: IPAddress?
    /// Nil for withdrawals and state changes. When an attribute filter did
    /// not want the prefix, only the reachability attributes are there
    /// (`isComplete == false`).
    public var attributes: PathAttributes?
    public var oldState: BGPState
    public var newState: BGPState
    /// Sent by the collector (BGP4MP *_LOCAL subtypes).
    public var isLocal: Bool
    public var isAddPath: Bool
    /// For RIB entries: when the route was last changed.
    public var originatedTime: UInt32?
    /// Where the prefix came from: IPv4 NLRI field (nil) or MP_(UN)REACH_NLRI's AFI/SAFI.
    public var safi: SAFI

    /// Time in microseconds since the epoch.
    public var timeMicros: Int64 { Int64(timestamp) * 1_000_000 + Int64(microseconds) }

    /// True when this element came from a multiprotocol attribute (RFC 4760).
    public var fromMultiprotocol: Bool
}

extension MRTRecord {
    /// Appends this record's elements, in the order bgpdump prints them:
    /// IPv4 withdrawals, MP_UNREACH_NLRI withdrawals, IPv4 announcements,
    /// MP_REACH_NLRI announcements; RIB entries in entry order.
    public func appendElements(to out: inout [BGPElement]) {
        let h = header
        switch body {
        case .tableDump(let e):
            out.append(BGPElement(kind: .rib, recordType: h.type, subtype: h.subtype, timestamp: h.timestamp, microseconds: h.microseconds,
                                  peerIP: e.peerIP, peerASN: e.peerASN, prefix: e.prefix, pathID: nil,
                                  nextHop: e.attributes.flatMap(ribNextHop), attributes: e.attributes,
                                  oldState: .none, newState: .none, isLocal: false, isAddPath: false, originatedTime: e.originatedTime,
                                  safi: .unicast, fromMultiprotocol: false))
        case .rib(let rib):
            guard let prefix = rib.prefix else { return }
            for entry in rib.entries {
                out.append(BGPElement(kind: .rib, recordType: h.type, subtype: h.subtype, timestamp: h.timestamp, microseconds: h.microseconds,
                                      peerIP: entry.peer.ip, peerASN: entry.peer.asn, prefix: prefix, pathID: entry.pathID,
                                      nextHop: entry.attributes.flatMap(ribNextHop), attributes: entry.attributes,
                                      oldState: .none, newState: .none, isLocal: false, isAddPath: rib.addPath,
                                      originatedTime: entry.originatedTime, safi: rib.safi, fromMultiprotocol: false))
            }
        case .stateChange(let s):
            out.append(BGPElement(kind: .state, recordType: h.type, subtype: h.subtype, timestamp: h.timestamp, microseconds: h.microseconds,
                                  peerIP: s.peerIP, peerASN: s.peerASN, prefix: nil, pathID: nil, nextHop: nil, attributes: nil,
                                  oldState: s.oldState, newState: s.newState, isLocal: false, isAddPath: false,
                                  originatedTime: nil, safi: .unicast, fromMultiprotocol: false))
        case .message(let m):
            guard case .update(let u) = m.message else { return }
            func make(_ kind: BGPElement.Kind, _ n: NLRIEntry, nextHop: IPAddress?, attrs: PathAttributes?, safi: SAFI, mp: Bool) -> BGPElement {
                BGPElement(kind: kind, recordType: h.type, subtype: h.subtype, timestamp: h.timestamp, microseconds: h.microseconds,
                           peerIP: m.peerIP, peerASN: m.peerASN, prefix: n.prefix, pathID: n.pathID, nextHop: nextHop,
                           attributes: attrs, oldState: .none, newState: .none, isLocal: m.isLocal, isAddPath: m.isAddPath,
                           originatedTime: nil, safi: safi, fromMultiprotocol: mp)
            }
            let a = u.attributes
            for n in u.withdrawn { out.append(make(.withdraw, n, nextHop: nil, attrs: nil, safi: .unicast, mp: false)) }
            if let mp = a.mpUnreach {
                for n in mp.withdrawn { out.append(make(.withdraw, n, nextHop: nil, attrs: nil, safi: mp.safi, mp: true)) }
            }
            // RFC 7606 treat-as-withdraw: announcements become withdrawals.
            let announceKind: BGPElement.Kind = a.treatAsWithdraw ? .withdraw : .announce
            let attrs = a.treatAsWithdraw ? nil : a
            for n in u.announced {
                out.append(make(announceKind, n, nextHop: a.nextHop, attrs: attrs, safi: .unicast, mp: false))
            }
            if let mp = a.mpReach {
                for n in mp.nlri { out.append(make(announceKind, n, nextHop: mp.nextHop, attrs: attrs, safi: mp.safi, mp: true)) }
            }
        case .peerIndexTable, .unsupported:
            return
        }
    }

    /// The elements of this record.
    public var elements: [BGPElement] {
        var out: [BGPElement] = []
        appendElements(to: &out)
        return out
    }
}

@inline(__always)
func ribNextHop(_ a: PathAttributes) -> IPAddress? {
    a.mpReach?.nextHop ?? a.nextHop
}
