/// TABLE_DUMP (RFC 6396 §4.2): one route of one peer.
public struct TableDumpEntry: Sendable {
    public var viewNumber: UInt16
    public var sequence: UInt16
    public var prefix: Prefix
    public var status: UInt8
    public var originatedTime: UInt32
    public var peerIP: IPAddress
    public var peerASN: UInt32
    /// When an attribute filter did not want the prefix, only the reachability
    /// attributes are decoded (`isComplete == false`).
    public var attributes: PathAttributes?
}

/// One peer of a PEER_INDEX_TABLE (RFC 6396 §4.3.1).
public struct PeerEntry: Hashable, Sendable {
    public var peerType: UInt8
    public var bgpID: IPAddress
    public var ip: IPAddress
    public var asn: UInt32
    public init(peerType: UInt8, bgpID: IPAddress, ip: IPAddress, asn: UInt32) {
        self.peerType = peerType
        self.bgpID = bgpID
        self.ip = ip
        self.asn = asn
    }
}

/// PEER_INDEX_TABLE (RFC 6396 §4.3.1).
public struct PeerIndexTable: Sendable {
    public var collectorBGPID: IPAddress
    public var viewName: String
    public var peers: [PeerEntry]
}

/// One RIB entry of a TABLE_DUMP_V2 RIB record (RFC 6396 §4.3.4, RFC 8050).
public struct RIBEntry: Sendable {
    public var peerIndex: UInt16
    public var peer: PeerEntry
    public var originatedTime: UInt32
    public var pathID: UInt32?
    public var attributes: PathAttributes?
}

/// A TABLE_DUMP_V2 RIB record: RIB_IPV4/IPV6_UNICAST/MULTICAST, RIB_GENERIC
/// and their ADD-PATH forms.
public struct RIBRecord: Sendable {
    public var sequence: UInt32
    public var afi: AFI
    public var safi: SAFI
    /// Nil for a RIB_GENERIC record whose AFI/SAFI is not a prefix list.
    public var prefix: Prefix?
    public var addPath: Bool
    public var entries: [RIBEntry]
}

/// BGP4MP_STATE_CHANGE(_AS4) (RFC 6396 §4.4.1).
public struct BGP4MPStateChange: Sendable {
    public var peerASN: UInt32
    public var localASN: UInt32
    public var interfaceIndex: UInt16
    public var afi: AFI
    public var peerIP: IPAddress
    public var localIP: IPAddress
    public var oldState: BGPState
    public var newState: BGPState
}

/// BGP4MP_MESSAGE and its AS4, LOCAL and ADD-PATH forms (RFC 6396 §4.4, RFC 8050).
public struct BGP4MPMessage: Sendable {
    public var peerASN: UInt32
    public var localASN: UInt32
    public var interfaceIndex: UInt16
    public var afi: AFI
    public var peerIP: IPAddress
    public var localIP: IPAddress
    public var isAS4: Bool
    /// A message the collector sent (the _LOCAL subtypes) rather than received.
    public var isLocal: Bool
    /// The NLRI carry ADD-PATH path identifiers (RFC 7911): by the subtype
    /// (RFC 8050), or, for a plain subtype, learned from the session.
    public var isAddPath: Bool
    /// How a plain subtype's message was found to be ADD-PATH; nil for the
    /// RFC 8050 subtypes and for plain messages.
    public var addPathSource: AddPathSource? = nil
    public var message: BGPMessage
}

/// How the decoder knew that a message of a plain BGP4MP subtype carries
/// ADD-PATH NLRI (BIRD writes them so).
public enum AddPathSource: String, Sendable {
    /// Both OPENs of the session are in the file and negotiated it (capability 69).
    case open
    /// The plain reading was invalid (a prefix length over the family's,
    /// bytes left over, repeated prefixes) and the ADD-PATH reading clean, in
    /// this message or an earlier one of the same session and family.
    case detected
}

public enum MRTRecordBody: Sendable {
    case tableDump(TableDumpEntry)
    case peerIndexTable(PeerIndexTable)
    case rib(RIBRecord)
    case stateChange(BGP4MPStateChange)
    case message(BGP4MPMessage)
    /// A type or subtype nkwatch does not decode; counted and reported.
    case unsupported(String)

    /// The "TYPE/SUBTYPE" of an unsupported record, else nil. Asked of the
    /// body in place: `if case .unsupported(let w) = record.body` copies the
    /// whole body first (a retain and a release of each of its parts).
    @inline(__always)
    public var unsupportedName: String? {
        if case .unsupported(let what) = self { return what }
        return nil
    }
}

/// A decoded MRT record.
public struct MRTRecord: Sendable {
    public var header: MRTCommonHeader
    /// Offset of the record in the decompressed stream.
    public var offset: Int
    public var body: MRTRecordBody
    /// Damage inside the record that did not stop it from being decoded: an
    /// NLRI list cut short keeps the prefixes before the damage.
    public var problems: [MRTError] = []
}
