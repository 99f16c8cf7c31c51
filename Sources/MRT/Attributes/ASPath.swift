/// AS_PATH segment type (RFC 4271 §4.3, RFC 5065). Unknown codes are data.
public struct ASPathSegmentType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let set = ASPathSegmentType(rawValue: 1)
    public static let sequence = ASPathSegmentType(rawValue: 2)
    public static let confedSequence = ASPathSegmentType(rawValue: 3)
    public static let confedSet = ASPathSegmentType(rawValue: 4)
    public var isKnown: Bool { rawValue >= 1 && rawValue <= 4 }
    public var isSet: Bool { self == .set || self == .confedSet }
    public var isConfed: Bool { self == .confedSequence || self == .confedSet }
}

public struct ASPathSegment: Hashable, Sendable {
    public var type: ASPathSegmentType
    public var asns: [UInt32]
    public init(type: ASPathSegmentType, asns: [UInt32]) {
        self.type = type
        self.asns = asns
    }
}

/// AS_PATH (type 2) and AS4_PATH (type 17).
///
/// RFC 4271 §4.3: "AS_PATH is a well-known mandatory attribute that is composed
/// of a sequence of AS path segments. Each AS path segment is represented by a
/// triple <path segment type, path segment length, path segment value>."
/// RFC 6793 §3: in a session between 2-octet speakers each AS number is 2
/// octets; otherwise 4.
public struct ASPath: Hashable, Sendable {
    public var segments: [ASPathSegment]
    public init(segments: [ASPathSegment]) { self.segments = segments }

    static func decode(_ r: inout ByteReader, asnLength: Int, record: String?) throws(MRTError) -> ASPath {
        var segments: [ASPathSegment] = []
        while !r.isAtEnd {
            let at = r.offset
            guard let t = r.readUInt8(), let n = r.readUInt8() else {
                throw MRTError(.badAttribute, offset: at, record: record, "AS_PATH segment header is cut short")
            }
            let type = ASPathSegmentType(rawValue: t)
            guard type.isKnown else {
                throw MRTError(.badAttribute, offset: at, record: record, "AS_PATH segment type \(t) is not 1-4")
            }
            guard r.remaining >= Int(n) * asnLength else {
                throw MRTError(.badAttribute, offset: at, record: record,
                               "AS_PATH segment of \(n) ASNs needs \(Int(n) * asnLength) bytes, \(r.remaining) remain")
            }
            var asns: [UInt32] = []
            asns.reserveCapacity(Int(n))
            for _ in 0..<n {
                asns.append(asnLength == 4 ? (r.readUInt32() ?? 0) : UInt32(r.readUInt16() ?? 0))
            }
            segments.append(ASPathSegment(type: type, asns: asns))
        }
        return ASPath(segments: segments)
    }

    /// Path length as RFC 4271 §9.1.2.2 counts it: a SET counts one, and
    /// confederation segments count nothing (RFC 5065 §5.3).
    public var routeSelectionLength: Int {
        segments.reduce(0) { n, s in
            switch s.type {
            case .sequence: return n + s.asns.count
            case .set: return n + 1
            default: return n
            }
        }
    }

    /// The origin AS: the last AS of a trailing AS_SEQUENCE, or the only member
    /// of a trailing one-element AS_SET; nil when the path ends in a larger set
    /// or is empty.
    public var originASN: UInt32? {
        guard let last = segments.last(where: { !$0.type.isConfed }) else { return nil }
        if last.type == .sequence { return last.asns.last }
        return last.asns.count == 1 ? last.asns[0] : nil
    }

    /// Every AS number in order, sets flattened.
    public var allASNs: [UInt32] { segments.flatMap(\.asns) }

    /// RFC 6793 §4.2.3: rebuild the full path from AS_PATH and AS4_PATH. The
    /// leading ASNs of AS_PATH that AS4_PATH lacks are kept, then AS4_PATH
    /// follows. If AS_PATH is shorter than AS4_PATH, AS4_PATH is ignored.
    public static func merge(asPath: ASPath, as4Path: ASPath) -> ASPath {
        let keep = asPath.routeSelectionLength - as4Path.routeSelectionLength
        if keep < 0 { return asPath }
        var out: [ASPathSegment] = []
        var count = 0
        for seg in asPath.segments where count < keep {
            switch seg.type {
            case .sequence:
                let take = min(seg.asns.count, keep - count)
                out.append(ASPathSegment(type: .sequence, asns: Array(seg.asns.prefix(take))))
                count += take
            case .set:
                out.append(seg)
                count += 1
            default:
                out.append(seg)
            }
        }
        out.append(contentsOf: as4Path.segments.filter { !$0.type.isConfed })
        return ASPath(segments: out)
    }
}

extension ASPath: CustomStringConvertible {
    /// The conventional text form: sequences space-separated, `{a,b}` for a
    /// set, `(a b)` for a confederation sequence, `[a,b]` for a confederation set.
    public var description: String {
        var out: [UInt8] = []
        appendText(to: &out, limit: Int.max)
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes the path as bgpdump does; when the text passes `limit` bytes it
    /// stops with "..." (bgpdump's 8000-byte buffer gives a limit of 7900).
    public func appendText<O: ByteOutput>(to out: inout O, limit: Int) {
        let startCount = out.count
        var space = false
        var previous: ASPathSegmentType = .sequence
        for seg in segments {
            if previous != .sequence { out.put(Self.delimiter(previous, start: false)) }
            if space { out.put(UInt8(ascii: " ")) }
            if seg.type != .sequence { out.put(Self.delimiter(seg.type, start: true)) }
            space = false
            for asn in seg.asns {
                if space { out.put(seg.type.isSet ? UInt8(ascii: ",") : UInt8(ascii: " ")) } else { space = true }
                appendDecimal(asn, to: &out)
                if out.count - startCount > limit {
                    out.put(Self.ellipsis)
                    return
                }
            }
            previous = seg.type
        }
        if let last = segments.last, last.type != .sequence { out.put(Self.delimiter(last.type, start: false)) }
    }

    static let ellipsis: [UInt8] = [46, 46, 46]

    static func delimiter(_ t: ASPathSegmentType, start: Bool) -> UInt8 {
        switch t {
        case .set: return start ? UInt8(ascii: "{") : UInt8(ascii: "}")
        case .confedSet: return start ? UInt8(ascii: "[") : UInt8(ascii: "]")
        case .confedSequence: return start ? UInt8(ascii: "(") : UInt8(ascii: ")")
        default: return UInt8(ascii: " ")
        }
    }
}
