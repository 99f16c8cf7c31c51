/// Decodes framed MRT records into values. Holds the one piece of state MRT
/// needs across records: the last PEER_INDEX_TABLE.
public struct MRTDecoder: Sendable {
    /// When set, attributes are decoded only for records and messages with a
    /// prefix the filter wants; the others still yield their prefixes.
    public var attributeFilter: AttributeFilter?
    public private(set) var peerIndexTable: PeerIndexTable?
    /// Records of types or subtypes that are not decoded, by "TYPE/SUBTYPE".
    public private(set) var unsupportedCounts: [String: Int] = [:]
    /// ADD-PATH (RFC 7911) of each BGP session of the file, for the plain
    /// BGP4MP subtypes: what the OPENs said.
    var sessions: [SessionKey: SessionAddPath] = [:]

    /// Some session's OPENs negotiated ADD-PATH: its plain-subtype UPDATEs
    /// are read with path identifiers whatever their bytes look like, so a
    /// reader that looks at records in place (`ScopeScanner`) must leave
    /// BGP4MP messages to the decoder.
    public private(set) var negotiatedAddPath = false

    public init(attributeFilter: AttributeFilter? = nil) {
        self.attributeFilter = attributeFilter
    }

    /// Keeps the state that later records depend on — the PEER_INDEX_TABLE
    /// and the sessions' OPENs — from `view`, decoding nothing else: what a
    /// reader that hands records out to other decoders runs on every record,
    /// so that each batch starts from the state the records before it left.
    public mutating func observeState(_ view: RawRecordView) {
        let h = view.header
        switch h.type {
        case .tableDumpV2 where h.subtype == TableDumpV2Subtype.peerIndexTable:
            _ = decode(view)
        case .bgp4mp, .bgp4mpET:
            guard let form = BGP4MPSubtype.messageForm(h.subtype), view.body.count >= 2 * form.asnLength + 4 else { return }
            let afi = UInt16(view.body[2 * form.asnLength + 2]) << 8 | UInt16(view.body[2 * form.asnLength + 3])
            let typeAt = 2 * form.asnLength + 4 + (afi == AFI.ipv6.rawValue ? 32 : 8) + 18
            if typeAt < view.body.count && view.body[typeAt] == BGPMessageType.open { _ = decode(view) }
        default:
            return
        }
    }

    /// Decodes one framed record. A decoding error concerns this record only;
    /// the caller reports it and goes on with the next record.
    public mutating func decode(_ view: RawRecordView) -> Result<MRTRecord, MRTError> {
        let h = view.header
        var r = ByteReader(view.body, baseOffset: view.bodyOffset)
        let name = h.recordName
        var problems: [MRTError] = []
        do throws(MRTError) {
            let body: MRTRecordBody
            switch h.type {
            case .tableDump:
                body = try decodeTableDump(&r, header: h, record: name, problems: &problems)
            case .tableDumpV2:
                body = try decodeTableDumpV2(&r, header: h, record: name, problems: &problems)
            case .bgp4mp, .bgp4mpET:
                body = try decodeBGP4MP(&r, header: h, record: name, problems: &problems)
            default:
                body = .unsupported(name)
            }
            if let what = body.unsupportedName { unsupportedCounts[what, default: 0] += 1 }
            return .success(MRTRecord(header: h, offset: view.offset, body: body, problems: problems))
        } catch {
            return .failure(error)
        }
    }

    // MARK: TABLE_DUMP

