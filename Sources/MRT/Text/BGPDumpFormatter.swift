/// Writes elements as `bgpdump -m` lines, byte for byte:
/// `TYPE|TIME|A/B|PEER_IP|PEER_AS|PREFIX|[PATH_ID|]AS_PATH|ORIGIN|NEXT_HOP|LOCAL_PREF|MED|COMMUNITIES|AG/NAG|AGGREGATOR|`,
/// `TYPE|TIME|W|PEER_IP|PEER_AS|PREFIX[|PATH_ID]` and
/// `TYPE|TIME|STATE|PEER_IP|PEER_AS|OLD|NEW`.
/// The deliberate differences from bgpdump are listed in docs/formats.md.
public enum BGPDumpFormatter {
    /// bgpdump keeps AS paths in an 8000-byte buffer and cuts them past 7900.
    public static let asPathLimit = 7900

    /// The first column, indexed by `labelIndex`: TABLE_DUMP, TABLE_DUMP2(_AP),
    /// then the BGP4MP labels, each followed by its _ET form (`put(StaticString)`
    /// says why these are literals).
    @inline(__always)
    static func label(_ i: Int) -> StaticString {
        switch i {
        case 0: return "TABLE_DUMP"
        case 1: return "TABLE_DUMP2"
        case 2: return "TABLE_DUMP2_AP"
        case 3: return "BGP4MP"
        case 4: return "BGP4MP_ET"
        case 5: return "BGP4MP_LOCAL"
        case 6: return "BGP4MP_ET_LOCAL"
        case 7: return "BGP4MP_AP"
        case 8: return "BGP4MP_ET_AP"
        case 9: return "BGP4MP_LOCAL_AP"
        default: return "BGP4MP_ET_LOCAL_AP"
        }
    }

    /// The element's letter, as `ElementKind.letter` spells it (`TextTableTests`).
    @inline(__always)
    static func letter(_ k: ElementKind) -> StaticString {
        switch k {
        case .announce: return "A"
        case .withdraw: return "W"
        case .rib: return "B"
        case .state: return "STATE"
        }
    }

    /// ORIGIN 0, 1 and 2.
    @inline(__always)
    static func originText(_ i: Int) -> StaticString {
        switch i {
        case 0: return "IGP"
        case 1: return "EGP"
        default: return "INCOMPLETE"
        }
    }

    @inline(__always)
    static func labelIndex(_ e: BGPElement) -> Int {
        switch e.recordType {
        case .tableDump: return 0
        case .tableDumpV2: return e.isAddPath ? 2 : 1
        default:
            return bgp4mpLabelIndex(extended: e.recordType == .bgp4mpET, local: e.kind != .state && e.isLocal,
                                    addPath: e.kind != .state && e.isAddPath)
        }
    }

    /// BGP4MP, BGP4MP_ET, then _LOCAL, _AP and _LOCAL_AP, each with its _ET form.
    @inline(__always)
    static func bgp4mpLabelIndex(extended: Bool, local: Bool, addPath: Bool) -> Int {
        3 + (local ? 2 : 0) + (addPath ? 4 : 0) + (extended ? 1 : 0)
    }

    /// Appends one line (with its newline) for `e`. An announcement or RIB
    /// entry whose attributes were not decoded is written with empty
    /// attribute columns.
    @_specialize(exported: true, where O == TextBuffer)
    @_specialize(exported: true, where O == [UInt8])
    public static func append<O: ByteOutput>(_ e: BGPElement, to out: inout O) {
        if e.kind == .announce || e.kind == .rib {
            appendHead(e, to: &out)
            appendAttributeTail(e, to: &out)
            return
        }
        appendCommon(e, to: &out)
        switch e.kind {
        case .state:
            appendDecimal(e.oldState.rawValue, to: &out)
            out.put(pipe)
            appendDecimal(e.newState.rawValue, to: &out)
        default:
            appendPrefix(e.prefix, to: &out)
            if e.isAddPath, let id = e.pathID {
                out.put(pipe)
                appendDecimal(id, to: &out)
            }
        }
        out.put(newline)
    }

