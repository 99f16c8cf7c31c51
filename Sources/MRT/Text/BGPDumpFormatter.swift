/// Writes elements as `bgpdump -m` lines, byte for byte:
/// `TYPE|TIME|A/B|PEER_IP|PEER_AS|PREFIX|[PATH_ID|]AS_PATH|ORIGIN|NEXT_HOP|LOCAL_PREF|MED|COMMUNITIES|AG/NAG|AGGREGATOR|`,
/// `TYPE|TIME|W|PEER_IP|PEER_AS|PREFIX[|PATH_ID]` and
/// `TYPE|TIME|STATE|PEER_IP|PEER_AS|OLD|NEW`.
/// The deliberate differences from bgpdump are listed in docs/formats.md.
public enum BGPDumpFormatter {
    /// bgpdump keeps AS paths in an 8000-byte buffer and cuts them past 7900.
    public static let asPathLimit = 7900

    /// The first column.
    public static func label(_ e: BGPElement) -> String {
        switch e.recordType {
        case .tableDump: return "TABLE_DUMP"
        case .tableDumpV2: return e.isAddPath ? "TABLE_DUMP2_AP" : "TABLE_DUMP2"
        default:
            var s = e.recordType == .bgp4mpET ? "BGP4MP_ET" : "BGP4MP"
            if e.kind == .state { return s }
            if e.isLocal { s += "_LOCAL" }
            if e.isAddPath { s += "_AP" }
            return s
        }
    }

    /// Appends one line (with its newline) for `e`. An announcement or RIB
    /// entry whose attributes were not decoded is written with empty
    /// attribute columns.
    /// The labels as bytes, indexed by `labelIndex`.
    static let labels: [[UInt8]] = ["TABLE_DUMP", "TABLE_DUMP2", "TABLE_DUMP2_AP", "BGP4MP", "BGP4MP_ET",
                                    "BGP4MP_LOCAL", "BGP4MP_ET_LOCAL", "BGP4MP_AP", "BGP4MP_ET_AP",
                                    "BGP4MP_LOCAL_AP", "BGP4MP_ET_LOCAL_AP"].map { Array($0.utf8) }
    static let kinds: [[UInt8]] = ["B", "A", "W", "STATE"].map { Array($0.utf8) }
    static let origins: [[UInt8]] = ["IGP", "EGP", "INCOMPLETE"].map { Array($0.utf8) }

    @inline(__always)
    static func labelIndex(_ e: BGPElement) -> Int {
        switch e.recordType {
        case .tableDump: return 0
        case .tableDumpV2: return e.isAddPath ? 2 : 1
        default:
            let et = e.recordType == .bgp4mpET ? 1 : 0
            if e.kind == .state { return 3 + et }
            switch (e.isLocal, e.isAddPath) {
            case (false, false): return 3 + et
            case (true, false): return 5 + et
            case (false, true): return 7 + et
            case (true, true): return 9 + et
            }
        }
    }

    public static func append(_ e: BGPElement, to out: inout [UInt8]) {
        if e.kind == .announce || e.kind == .rib {
            appendHead(e, to: &out)
            appendAttributeTail(e, to: &out)
            return
        }
        appendCommon(e, to: &out)
        switch e.kind {
        case .state:
            appendDecimal(e.oldState, to: &out)
            out.append(pipe)
            appendDecimal(e.newState, to: &out)
        default:
            appendPrefix(e.prefix, to: &out)
            if e.isAddPath, let id = e.pathID {
                out.append(pipe)
                appendDecimal(id, to: &out)
            }
        }
        out.append(newline)
    }

    /// Label, time, type, peer IP, peer AS and the pipe after them.
    @inline(__always)
    static func appendCommon(_ e: BGPElement, to out: inout [UInt8]) {
        out.append(contentsOf: labels[labelIndex(e)])
        out.append(pipe)
        appendDecimal(e.timestamp, to: &out)
        if e.recordType == .bgp4mpET {
            out.append(UInt8(ascii: "."))
            var divisor: UInt32 = 100_000
            let us = e.microseconds % 1_000_000
            while divisor > 0 {
                out.append(UInt8(truncatingIfNeeded: (us / divisor) % 10) &+ 48)
                divisor /= 10
            }
        }
        out.append(pipe)
        out.append(contentsOf: kinds[Int(e.kind.rawValue)])
        out.append(pipe)
        e.peerIP.appendBGPDumpText(to: &out)
        out.append(pipe)
        appendDecimal(e.peerASN, to: &out)
        out.append(pipe)
    }