    func decodeTableDump(_ r: inout ByteReader, header h: MRTCommonHeader, record: String, problems: inout [MRTError]) throws(MRTError) -> MRTRecordBody {
        let afi: AFI
        switch h.subtype {
        case TableDumpSubtype.afiIPv4: afi = .ipv4
        case TableDumpSubtype.afiIPv6: afi = .ipv6
        default: return .unsupported(record)
        }
        let at = r.offset
        guard let view = r.readUInt16(), let seq = r.readUInt16(),
              let addr = afi == .ipv4 ? r.readIPv4() : r.readIPv6(),
              let plen = r.readUInt8(), let status = r.readUInt8(), let orig = r.readUInt32(),
              let peerIP = afi == .ipv4 ? r.readIPv4() : r.readIPv6(),
              let peerAS = r.readUInt16(), let alen = r.readUInt16() else {
            throw MRTError.short("TABLE_DUMP entry", at: at, record: record)
        }
        guard let prefix = Prefix(address: addr, length: plen) else {
            throw MRTError(.badPrefixLength, offset: at + 4 + (afi == .ipv4 ? 4 : 16), record: record,
                           "prefix length \(plen) exceeds \(afi == .ipv4 ? 32 : 128)")
        }
        let aat = r.offset - 2
        guard let block = r.readSlice(Int(alen)) else {
            throw MRTError(.attributeOverrun, offset: aat, record: record, "attribute length \(alen) runs past the record (\(r.remaining) bytes remain)")
        }
        let attrs = try PathAttributes.decode(block, context: AttributeContext(asnLength: 2, addPath: false, inRIB: true, record: record),
                                              full: attributeFilter?(prefix) ?? true, problems: &problems)
        try expectEnd(r, record: record)
        return .tableDump(TableDumpEntry(viewNumber: view, sequence: seq, prefix: prefix, status: status, originatedTime: orig,
                                         peerIP: peerIP, peerASN: UInt32(peerAS), attributes: attrs))
    }

    // MARK: TABLE_DUMP_V2

    mutating func decodeTableDumpV2(_ r: inout ByteReader, header h: MRTCommonHeader, record: String, problems: inout [MRTError]) throws(MRTError) -> MRTRecordBody {
        typealias S = TableDumpV2Subtype
        if let form = S.ribForm(h.subtype) {
            let at = r.offset
            guard let seq = r.readUInt32() else { throw MRTError.short("RIB sequence number", at: at, record: record) }
            let prefix = try NLRI.readPrefix(&r, afi: form.afi, record: record)
            return .rib(try decodeRIBEntries(&r, sequence: seq, afi: form.afi, safi: form.safi, prefix: prefix, addPath: form.addPath,
                                             record: record, problems: &problems))
        }
        switch h.subtype {
        case S.peerIndexTable:
            let table = try decodePeerIndexTable(&r, record: record)
            peerIndexTable = table
            return .peerIndexTable(table)
        case S.ribGeneric, S.ribGenericAddPath:
            let addPath = h.subtype == S.ribGenericAddPath
            let at = r.offset
            guard let seq = r.readUInt32(), let afiRaw = r.readUInt16(), let safiRaw = r.readUInt8() else {
                throw MRTError.short("RIB_GENERIC header", at: at, record: record)
            }
            let afi = AFI(rawValue: afiRaw), safi = SAFI(rawValue: safiRaw)
            guard afi.isIP && safi.isPrefixList else {
                return .unsupported("\(record) AFI \(afiRaw) SAFI \(safiRaw)")
            }
            let prefix = try NLRI.readPrefix(&r, afi: afi, record: record)
            return .rib(try decodeRIBEntries(&r, sequence: seq, afi: afi, safi: safi, prefix: prefix, addPath: addPath, record: record, problems: &problems))
        default:
            return .unsupported(record)
        }
    }

