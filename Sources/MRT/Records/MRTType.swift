/// MRT record type (RFC 6396 §4). Unknown codes are kept as data.
public struct MRTType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let ospfV2 = MRTType(rawValue: 11)
    public static let tableDump = MRTType(rawValue: 12)
    public static let tableDumpV2 = MRTType(rawValue: 13)
    public static let bgp4mp = MRTType(rawValue: 16)
    public static let bgp4mpET = MRTType(rawValue: 17)
    public static let isis = MRTType(rawValue: 32)
    public static let isisET = MRTType(rawValue: 33)
    public static let ospfV3 = MRTType(rawValue: 48)
    public static let ospfV3ET = MRTType(rawValue: 49)

    /// True for the types whose header carries a microsecond field.
    public var hasExtendedTimestamp: Bool { self == .bgp4mpET || self == .isisET || self == .ospfV3ET }

    public var description: String {
        switch self {
        case .ospfV2: return "OSPFv2"
        case .tableDump: return "TABLE_DUMP"
        case .tableDumpV2: return "TABLE_DUMP_V2"
        case .bgp4mp: return "BGP4MP"
        case .bgp4mpET: return "BGP4MP_ET"
        case .isis: return "ISIS"
        case .isisET: return "ISIS_ET"
        case .ospfV3: return "OSPFv3"
        case .ospfV3ET: return "OSPFv3_ET"
        default: return "TYPE_\(rawValue)"
        }
    }
}

/// TABLE_DUMP_V2 subtypes (RFC 6396 §4.3, RFC 8050).
public enum TableDumpV2Subtype {
    /// The address family, SAFI and ADD-PATH form of the AFI/SAFI-specific RIB
    /// subtypes (RIB_IPV4_UNICAST … RIB_IPV6_MULTICAST_ADDPATH); nil for the
    /// others (RIB_GENERIC carries its AFI and SAFI in the record).
    public struct RIBForm: Hashable, Sendable {
        public var afi: AFI
        public var safi: SAFI
        public var addPath: Bool
    }

    public static func ribForm(_ s: UInt16) -> RIBForm? {
        switch s {
        case ribIPv4Unicast: return RIBForm(afi: .ipv4, safi: .unicast, addPath: false)
        case ribIPv4Multicast: return RIBForm(afi: .ipv4, safi: .multicast, addPath: false)
        case ribIPv6Unicast: return RIBForm(afi: .ipv6, safi: .unicast, addPath: false)
        case ribIPv6Multicast: return RIBForm(afi: .ipv6, safi: .multicast, addPath: false)
        case ribIPv4UnicastAddPath: return RIBForm(afi: .ipv4, safi: .unicast, addPath: true)
        case ribIPv4MulticastAddPath: return RIBForm(afi: .ipv4, safi: .multicast, addPath: true)
        case ribIPv6UnicastAddPath: return RIBForm(afi: .ipv6, safi: .unicast, addPath: true)
        case ribIPv6MulticastAddPath: return RIBForm(afi: .ipv6, safi: .multicast, addPath: true)
        default: return nil
        }
    }

    public static let peerIndexTable: UInt16 = 1
    public static let ribIPv4Unicast: UInt16 = 2
    public static let ribIPv4Multicast: UInt16 = 3
    public static let ribIPv6Unicast: UInt16 = 4
    public static let ribIPv6Multicast: UInt16 = 5
    public static let ribGeneric: UInt16 = 6
    public static let geoPeerTable: UInt16 = 7
    public static let ribIPv4UnicastAddPath: UInt16 = 8
    public static let ribIPv4MulticastAddPath: UInt16 = 9
    public static let ribIPv6UnicastAddPath: UInt16 = 10
    public static let ribIPv6MulticastAddPath: UInt16 = 11
    public static let ribGenericAddPath: UInt16 = 12

    public static func name(_ s: UInt16) -> String {
        switch s {
        case 1: return "PEER_INDEX_TABLE"
        case 2: return "RIB_IPV4_UNICAST"
        case 3: return "RIB_IPV4_MULTICAST"
        case 4: return "RIB_IPV6_UNICAST"
        case 5: return "RIB_IPV6_MULTICAST"
        case 6: return "RIB_GENERIC"
        case 7: return "GEO_PEER_TABLE"
        case 8: return "RIB_IPV4_UNICAST_ADDPATH"
        case 9: return "RIB_IPV4_MULTICAST_ADDPATH"
        case 10: return "RIB_IPV6_UNICAST_ADDPATH"
        case 11: return "RIB_IPV6_MULTICAST_ADDPATH"
        case 12: return "RIB_GENERIC_ADDPATH"
        default: return "SUBTYPE_\(s)"
        }
    }
}

