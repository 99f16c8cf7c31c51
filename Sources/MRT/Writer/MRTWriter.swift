/// Encodes MRT records (RFC 6396, RFC 8050): TABLE_DUMP, TABLE_DUMP_V2 peer
/// index tables and RIBs (unicast, multicast, generic, ADD-PATH), and
/// BGP4MP / BGP4MP_ET updates, other BGP messages and state changes.
/// Bytes accumulate in `bytes`; compress them with NKArchive if wanted.
public struct MRTWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    public init() {}

    /// Removes and returns the bytes written so far.
    public mutating func take() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

    // MARK: Framing

    mutating func record(timestamp: UInt32, type: MRTType, subtype: UInt16, microseconds: UInt32? = nil, body: [UInt8]) {
        var w = WireBuffer()
        w.u32(timestamp)
        w.u16(type.rawValue)
        w.u16(subtype)
        if type.hasExtendedTimestamp {
            w.u32(UInt32(body.count + 4))
            w.u32(microseconds ?? 0)
        } else {
            w.u32(UInt32(body.count))
        }
        bytes.append(contentsOf: w.bytes)
        bytes.append(contentsOf: body)
    }

    // MARK: TABLE_DUMP

    /// A TABLE_DUMP (v1) entry: 2-octet peer AS, attributes with 2-octet AS paths.
    public mutating func writeTableDump(timestamp: UInt32, viewNumber: UInt16 = 0, sequence: UInt16, prefix: Prefix,
                                        status: UInt8 = 1, originatedTime: UInt32, peerIP: IPAddress, peerASN: UInt16,
                                        attributes: AttributeSet) {
        var w = WireBuffer()
        w.u16(viewNumber)
        w.u16(sequence)
        w.address(prefix.address)
        w.u8(prefix.length)
        w.u8(status)
        w.u32(originatedTime)
        w.address(peerIP)
        w.u16(peerASN)
        let attrs = AttributeEncoder.encode(attributes, asnLength: 2, addPath: false, inRIB: true)
        w.u16(UInt16(truncatingIfNeeded: attrs.count))
        w.bytes += attrs
        record(timestamp: timestamp, type: .tableDump, subtype: prefix.isIPv4 ? 1 : 2, body: w.bytes)
    }

    // MARK: TABLE_DUMP_V2

    public mutating func writePeerIndexTable(timestamp: UInt32, collectorBGPID: IPAddress, viewName: String = "",
                                             peers: [PeerEntry]) {
        var w = WireBuffer()
        w.address(collectorBGPID)
        let name = Array(viewName.utf8)
        w.u16(UInt16(name.count))
        w.bytes += name
        w.u16(UInt16(peers.count))
        for p in peers {
            var type: UInt8 = 0
            if !p.ip.isIPv4 { type |= 1 }
            if p.asn > 0xFFFF || p.peerType & 2 != 0 { type |= 2 }
            w.u8(type)
            w.address(p.bgpID)
            w.address(p.ip)
            if type & 2 != 0 { w.u32(p.asn) } else { w.u16(UInt16(p.asn)) }
        }
        record(timestamp: timestamp, type: .tableDumpV2, subtype: TableDumpV2Subtype.peerIndexTable, body: w.bytes)
    }

    /// One RIB entry to write.
    public struct RIBEntryValue: Sendable {
        public var peerIndex: UInt16
        public var originatedTime: UInt32
        public var pathID: UInt32?
        public var attributes: AttributeSet
        public init(peerIndex: UInt16, originatedTime: UInt32, pathID: UInt32? = nil, attributes: AttributeSet) {
            self.peerIndex = peerIndex
            self.originatedTime = originatedTime
            self.pathID = pathID
            self.attributes = attributes
        }
    }

    /// A RIB_IPV4/IPV6_UNICAST/MULTICAST record (or its ADD-PATH form when
    /// `addPath`), or RIB_GENERIC(_ADDPATH) when `generic`.
    public mutating func writeRIB(timestamp: UInt32, sequence: UInt32, prefix: Prefix, safi: SAFI = .unicast,
                                  addPath: Bool = false, generic: Bool = false, entries: [RIBEntryValue]) {
        var w = WireBuffer()
        w.u32(sequence)
        let subtype: UInt16
        if generic {
            w.u16(prefix.isIPv4 ? 1 : 2)
            w.u8(safi.rawValue)
            subtype = addPath ? TableDumpV2Subtype.ribGenericAddPath : TableDumpV2Subtype.ribGeneric
        } else {
            let base: UInt16 = prefix.isIPv4 ? (safi == .multicast ? 3 : 2) : (safi == .multicast ? 5 : 4)
            subtype = addPath ? base + 6 : base
        }
        w.prefix(prefix)
        w.u16(UInt16(entries.count))
        for e in entries {
            w.u16(e.peerIndex)
            w.u32(e.originatedTime)
            if addPath { w.u32(e.pathID ?? 0) }
            let attrs = AttributeEncoder.encode(e.attributes, asnLength: 4, addPath: false, inRIB: true)
            w.u16(UInt16(truncatingIfNeeded: attrs.count))
            w.bytes += attrs
        }
        record(timestamp: timestamp, type: .tableDumpV2, subtype: subtype, body: w.bytes)
    }

    // MARK: BGP4MP

    /// The session a BGP4MP record belongs to.
    public struct Session: Sendable, Hashable {
        public var peerASN: UInt32
        public var localASN: UInt32
        public var peerIP: IPAddress
        public var localIP: IPAddress
        public var interfaceIndex: UInt16
        /// 4-octet AS numbers in the record and the AS_PATH (the _AS4 subtypes).
        public var as4: Bool
        public init(peerASN: UInt32, localASN: UInt32, peerIP: IPAddress, localIP: IPAddress, interfaceIndex: UInt16 = 0, as4: Bool = true) {
            self.peerASN = peerASN
            self.localASN = localASN
            self.peerIP = peerIP
            self.localIP = localIP
            self.interfaceIndex = interfaceIndex
            self.as4 = as4
        }
    }

    /// Time of a BGP4MP record; `microseconds` non-nil writes BGP4MP_ET.
    public struct Time: Sendable, Hashable {
        public var seconds: UInt32
        public var microseconds: UInt32?
        public init(_ seconds: UInt32, microseconds: UInt32? = nil) {
            self.seconds = seconds
            self.microseconds = microseconds
        }
    }

    mutating func bgp4mp(_ time: Time, session s: Session, subtype: UInt16, payload: [UInt8]) {
        var w = WireBuffer()
        if s.as4 { w.u32(s.peerASN); w.u32(s.localASN) } else { w.u16(UInt16(truncatingIfNeeded: s.peerASN)); w.u16(UInt16(truncatingIfNeeded: s.localASN)) }
        w.u16(s.interfaceIndex)
        w.u16(s.peerIP.isIPv4 ? 1 : 2)
        w.address(s.peerIP)
        w.address(s.localIP)
        w.bytes += payload
        record(timestamp: time.seconds, type: time.microseconds == nil ? .bgp4mp : .bgp4mpET, subtype: subtype,
               microseconds: time.microseconds, body: w.bytes)
    }

    static func messageSubtype(as4: Bool, local: Bool, addPath: Bool) -> UInt16 {
        typealias S = BGP4MPSubtype
        switch (as4, local, addPath) {
        case (false, false, false): return S.message
        case (true, false, false): return S.messageAS4
        case (false, true, false): return S.messageLocal
        case (true, true, false): return S.messageAS4Local
        case (false, false, true): return S.messageAddPath
        case (true, false, true): return S.messageAS4AddPath
        case (false, true, true): return S.messageLocalAddPath
        case (true, true, true): return S.messageAS4LocalAddPath
        }
    }

    /// A BGP4MP(_ET) STATE_CHANGE (or STATE_CHANGE_AS4 when `session.as4`).
    public mutating func writeStateChange(_ time: Time, session: Session, oldState: BGPState, newState: BGPState) {
        var w = WireBuffer()
        w.u16(oldState.rawValue)
        w.u16(newState.rawValue)
        bgp4mp(time, session: session, subtype: session.as4 ? BGP4MPSubtype.stateChangeAS4 : BGP4MPSubtype.stateChange, payload: w.bytes)
    }

    /// A BGP4MP(_ET) MESSAGE record carrying an UPDATE. `addPath` picks the
    /// RFC 8050 ADD-PATH subtype; `pathIDs` (default: as `addPath`) writes
    /// the path identifiers before each prefix — with a plain subtype, as
    /// BIRD writes the UPDATEs of sessions that negotiated ADD-PATH.
    public mutating func writeUpdate(_ time: Time, session: Session, local: Bool = false, addPath: Bool = false, pathIDs: Bool? = nil,
                                     withdrawn: [NLRIEntry] = [], attributes: AttributeSet = AttributeSet(),
                                     announced: [NLRIEntry] = []) {
        let ids = pathIDs ?? addPath
        var u = WireBuffer()
        var wd = WireBuffer()
        for n in withdrawn { wd.nlri(n, addPath: ids) }
        u.u16(UInt16(wd.bytes.count))
        u.bytes += wd.bytes
        let attrs = AttributeEncoder.encode(attributes, asnLength: session.as4 ? 4 : 2, addPath: ids, inRIB: false)
        u.u16(UInt16(truncatingIfNeeded: attrs.count))
        u.bytes += attrs
        for n in announced { u.nlri(n, addPath: ids) }
        writeMessage(time, session: session, local: local, addPath: addPath, type: BGPMessageType.update, body: u.bytes)
    }

    /// A BGP4MP(_ET) MESSAGE record carrying any BGP message body.
    public mutating func writeMessage(_ time: Time, session: Session, local: Bool = false, addPath: Bool = false,
                                      type: UInt8, body: [UInt8]) {
        var m = WireBuffer()
        m.bytes += [UInt8](repeating: 0xFF, count: 16)
        m.u16(UInt16(truncatingIfNeeded: 19 + body.count))
        m.u8(type)
        m.bytes += body
        bgp4mp(time, session: session, subtype: Self.messageSubtype(as4: session.as4, local: local, addPath: addPath), payload: m.bytes)
    }

    /// A KEEPALIVE.
    public mutating func writeKeepalive(_ time: Time, session: Session) {
        writeMessage(time, session: session, type: BGPMessageType.keepalive, body: [])
    }

    /// An OPEN with the given capabilities (4-octet AS added when the AS needs it).
    public mutating func writeOpen(_ time: Time, session: Session, local: Bool = false, holdTime: UInt16 = 180, bgpID: IPAddress,
                                   capabilities: [BGPCapability]) {
        var caps = capabilities
        if session.peerASN > 0xFFFF && !caps.contains(where: { $0.code == BGPCapability.fourOctetAS }) {
            var v = WireBuffer(); v.u32(session.peerASN)
            caps.append(BGPCapability(code: BGPCapability.fourOctetAS, value: v.bytes))
        }
        var params = WireBuffer()
        for c in caps {
            params.u8(2); params.u8(UInt8(2 + c.value.count)); params.u8(c.code); params.u8(UInt8(c.value.count)); params.bytes += c.value
        }
        var w = WireBuffer()
        w.u8(4)
        w.u16(session.peerASN > 0xFFFF ? 23456 : UInt16(session.peerASN))
        w.u16(holdTime)
        w.address(bgpID)
        w.u8(UInt8(params.bytes.count))
        w.bytes += params.bytes
        writeMessage(time, session: session, local: local, type: BGPMessageType.open, body: w.bytes)
    }

    /// A NOTIFICATION.
    public mutating func writeNotification(_ time: Time, session: Session, code: UInt8, subcode: UInt8, data: [UInt8] = []) {
        writeMessage(time, session: session, type: BGPMessageType.notification, body: [code, subcode] + data)
    }
}

