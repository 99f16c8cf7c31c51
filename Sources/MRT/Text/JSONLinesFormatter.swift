/// Writes one JSON object per element (schema `nkwatch.element/v1`, fields in
/// docs/formats.md). Keys appear in a fixed order and absent values are
/// omitted, so the same input always gives the same bytes.
public enum JSONLinesFormatter {
    public static func append(_ e: BGPElement, to out: inout [UInt8]) {
        var o = JSONObjectWriter(out: out)
        out = []
        o.string("type", e.kind.letter)
        o.raw("timestamp") { appendDecimal(e.timestamp, to: &$0) }
        if e.recordType == .bgp4mpET { o.raw("microseconds") { appendDecimal(e.microseconds, to: &$0) } }
        o.string("record", recordName(e))
        o.raw("peer_ip") { appendQuoted(e.peerIP, to: &$0) }
        o.raw("peer_asn") { appendDecimal(e.peerASN, to: &$0) }
        if e.kind == .state {
            o.raw("old_state") { appendDecimal(e.oldState.rawValue, to: &$0) }
            o.raw("new_state") { appendDecimal(e.newState.rawValue, to: &$0) }
            o.finish()
            out = o.out
            return
        }
        if let p = e.prefix { o.raw("prefix") { appendQuoted(p, to: &$0) } }
        if let id = e.pathID { o.raw("path_id") { appendDecimal(id, to: &$0) } }
        if e.safi != .unicast { o.string("safi", e.safi.description) }
        if let t = e.originatedTime { o.raw("originated") { appendDecimal(t, to: &$0) } }
        if let nh = e.nextHop, e.kind != .withdraw { o.raw("next_hop") { appendQuoted(nh, to: &$0) } }
        if let a = e.attributes {
            if let p = a.effectiveASPath { o.string("as_path", p.description) }
            if let origin = a.originASN { o.raw("origin_asn") { appendDecimal(origin, to: &$0) } }
            if let og = a.origin { o.string("origin", og.description) }
            if let v = a.localPref { o.raw("local_pref") { appendDecimal(v, to: &$0) } }
            if let v = a.multiExitDisc { o.raw("med") { appendDecimal(v, to: &$0) } }
            if let cs = a.communities { o.stringArray("communities", cs.map(\.description)) }
            if let cs = a.largeCommunities { o.stringArray("large_communities", cs.map(\.description)) }
            if let cs = a.extendedCommunities { o.stringArray("extended_communities", cs.map(\.description)) }
            if a.atomicAggregate { o.raw("atomic_aggregate") { $0.append(contentsOf: "true".utf8) } }
            if let agg = a.effectiveAggregator {
                o.raw("aggregator") { b in
                    b.append(contentsOf: "{\"asn\":".utf8)
                    appendDecimal(agg.asn, to: &b)
                    b.append(contentsOf: ",\"ip\":".utf8)
                    appendQuoted(agg.address, to: &b)
                    b.append(UInt8(ascii: "}"))
                }
            }
            if let v = a.onlyToCustomer { o.raw("only_to_customer") { appendDecimal(v, to: &$0) } }
            if let v = a.originatorID { o.raw("originator_id") { appendQuoted(v, to: &$0) } }
            if let v = a.clusterList { o.stringArray("cluster_list", v.map(\.description)) }
            if !a.unknown.isEmpty {
                o.stringArray("unknown_attributes", a.unknown.map { u in
                    "\(u.type):" + u.value.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
                })
            }
            if !a.warnings.isEmpty { o.stringArray("warnings", a.warnings.map { "byte offset \($0.offset): \($0.detail)" }) }
        }
        o.finish()
        out = o.out
    }

    static func recordName(_ e: BGPElement) -> String {
        MRTCommonHeader(timestamp: 0, type: e.recordType, subtype: e.subtype, length: 0).recordName
    }

    static func appendQuoted(_ v: some CustomStringConvertible, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: v.description.utf8)
        out.append(UInt8(ascii: "\""))
    }
}

/// Minimal JSON object writer with string escaping.
public struct JSONObjectWriter {
    public var out: [UInt8]
    var first = true

    public init(out: [UInt8] = []) {
        self.out = out
        self.out.append(UInt8(ascii: "{"))
    }

    mutating func key(_ k: String) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        JSONObjectWriter.appendString(k, to: &out)
        out.append(UInt8(ascii: ":"))
    }

    public mutating func raw(_ k: String, _ body: (inout [UInt8]) -> Void) {
        key(k)
        body(&out)
    }

    public mutating func string(_ k: String, _ v: String) {
        key(k)
        JSONObjectWriter.appendString(v, to: &out)
    }

    public mutating func stringArray(_ k: String, _ vs: [String]) {
        key(k)
        out.append(UInt8(ascii: "["))
        for (i, v) in vs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONObjectWriter.appendString(v, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    public mutating func finish() {
        out.append(UInt8(ascii: "}"))
        out.append(UInt8(ascii: "\n"))
    }

    public static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                let hex = Array("0123456789abcdef".utf8)
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