    func decodePeerIndexTable(_ r: inout ByteReader, record: String) throws(MRTError) -> PeerIndexTable {
        let at = r.offset
        guard let id = r.readIPv4(), let nameLen = r.readUInt16(), let nameBytes = r.readBytes(Int(nameLen)),
              let count = r.readUInt16() else {
            throw MRTError.short("PEER_INDEX_TABLE header", at: at, record: record)
        }
        // Each peer takes at least 1 + 4 + 4 + 2 bytes: refuse counts the body cannot hold.
        guard Int(count) * 11 <= r.remaining else {
            throw MRTError(.badLength, offset: r.offset - 2, record: record,
                           "peer count \(count) needs at least \(Int(count) * 11) bytes, \(r.remaining) remain")
        }
        var peers: [PeerEntry] = []
        peers.reserveCapacity(Int(count))
        for i in 0..<Int(count) {
            let pat = r.offset
            guard let type = r.readUInt8(), let bgpID = r.readIPv4(),
                  let ip = type & 1 != 0 ? r.readIPv6() : r.readIPv4(),
                  let asn = type & 2 != 0 ? r.readUInt32() : r.readUInt16().map(UInt32.init) else {
                throw MRTError.short("peer entry \(i)", at: pat, record: record)
            }
            peers.append(PeerEntry(peerType: type, bgpID: bgpID, ip: ip, asn: asn))
        }
        try expectEnd(r, record: record)
        return PeerIndexTable(collectorBGPID: id, viewName: String(decoding: nameBytes, as: UTF8.self), peers: peers)
    }

    func decodeRIBEntries(_ r: inout ByteReader, sequence: UInt32, afi: AFI, safi: SAFI, prefix: Prefix,
                          addPath: Bool, record: String, problems: inout [MRTError]) throws(MRTError) -> RIBRecord {
        guard let table = peerIndexTable else {
            throw MRTError(.missingPeerIndexTable, offset: r.offset, record: record, "RIB record before any PEER_INDEX_TABLE")
        }
        let cat = r.offset
        guard let count = r.readUInt16() else { throw MRTError.short("RIB entry count", at: cat, record: record) }
        let minEntry = addPath ? 12 : 8
        guard Int(count) * minEntry <= r.remaining else {
            throw MRTError(.badLength, offset: cat, record: record,
                           "entry count \(count) needs at least \(Int(count) * minEntry) bytes, \(r.remaining) remain")
        }
        let wanted = attributeFilter?(prefix) ?? true
        let context = AttributeContext(asnLength: 4, addPath: false, inRIB: true, record: record)
        var entries: [RIBEntry] = []
        entries.reserveCapacity(Int(count))
        for i in 0..<Int(count) {
            let eat = r.offset
            guard let peerIndex = r.readUInt16(), let orig = r.readUInt32() else {
                throw MRTError.short("RIB entry \(i)", at: eat, record: record)
            }
            var pathID: UInt32? = nil
            if addPath {
                guard let id = r.readUInt32() else { throw MRTError.short("RIB entry \(i) path identifier", at: eat, record: record) }
                pathID = id
            }
            guard let alen = r.readUInt16() else { throw MRTError.short("RIB entry \(i) attribute length", at: eat, record: record) }
            guard let block = r.readSlice(Int(alen)) else {
                throw MRTError(.attributeOverrun, offset: eat, record: record,
                               "RIB entry \(i) attribute length \(alen) runs past the record (\(r.remaining) bytes remain)")
            }
            // The entry's own length frames it: damage inside it loses this
            // entry alone, and the entries of the other peers are kept (as
            // bgpdump keeps them).
            guard Int(peerIndex) < table.peers.count else {
                problems.append(MRTError(.badPeerIndex, offset: eat, record: record,
                                         "RIB entry \(i) names peer \(peerIndex), the PEER_INDEX_TABLE has \(table.peers.count); entry skipped"))
                continue
            }
            let attrs: PathAttributes
            do throws(MRTError) {
                attrs = try PathAttributes.decode(block, context: context, full: wanted, problems: &problems)
            } catch {
                var e = error
                e.detail = "RIB entry \(i): \(e.detail); entry skipped"
                problems.append(e)
                continue
            }
            entries.append(RIBEntry(peerIndex: peerIndex, peer: table.peers[Int(peerIndex)], originatedTime: orig,
                                    pathID: pathID, attributes: attrs))
        }
        try expectEnd(r, record: record)
        return RIBRecord(sequence: sequence, afi: afi, safi: safi, prefix: prefix, addPath: addPath, entries: entries)
    }