    /// Label, time, type, peer IP, peer AS and the pipe after them.
    @inline(__always)
    static func appendCommon<O: ByteOutput>(_ e: BGPElement, to out: inout O) {
        appendHeadColumns(label: label(labelIndex(e)), timestamp: e.timestamp, microseconds: e.microseconds,
                          extended: e.recordType == .bgp4mpET, kind: e.kind, peerIP: e.peerIP, peerASN: e.peerASN, to: &out)
    }

    /// For announcements and RIB entries: the common part, the prefix and the path id.
    @inline(__always)
    static func appendHead<O: ByteOutput>(_ e: BGPElement, to out: inout O) {
        appendCommon(e, to: &out)
        appendPrefix(e.prefix, to: &out)
        out.put(pipe)
        if e.isAddPath, let id = e.pathID {
            appendDecimal(id, to: &out)
            out.put(pipe)
        }
    }

    /// `AS_PATH|ORIGIN|NEXT_HOP|LOCAL_PREF|MED|COMMUNITIES|AG|AGGREGATOR|` and the newline.
    static func appendAttributeTail<O: ByteOutput>(_ e: BGPElement, to out: inout O) {
        appendAttributeTail(e.attributes, nextHop: e.nextHop, fromMultiprotocol: e.fromMultiprotocol,
                            announce: e.kind == .announce, ipv4: e.prefix?.isIPv4, to: &out)
    }

    /// The same from its parts: `ipv4` is the prefix's family (nil without a prefix).
    static func appendAttributeTail<O: ByteOutput>(_ a: PathAttributes?, nextHop: IPAddress?, fromMultiprotocol: Bool, announce: Bool,
                                    ipv4: Bool?, to out: inout O) {
        a?.effectiveASPath?.appendText(to: &out, limit: asPathLimit)
        out.put(pipe)
        out.put(originText(Int(min(a?.origin?.rawValue ?? 2, 2))))
        out.put(pipe)
        if let nh = nextHop {
            nh.appendBGPDumpText(to: &out)
        } else if fromMultiprotocol {
            out.put((ipv4 ?? true) ? zeroV4 : zeroV6)
        } else {
            out.put(allOnes)
        }
        out.put(pipe)
        // bgpdump prints these two with %d for multiprotocol IPv4 announcements.
        let signed = fromMultiprotocol && announce && (ipv4 ?? false)
        appendNumber(a?.localPref ?? 0, signed: signed, to: &out)
        out.put(pipe)
        appendNumber(a?.multiExitDisc ?? 0, signed: signed, to: &out)
        out.put(pipe)
        if let cs = a?.communities {
            var first = true
            for c in cs {
                if !first { out.put(UInt8(ascii: " ")) }
                first = false
                switch c {
                case .noExport, .noAdvertise, .noExportSubconfed: out.put(Array(c.description.utf8))
                default:
                    appendDecimal(c.asn, to: &out)
                    out.put(UInt8(ascii: ":"))
                    appendDecimal(c.value, to: &out)
                }
            }
        }
        out.put(pipe)
        out.put((a?.atomicAggregate ?? false) ? ag : nag)
        out.put(pipe)
        if let agg = a?.effectiveAggregator, agg.address != .v4(0xFFFF_FFFF) {
            appendDecimal(agg.asn, to: &out)
            out.put(UInt8(ascii: " "))
            agg.address.appendBGPDumpText(to: &out)
        }
        out.put(pipe)
        out.put(newline)
    }