/// BGP4MP and BGP4MP_ET subtypes (RFC 6396 §4.4, RFC 8050).
public enum BGP4MPSubtype {
    /// What a BGP4MP_MESSAGE subtype says about the message it carries: AS
    /// numbers of 4 octets (the _AS4 forms), sent by the collector (the
    /// _LOCAL forms), NLRI with ADD-PATH path identifiers (RFC 8050's
    /// _ADDPATH forms). Nil for subtypes that are not messages.
    public struct MessageForm: Hashable, Sendable {
        public var as4: Bool
        public var local: Bool
        public var addPath: Bool
        public var asnLength: Int { as4 ? 4 : 2 }
    }

    public static func messageForm(_ s: UInt16) -> MessageForm? {
        switch s {
        case message: return MessageForm(as4: false, local: false, addPath: false)
        case messageAS4: return MessageForm(as4: true, local: false, addPath: false)
        case messageLocal: return MessageForm(as4: false, local: true, addPath: false)
        case messageAS4Local: return MessageForm(as4: true, local: true, addPath: false)
        case messageAddPath: return MessageForm(as4: false, local: false, addPath: true)
        case messageAS4AddPath: return MessageForm(as4: true, local: false, addPath: true)
        case messageLocalAddPath: return MessageForm(as4: false, local: true, addPath: true)
        case messageAS4LocalAddPath: return MessageForm(as4: true, local: true, addPath: true)
        default: return nil
        }
    }

    public static let stateChange: UInt16 = 0
    public static let message: UInt16 = 1
    public static let entry: UInt16 = 2
    public static let snapshot: UInt16 = 3
    public static let messageAS4: UInt16 = 4
    public static let stateChangeAS4: UInt16 = 5
    public static let messageLocal: UInt16 = 6
    public static let messageAS4Local: UInt16 = 7
    public static let messageAddPath: UInt16 = 8
    public static let messageAS4AddPath: UInt16 = 9
    public static let messageLocalAddPath: UInt16 = 10
    public static let messageAS4LocalAddPath: UInt16 = 11

    public static func name(_ s: UInt16) -> String {
        switch s {
        case 0: return "STATE_CHANGE"
        case 1: return "MESSAGE"
        case 2: return "ENTRY"
        case 3: return "SNAPSHOT"
        case 4: return "MESSAGE_AS4"
        case 5: return "STATE_CHANGE_AS4"
        case 6: return "MESSAGE_LOCAL"
        case 7: return "MESSAGE_AS4_LOCAL"
        case 8: return "MESSAGE_ADDPATH"
        case 9: return "MESSAGE_AS4_ADDPATH"
        case 10: return "MESSAGE_LOCAL_ADDPATH"
        case 11: return "MESSAGE_AS4_LOCAL_ADDPATH"
        default: return "SUBTYPE_\(s)"
        }
    }
}

/// TABLE_DUMP (v1) subtypes: the AFI of the entry.
public enum TableDumpSubtype {
    public static let afiIPv4: UInt16 = 1
    public static let afiIPv6: UInt16 = 2
}

/// The MRT common header (RFC 6396 §2, §3 for the extended-timestamp form).
public struct MRTCommonHeader: Hashable, Sendable {
    public var timestamp: UInt32
    public var type: MRTType
    public var subtype: UInt16
    /// Length of the body that follows the header (for ET types, without the
    /// microsecond field, which the wire length includes).
    public var length: UInt32
    /// Microseconds for extended-timestamp types, else 0.
    public var microseconds: UInt32

    public init(timestamp: UInt32, type: MRTType, subtype: UInt16, length: UInt32, microseconds: UInt32 = 0) {
        self.timestamp = timestamp
        self.type = type
        self.subtype = subtype
        self.length = length
        self.microseconds = microseconds
    }

    /// "TYPE/SUBTYPE", for messages. The known combinations are string
    /// literals: every record is named once per decode, on every worker
    /// thread, and a literal is never retained or released, where a name
    /// built at run time (a table of them, as before) was an object whose
    /// reference count the threads updated in turn, a cache line going from
    /// core to core for every record (`TextTableTests.recordNames` checks the literals
    /// against `computeName`).
    public var recordName: String {
        Self.literalName(type: type.rawValue, subtype: subtype) ?? Self.computeName(type: type, subtype: subtype)
    }