    // MARK: BGP4MP

    mutating func decodeBGP4MP(_ r: inout ByteReader, header h: MRTCommonHeader, record: String, problems: inout [MRTError]) throws(MRTError) -> MRTRecordBody {
        typealias S = BGP4MPSubtype
        let at = r.offset
        if let form = S.messageForm(h.subtype) {
            let peers = try readBGP4MPPeers(&r, as4: form.as4, record: record)
            let key = SessionKey(peerIP: peers.peerIP, localIP: peers.localIP, peerASN: peers.peerASN, localASN: peers.localASN)
            let start = r
            var message = try BGPMessageDecoder.decode(&r, asnLength: form.asnLength, addPath: form.addPath, record: record,
                                                       filter: attributeFilter, problems: &problems)
            var addPath = form.addPath
            var source: AddPathSource? = nil
            switch message {
            case .open(let open):
                // A new OPEN starts a new session: what it says replaces the old.
                sessions[key, default: SessionAddPath()].learn(open, local: form.local)
                negotiatedAddPath = negotiatedAddPath || sessions[key]!.negotiatesAny
            case .update(let plain) where !form.addPath:
                if let (u, p, how) = addPathReading(of: plain, problems: problems, start: start, key: key, form: form, record: record) {
                    message = .update(u)
                    problems = p
                    addPath = true
                    source = how
                }
            default:
                break
            }
            if !r.isAtEnd {
                problems.append(MRTError(.trailingBytes, offset: r.offset, record: record,
                                         "\(r.remaining) bytes left over after the BGP message"))
            }
            return .message(BGP4MPMessage(peerASN: peers.peerASN, localASN: peers.localASN, interfaceIndex: peers.interfaceIndex,
                                          afi: peers.afi, peerIP: peers.peerIP, localIP: peers.localIP, isAS4: form.as4,
                                          isLocal: form.local, isAddPath: addPath, addPathSource: source, message: message))
        }
        switch h.subtype {
        case S.stateChange, S.stateChangeAS4:
            let peers = try readBGP4MPPeers(&r, as4: h.subtype == S.stateChangeAS4, record: record)
            guard let old = r.readUInt16(), let new = r.readUInt16() else { throw MRTError.short("STATE_CHANGE states", at: at, record: record) }
            try expectEnd(r, record: record)
            return .stateChange(BGP4MPStateChange(peerASN: peers.peerASN, localASN: peers.localASN, interfaceIndex: peers.interfaceIndex,
                                                  afi: peers.afi, peerIP: peers.peerIP, localIP: peers.localIP,
                                                  oldState: BGPState(rawValue: old), newState: BGPState(rawValue: new)))
        default:
            return .unsupported(record)
        }
    }