    /// One line as a String (with its newline).
    public static func line(_ e: BGPElement) -> String {
        var out: [UInt8] = []
        append(e, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A formatter that remembers the attribute part of the last line: the
    /// elements of one UPDATE or RIB record share their attributes, so the
    /// AS path, communities and the rest are formatted once per message.
    public struct Writer {
        /// Held strongly: an identity alone could be reused by a new object.
        var lastAttributes: PathAttributes?
        var lastNextHop: IPAddress?
        var lastKey: UInt8 = 0
        var tail = TextBuffer(capacity: 4096)

        public init() {}

        @_specialize(exported: true, where O == TextBuffer)
        @_specialize(exported: true, where O == [UInt8])
        public mutating func append<O: ByteOutput>(_ e: BGPElement, to out: inout O) {
            guard (e.kind == .announce || e.kind == .rib), let a = e.attributes else {
                BGPDumpFormatter.append(e, to: &out)
                return
            }
            BGPDumpFormatter.appendHead(e, to: &out)
            appendTail(a, nextHop: e.nextHop, fromMultiprotocol: e.fromMultiprotocol, announce: e.kind == .announce,
                       ipv4: e.prefix?.isIPv4 ?? true, to: &out)
        }

        /// Writes every line of `record` straight from the record, as
        /// `append` would for each of its elements in order, without making
        /// the elements: the label, time and peer columns once per message,
        /// the prefix once per RIB record, the attribute part once per
        /// attribute set. Returns false, writing nothing, for records it
        /// leaves to the element path (state changes, TABLE_DUMP).
        @_specialize(exported: true, where O == TextBuffer)
        @_specialize(exported: true, where O == [UInt8])
        public mutating func appendRecord<O: ByteOutput>(_ record: MRTRecord, to out: inout O) -> Bool {
            let h = record.header
            switch record.body {
            case .message(let m):
                guard case .update(let u) = m.message else { return true }
                let extended = h.type == .bgp4mpET
                let label = BGPDumpFormatter.label(bgp4mpLabelIndex(extended: extended, local: m.isLocal, addPath: m.isAddPath))
                let a = u.attributes
                let hasWithdrawals = !u.withdrawn.isEmpty || !(a.mpUnreach?.withdrawn.isEmpty ?? true)
                    || (a.treatAsWithdraw && (!u.announced.isEmpty || !(a.mpReach?.nlri.isEmpty ?? true)))
                if hasWithdrawals {
                    head.removeAll()
                    appendHeadColumns(label: label, timestamp: h.timestamp, microseconds: h.microseconds, extended: extended, kind: .withdraw,
                                      peerIP: m.peerIP, peerASN: m.peerASN, to: &head)
                    // The head's bytes, taken once: reading the buffer from
                    // inside the local function copied it (a retain and a
                    // release) for every line.
                    let headBytes = head.written
                    let addPath = m.isAddPath
                    func withdraw(_ list: [NLRIEntry]) {
                        for n in list {
                            out.put(headBytes)
                            appendPrefix(n.prefix, to: &out)
                            if addPath, let id = n.pathID {
                                out.put(pipe)
                                appendDecimal(id, to: &out)
                            }
                            out.put(newline)
                        }
                    }
                    withdraw(u.withdrawn)
                    if let mp = a.mpUnreach { withdraw(mp.withdrawn) }
                    if a.treatAsWithdraw {
                        withdraw(u.announced)
                        if let mp = a.mpReach { withdraw(mp.nlri) }
                        return true
                    }
                }
                if u.announced.isEmpty && (a.mpReach?.nlri.isEmpty ?? true) { return true }
                head.removeAll()
                appendHeadColumns(label: label, timestamp: h.timestamp, microseconds: h.microseconds, extended: extended, kind: .announce,
                                  peerIP: m.peerIP, peerASN: m.peerASN, to: &head)
                let headBytes = head.written
                let addPath = m.isAddPath
                func announce(_ list: [NLRIEntry], nextHop: IPAddress?, mp: Bool) {
                    for n in list {
                        out.put(headBytes)
                        appendPrefix(n.prefix, to: &out)
                        out.put(pipe)
                        if addPath, let id = n.pathID {
                            appendDecimal(id, to: &out)
                            out.put(pipe)
                        }
                        appendTail(a, nextHop: nextHop, fromMultiprotocol: mp, announce: true, ipv4: n.prefix.isIPv4, to: &out)
                    }
                }
                announce(u.announced, nextHop: a.nextHop, mp: false)
                if let mp = a.mpReach { announce(mp.nlri, nextHop: mp.nextHop, mp: true) }
                return true
            case .rib(let rib):
                guard let prefix = rib.prefix else { return true }
                head.removeAll()
                head.put(BGPDumpFormatter.label(rib.addPath ? 2 : 1))
                head.put(pipe)
                appendDecimal(h.timestamp, to: &head)
                head.put(pipe)
                head.put(letter(.rib))
                head.put(pipe)
                prefixText.removeAll()
                appendPrefix(prefix, to: &prefixText)
                for entry in rib.entries {
                    out.put(head)
                    entry.peer.ip.appendBGPDumpText(to: &out)
                    out.put(pipe)
                    appendDecimal(entry.peer.asn, to: &out)
                    out.put(pipe)
                    out.put(prefixText)
                    out.put(pipe)
                    if rib.addPath, let id = entry.pathID {
                        appendDecimal(id, to: &out)
                        out.put(pipe)
                    }
                    appendTail(entry.attributes, nextHop: entry.attributes.flatMap(ribNextHop), fromMultiprotocol: false,
                               announce: false, ipv4: prefix.isIPv4, to: &out)
                }
                return true
            case .peerIndexTable, .unsupported:
                return true
            case .tableDump, .stateChange:
                return false
            }
        }

        /// Scratch space for the columns before the prefix, and a RIB record's prefix.
        var head = TextBuffer(capacity: 256)
        var prefixText = TextBuffer(capacity: 64)

        /// The attribute part, from the cache when the last line had the same.
        mutating func appendTail<O: ByteOutput>(_ a: PathAttributes?, nextHop: IPAddress?, fromMultiprotocol: Bool, announce: Bool,
                                 ipv4: Bool, to out: inout O) {
            guard let a else {
                appendAttributeTail(nil, nextHop: nextHop, fromMultiprotocol: fromMultiprotocol, announce: announce, ipv4: ipv4, to: &out)
                return
            }
            let key: UInt8 = (fromMultiprotocol ? 1 : 0) | (announce ? 2 : 0) | (ipv4 ? 4 : 0)
            if lastAttributes !== a || nextHop != lastNextHop || key != lastKey {
                tail.removeAll()
                appendAttributeTail(a, nextHop: nextHop, fromMultiprotocol: fromMultiprotocol, announce: announce, ipv4: ipv4, to: &tail)
                lastAttributes = a
                lastNextHop = nextHop
                lastKey = key
            }
            out.put(tail.written)
        }
    }

    /// `LABEL|TIME|KIND|PEER_IP|PEER_AS|`; `extended`: BGP4MP_ET, whose time has microseconds.
    @inline(__always)
    static func appendHeadColumns<O: ByteOutput>(label: StaticString, timestamp: UInt32, microseconds: UInt32, extended: Bool, kind: ElementKind,
                                                 peerIP: IPAddress, peerASN: UInt32, to out: inout O) {
        out.put(label)
        out.put(pipe)
        appendDecimal(timestamp, to: &out)
        if extended {
            out.put(UInt8(ascii: "."))
            var divisor: UInt32 = 100_000
            let us = microseconds % 1_000_000
            while divisor > 0 {
                out.put(UInt8(truncatingIfNeeded: (us / divisor) % 10) &+ 48)
                divisor /= 10
            }
        }
        out.put(pipe)
        out.put(letter(kind))
        out.put(pipe)
        peerIP.appendBGPDumpText(to: &out)
        out.put(pipe)
        appendDecimal(peerASN, to: &out)
        out.put(pipe)
    }

    @inline(__always)
    static func appendNumber<O: ByteOutput>(_ v: UInt32, signed: Bool, to out: inout O) {
        if signed { appendDecimal(Int32(bitPattern: v), to: &out) } else { appendDecimal(v, to: &out) }
    }

    @inline(__always)
    static func appendPrefix<O: ByteOutput>(_ p: Prefix?, to out: inout O) {
        guard let p else { return }
        p.address.appendBGPDumpText(to: &out)
        out.put(UInt8(ascii: "/"))
        appendDecimal(p.length, to: &out)
    }

    static let pipe = UInt8(ascii: "|")
    // Literals (`put(StaticString)` says why).
    /// "0.0.0.0", "::", "255.255.255.255", "AG", "NAG".
    static var zeroV4: StaticString { "0.0.0.0" }
    static var zeroV6: StaticString { "::" }
    static var allOnes: StaticString { "255.255.255.255" }
    static var ag: StaticString { "AG" }
    static var nag: StaticString { "NAG" }
    static let newline = UInt8(ascii: "\n")
}