    /// For announcements and RIB entries: the common part, the prefix and the path id.
    @inline(__always)
    static func appendHead(_ e: BGPElement, to out: inout [UInt8]) {
        appendCommon(e, to: &out)
        appendPrefix(e.prefix, to: &out)
        out.append(pipe)
        if e.isAddPath, let id = e.pathID {
            appendDecimal(id, to: &out)
            out.append(pipe)
        }
    }

    /// `AS_PATH|ORIGIN|NEXT_HOP|LOCAL_PREF|MED|COMMUNITIES|AG|AGGREGATOR|` and the newline.
    static func appendAttributeTail(_ e: BGPElement, to out: inout [UInt8]) {
        let a = e.attributes
        a?.effectiveASPath?.appendText(to: &out, limit: asPathLimit)
        out.append(pipe)
        out.append(contentsOf: origins[Int(min(a?.origin?.rawValue ?? 2, 2))])
        out.append(pipe)
        if let nh = e.nextHop {
            nh.appendBGPDumpText(to: &out)
        } else if e.fromMultiprotocol {
            out.append(contentsOf: (e.prefix?.isIPv4 ?? true) ? Array("0.0.0.0".utf8) : Array("::".utf8))
        } else {
            out.append(contentsOf: "255.255.255.255".utf8)
        }
        out.append(pipe)
        // bgpdump prints these two with %d for multiprotocol IPv4 announcements.
        let signed = e.fromMultiprotocol && e.kind == .announce && (e.prefix?.isIPv4 ?? false)
        appendNumber(a?.localPref ?? 0, signed: signed, to: &out)
        out.append(pipe)
        appendNumber(a?.multiExitDisc ?? 0, signed: signed, to: &out)
        out.append(pipe)
        if let cs = a?.communities {
            var first = true
            for c in cs {
                if !first { out.append(UInt8(ascii: " ")) }
                first = false
                switch c {
                case .noExport, .noAdvertise, .noExportSubconfed: out.append(contentsOf: c.description.utf8)
                default:
                    appendDecimal(c.asn, to: &out)
                    out.append(UInt8(ascii: ":"))
                    appendDecimal(c.value, to: &out)
                }
            }
        }
        out.append(pipe)
        out.append(contentsOf: (a?.atomicAggregate ?? false) ? ag : nag)
        out.append(pipe)
        if let agg = a?.effectiveAggregator, agg.address != .v4(0xFFFF_FFFF) {
            appendDecimal(agg.asn, to: &out)
            out.append(UInt8(ascii: " "))
            agg.address.appendBGPDumpText(to: &out)
        }
        out.append(pipe)
        out.append(newline)
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
        var tail: [UInt8] = []

        public init() {}

        public mutating func append(_ e: BGPElement, to out: inout [UInt8]) {
            guard (e.kind == .announce || e.kind == .rib), let a = e.attributes else {
                BGPDumpFormatter.append(e, to: &out)
                return
            }
            BGPDumpFormatter.appendHead(e, to: &out)
            let key: UInt8 = (e.fromMultiprotocol ? 1 : 0) | (e.kind == .announce ? 2 : 0) | ((e.prefix?.isIPv4 ?? true) ? 4 : 0)
            if lastAttributes !== a || e.nextHop != lastNextHop || key != lastKey {
                tail.removeAll(keepingCapacity: true)
                BGPDumpFormatter.appendAttributeTail(e, to: &tail)
                lastAttributes = a
                lastNextHop = e.nextHop
                lastKey = key
            }
            out.append(contentsOf: tail)
        }
    }

    @inline(__always)
    static func appendNumber(_ v: UInt32, signed: Bool, to out: inout [UInt8]) {
        if signed { appendDecimal(Int32(bitPattern: v), to: &out) } else { appendDecimal(v, to: &out) }
    }

    @inline(__always)
    static func appendPrefix(_ p: Prefix?, to out: inout [UInt8]) {
        guard let p else { return }
        p.address.appendBGPDumpText(to: &out)
        out.append(UInt8(ascii: "/"))
        appendDecimal(p.length, to: &out)
    }

    static let pipe = UInt8(ascii: "|")
    static let ag = Array("AG".utf8)
    static let nag = Array("NAG".utf8)
    static let newline = UInt8(ascii: "\n")
}