    /// The ADD-PATH reading of an UPDATE of a plain subtype, when the
    /// session's OPENs negotiated ADD-PATH for a family the message carries,
    /// or when the plain reading is invalid and the ADD-PATH reading clean —
    /// as the receiving speaker reads it (RFC 7911 §3: the path identifier
    /// precedes each prefix). nil: the plain reading stands.
    mutating func addPathReading(of plain: BGPUpdate, problems: [MRTError], start: ByteReader, key: SessionKey,
                                 form: BGP4MPSubtype.MessageForm, record: String) -> (BGPUpdate, [MRTError], AddPathSource)? {
        // Wrong plainly: damage in the reading, or repeated /0s — what path
        // identifiers below 2^24 read as (the ScopeScanner leaves every /0 of
        // a plain message to the decoder, so both paths judge alike). The
        // cheap test first: almost every message has no /0 at all.
        let suspicious = !problems.isEmpty || (Self.hasZeroLength(plain) && Self.repeats(plain))
        // Without a suspicious reading, only a session whose OPENs are in the
        // file and negotiated ADD-PATH can make it ADD-PATH: when none did,
        // the session is not looked up (a hash of its key per message).
        let known = sessions.isEmpty || !(suspicious || negotiatedAddPath) ? nil : sessions[key]
        guard suspicious || known != nil else { return nil }
        let families = Self.families(plain, problems: problems)
        guard families.ipv4 || families.ipv6 else { return nil }
        let state = known ?? SessionAddPath()
        // The direction: a message the collector received goes from the peer
        // to it; a _LOCAL one from it to the peer.
        var anyNegotiated = false, anyNot = false
        for (afi, carried) in [(AFI.ipv4, families.ipv4), (AFI.ipv6, families.ipv6)] where carried {
            switch state.negotiated(afi, peerSends: !form.local) {
            case true?: anyNegotiated = true
            case false?: anyNot = true
            case nil: break
            }
        }
        if anyNot && !anyNegotiated { return nil }
        let byOpen = anyNegotiated
        guard byOpen || suspicious else { return nil }
        var r = start
        var again: [MRTError] = []
        guard case .update(let u)? = try? BGPMessageDecoder.decode(&r, asnLength: form.asnLength, addPath: true, record: record,
                                                                 filter: attributeFilter, problems: &again) else { return nil }
        if byOpen { return (u, again, .open) }
        // Without the OPENs, message by message: only a clean ADD-PATH
        // reading of a message whose plain reading is wrong. (A session is
        // not marked by one message: one damaged record must not turn the
        // reading of every later message of its session.)
        guard again.isEmpty, !Self.repeats(u), r.isAtEnd, !Self.zeroLengthOnly(u) else { return nil }
        return (u, again, .detected)
    }

    /// The address families whose NLRI an UPDATE carries (IPv4 in its own
    /// fields, any family in the multiprotocol attributes).
    static func families(_ u: BGPUpdate, problems: [MRTError]) -> (ipv4: Bool, ipv6: Bool) {
        var v4 = !u.withdrawn.isEmpty || !u.announced.isEmpty || !problems.isEmpty
        var v6 = false
        for afi in [u.attributes.mpReach?.afi, u.attributes.mpUnreach?.afi] {
            if afi == .ipv4 { v4 = true } else if afi == .ipv6 { v6 = true }
        }
        return (v4, v6)
    }

    /// A prefix (with its path identifier) listed twice in one list: never
    /// what a speaker sends, and what a plain reading of ADD-PATH NLRI gives.
    static func repeats(_ u: BGPUpdate) -> Bool {
        func dup(_ l: [NLRIEntry]) -> Bool { l.count > 1 && Set(l).count < l.count }
        return dup(u.withdrawn) || dup(u.announced) || dup(u.attributes.mpReach?.nlri ?? []) || dup(u.attributes.mpUnreach?.withdrawn ?? [])
    }

    /// Some prefix is a /0.
    static func hasZeroLength(_ u: BGPUpdate) -> Bool {
        func z(_ l: [NLRIEntry]) -> Bool { l.contains { $0.prefix.length == 0 } }
        return z(u.withdrawn) || z(u.announced) || z(u.attributes.mpReach?.nlri ?? []) || z(u.attributes.mpUnreach?.withdrawn ?? [])
    }

    /// Every prefix is a /0: an ADD-PATH reading that proves nothing.
    static func zeroLengthOnly(_ u: BGPUpdate) -> Bool {
        let all = u.withdrawn + u.announced + (u.attributes.mpReach?.nlri ?? []) + (u.attributes.mpUnreach?.withdrawn ?? [])
        return !all.isEmpty && all.allSatisfy { $0.prefix.length == 0 }
    }