/// Big-endian byte building.
struct WireBuffer {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xFF)) }
    mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) }
    mutating func u64(_ v: UInt64) { u32(UInt32(v >> 32)); u32(UInt32(v & 0xFFFF_FFFF)) }
    mutating func address(_ a: IPAddress) {
        switch a {
        case .v4(let v): u32(v)
        case .v6(let hi, let lo): u64(hi); u64(lo)
        }
    }
    mutating func prefix(_ p: Prefix) {
        u8(p.length)
        let n = (Int(p.length) + 7) / 8
        var full = WireBuffer()
        full.address(p.address)
        bytes += full.bytes.prefix(n)
    }
    mutating func nlri(_ n: NLRIEntry, addPath: Bool) {
        if addPath { u32(n.pathID ?? 0) }
        prefix(n.prefix)
    }
}

enum AttributeEncoder {
    static func attribute(_ w: inout WireBuffer, flags: UInt8, type: UInt8, _ value: [UInt8]) {
        if value.count > 255 {
            w.u8(flags | 0x10); w.u8(type); w.u16(UInt16(truncatingIfNeeded: value.count))
        } else {
            w.u8(flags & ~0x10); w.u8(type); w.u8(UInt8(value.count))
        }
        w.bytes += value
    }

    static func path(_ p: ASPath, asnLength: Int) -> [UInt8] {
        var w = WireBuffer()
        for seg in p.segments {
            var asns = seg.asns[...]
            // A segment holds at most 255 ASNs; longer runs are split.
            repeat {
                let chunk = asns.prefix(255)
                asns = asns.dropFirst(chunk.count)
                w.u8(seg.type.rawValue)
                w.u8(UInt8(chunk.count))
                for a in chunk {
                    if asnLength == 4 { w.u32(a) } else { w.u16(a > 0xFFFF ? 23456 : UInt16(a)) }
                }
            } while !asns.isEmpty
        }
        return w.bytes
    }