    static func literalName(type: UInt16, subtype: UInt16) -> String? {
        switch (type, subtype) {
        case (12, 1): return "TABLE_DUMP/AFI_IPv4"
        case (12, 2): return "TABLE_DUMP/AFI_IPv6"
        case (13, 1): return "TABLE_DUMP_V2/PEER_INDEX_TABLE"
        case (13, 2): return "TABLE_DUMP_V2/RIB_IPV4_UNICAST"
        case (13, 3): return "TABLE_DUMP_V2/RIB_IPV4_MULTICAST"
        case (13, 4): return "TABLE_DUMP_V2/RIB_IPV6_UNICAST"
        case (13, 5): return "TABLE_DUMP_V2/RIB_IPV6_MULTICAST"
        case (13, 6): return "TABLE_DUMP_V2/RIB_GENERIC"
        case (13, 7): return "TABLE_DUMP_V2/GEO_PEER_TABLE"
        case (13, 8): return "TABLE_DUMP_V2/RIB_IPV4_UNICAST_ADDPATH"
        case (13, 9): return "TABLE_DUMP_V2/RIB_IPV4_MULTICAST_ADDPATH"
        case (13, 10): return "TABLE_DUMP_V2/RIB_IPV6_UNICAST_ADDPATH"
        case (13, 11): return "TABLE_DUMP_V2/RIB_IPV6_MULTICAST_ADDPATH"
        case (13, 12): return "TABLE_DUMP_V2/RIB_GENERIC_ADDPATH"
        case (16, 0): return "BGP4MP/STATE_CHANGE"
        case (16, 1): return "BGP4MP/MESSAGE"
        case (16, 2): return "BGP4MP/ENTRY"
        case (16, 3): return "BGP4MP/SNAPSHOT"
        case (16, 4): return "BGP4MP/MESSAGE_AS4"
        case (16, 5): return "BGP4MP/STATE_CHANGE_AS4"
        case (16, 6): return "BGP4MP/MESSAGE_LOCAL"
        case (16, 7): return "BGP4MP/MESSAGE_AS4_LOCAL"
        case (16, 8): return "BGP4MP/MESSAGE_ADDPATH"
        case (16, 9): return "BGP4MP/MESSAGE_AS4_ADDPATH"
        case (16, 10): return "BGP4MP/MESSAGE_LOCAL_ADDPATH"
        case (16, 11): return "BGP4MP/MESSAGE_AS4_LOCAL_ADDPATH"
        case (17, 0): return "BGP4MP_ET/STATE_CHANGE"
        case (17, 1): return "BGP4MP_ET/MESSAGE"
        case (17, 2): return "BGP4MP_ET/ENTRY"
        case (17, 3): return "BGP4MP_ET/SNAPSHOT"
        case (17, 4): return "BGP4MP_ET/MESSAGE_AS4"
        case (17, 5): return "BGP4MP_ET/STATE_CHANGE_AS4"
        case (17, 6): return "BGP4MP_ET/MESSAGE_LOCAL"
        case (17, 7): return "BGP4MP_ET/MESSAGE_AS4_LOCAL"
        case (17, 8): return "BGP4MP_ET/MESSAGE_ADDPATH"
        case (17, 9): return "BGP4MP_ET/MESSAGE_AS4_ADDPATH"
        case (17, 10): return "BGP4MP_ET/MESSAGE_LOCAL_ADDPATH"
        case (17, 11): return "BGP4MP_ET/MESSAGE_AS4_LOCAL_ADDPATH"
        default: return nil
        }
    }

    static func computeName(type: MRTType, subtype: UInt16) -> String {
        switch type {
        case .tableDumpV2: return "\(type)/\(TableDumpV2Subtype.name(subtype))"
        case .bgp4mp, .bgp4mpET: return "\(type)/\(BGP4MPSubtype.name(subtype))"
        case .tableDump: return subtype == 2 ? "TABLE_DUMP/AFI_IPv6" : subtype == 1 ? "TABLE_DUMP/AFI_IPv4" : "TABLE_DUMP/SUBTYPE_\(subtype)"
        default: return "\(type)/\(subtype)"
        }
    }

    /// Size of the header on the wire.
    public var wireHeaderLength: Int { type.hasExtendedTimestamp ? 16 : 12 }
}