    /// The fields every BGP4MP record starts with (RFC 6396 §4.4.1).
    struct BGP4MPPeers {
        var peerASN: UInt32
        var localASN: UInt32
        var interfaceIndex: UInt16
        var afi: AFI
        var peerIP: IPAddress
        var localIP: IPAddress
    }

    func readBGP4MPPeers(_ r: inout ByteReader, as4: Bool, record: String) throws(MRTError) -> BGP4MPPeers {
        let at = r.offset
        guard let peerAS = as4 ? r.readUInt32() : r.readUInt16().map(UInt32.init),
              let localAS = as4 ? r.readUInt32() : r.readUInt16().map(UInt32.init),
              let ifIndex = r.readUInt16(), let afiRaw = r.readUInt16() else {
            throw MRTError.short("BGP4MP peer header", at: at, record: record)
        }
        let afi = AFI(rawValue: afiRaw)
        let peerIP: IPAddress?, localIP: IPAddress?
        switch afi {
        case .ipv4: peerIP = r.readIPv4(); localIP = r.readIPv4()
        case .ipv6: peerIP = r.readIPv6(); localIP = r.readIPv6()
        default:
            throw MRTError(.badAFI, offset: at + (as4 ? 10 : 6), record: record, "peer address family \(afiRaw) is neither 1 (IPv4) nor 2 (IPv6)")
        }
        guard let p = peerIP, let l = localIP else { throw MRTError.short("BGP4MP peer addresses", at: at, record: record) }
        return BGP4MPPeers(peerASN: peerAS, localASN: localAS, interfaceIndex: ifIndex, afi: afi, peerIP: p, localIP: l)
    }

    func expectEnd(_ r: ByteReader, record: String) throws(MRTError) {
        guard r.isAtEnd else {
            throw MRTError(.trailingBytes, offset: r.offset, record: record, "\(r.remaining) bytes left over after the record's content")
        }
    }
}

/// A BGP session as BGP4MP records name it.
struct SessionKey: Hashable, Sendable {
    var peerIP: IPAddress
    var localIP: IPAddress
    var peerASN: UInt32
    var localASN: UInt32
}

/// What a session's OPENs said of ADD-PATH (RFC 7911 §4: per AFI/SAFI, 1
/// receive, 2 send, 3 both), for the two families whose prefixes nkwatch reads.
struct SessionAddPath: Sendable {
    /// One side's capability: IPv4 and IPv6 (unicast and multicast alike).
    struct Side: Sendable {
        var ipv4: UInt8 = 0
        var ipv6: UInt8 = 0
        subscript(afi: AFI) -> UInt8 { afi == .ipv4 ? ipv4 : afi == .ipv6 ? ipv6 : 0 }
    }

    /// The peer's and the collector's own capability; nil: that OPEN is not in the file.
    var peer: Side?
    var local: Side?

    mutating func learn(_ open: BGPOpen, local isLocal: Bool) {
        var m = Side()
        for c in open.capabilities {
            for t in c.addPathTuples ?? [] where t.safi.isPrefixList {
                if t.afi == .ipv4 { m.ipv4 |= t.sendReceive } else if t.afi == .ipv6 { m.ipv6 |= t.sendReceive }
            }
        }
        if isLocal { local = m } else { peer = m }
    }

    /// ADD-PATH applies to some family in some direction.
    var negotiatesAny: Bool {
        [AFI.ipv4, .ipv6].contains { negotiated($0, peerSends: true) == true || negotiated($0, peerSends: false) == true }
    }

    /// Whether ADD-PATH applies to `afi` in one direction: the sender
    /// advertised send (2) and the receiver receive (1). nil when one of the
    /// two OPENs is missing.
    @inline(__always)
    func negotiated(_ afi: AFI, peerSends: Bool) -> Bool? {
        guard let peer, let local else { return nil }
        let (sender, receiver) = peerSends ? (peer, local) : (local, peer)
        return sender[afi] & 2 != 0 && receiver[afi] & 1 != 0
    }
}