    static func encode(_ a: AttributeSet, asnLength: Int, addPath: Bool, inRIB: Bool) -> [UInt8] {
        var w = WireBuffer()
        let wellKnown: UInt8 = 0x40, optional: UInt8 = 0x80, optTrans: UInt8 = 0xC0
        if let o = a.origin { attribute(&w, flags: wellKnown, type: 1, [o.rawValue]) }
        if let p = a.asPath { attribute(&w, flags: wellKnown, type: 2, path(p, asnLength: asnLength)) }
        if let nh = a.nextHop { var v = WireBuffer(); v.address(nh); attribute(&w, flags: wellKnown, type: 3, v.bytes) }
        if let m = a.multiExitDisc { var v = WireBuffer(); v.u32(m); attribute(&w, flags: optional, type: 4, v.bytes) }
        if let l = a.localPref { var v = WireBuffer(); v.u32(l); attribute(&w, flags: wellKnown, type: 5, v.bytes) }
        if a.atomicAggregate { attribute(&w, flags: wellKnown, type: 6, []) }
        if let agg = a.aggregator {
            var v = WireBuffer()
            if asnLength == 4 { v.u32(agg.asn) } else { v.u16(agg.asn > 0xFFFF ? 23456 : UInt16(agg.asn)) }
            v.address(agg.address)
            attribute(&w, flags: optTrans, type: 7, v.bytes)
        }
        if let cs = a.communities { var v = WireBuffer(); for c in cs { v.u32(c.rawValue) }; attribute(&w, flags: optTrans, type: 8, v.bytes) }
        if let o = a.originatorID { var v = WireBuffer(); v.address(o); attribute(&w, flags: optional, type: 9, v.bytes) }
        if let cl = a.clusterList { var v = WireBuffer(); for c in cl { v.address(c) }; attribute(&w, flags: optional, type: 10, v.bytes) }
        if let mp = a.mpReach {
            var v = WireBuffer()
            var nh = WireBuffer()
            if let n = mp.nextHop { nh.address(n) }
            if let l = mp.linkLocalNextHop { nh.address(l) }
            if inRIB {
                v.u8(UInt8(nh.bytes.count)); v.bytes += nh.bytes
            } else {
                v.u16(mp.afi.rawValue); v.u8(mp.safi.rawValue)
                v.u8(UInt8(nh.bytes.count)); v.bytes += nh.bytes
                v.u8(0)
                for n in mp.nlri { v.nlri(n, addPath: addPath) }
            }
            attribute(&w, flags: optional, type: 14, v.bytes)
        }
        if let mp = a.mpUnreach {
            var v = WireBuffer()
            v.u16(mp.afi.rawValue); v.u8(mp.safi.rawValue)
            for n in mp.withdrawn { v.nlri(n, addPath: addPath) }
            attribute(&w, flags: optional, type: 15, v.bytes)
        }
        if let ec = a.extendedCommunities { var v = WireBuffer(); for c in ec { v.u64(c.rawValue) }; attribute(&w, flags: optTrans, type: 16, v.bytes) }
        if asnLength == 2 {
            var as4 = a.as4Path
            if as4 == nil, let p = a.asPath, p.allASNs.contains(where: { $0 > 0xFFFF }) { as4 = p }
            if let p = as4 { attribute(&w, flags: optTrans, type: 17, path(p, asnLength: 4)) }
            if let agg = a.aggregator, agg.asn > 0xFFFF {
                var v = WireBuffer(); v.u32(agg.asn); v.address(agg.address)
                attribute(&w, flags: optTrans, type: 18, v.bytes)
            }
        }
        if let lc = a.largeCommunities {
            var v = WireBuffer()
            for c in lc { v.u32(c.globalAdministrator); v.u32(c.localData1); v.u32(c.localData2) }
            attribute(&w, flags: optTrans, type: 32, v.bytes)
        }
        if let otc = a.onlyToCustomer { var v = WireBuffer(); v.u32(otc); attribute(&w, flags: optTrans, type: 35, v.bytes) }
        for u in a.unknown { attribute(&w, flags: u.flags, type: u.type, u.value) }
        return w.bytes
    }
}
