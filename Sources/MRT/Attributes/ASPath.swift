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
///
/// The segments are kept flat, in one array for the whole path: a word with
/// the segment's type (top 8 bits) and its number of ASNs (the other 24),
/// then its ASNs. A path is decoded once per message, and an array per
/// segment was a second allocation and free for almost every message
/// (`segments` gives them as values).
public struct ASPath: Hashable, Sendable {
    var words: [UInt32]

    public init(segments: [ASPathSegment]) {
        words = []
        words.reserveCapacity(segments.reduce(0) { $0 + 1 + $1.asns.count })
        for seg in segments { Self.append(seg.type, seg.asns, to: &words) }
    }

    init(words: [UInt32]) { self.words = words }

    static func append(_ type: ASPathSegmentType, _ asns: [UInt32], to words: inout [UInt32]) {
        precondition(asns.count < 1 << 24, "an AS path segment of 2^24 ASNs or more")
        words.append(UInt32(type.rawValue) << 24 | UInt32(asns.count))
        words.append(contentsOf: asns)
    }

    /// The segments, in order.
    public var segments: [ASPathSegment] {
        get {
            var out: [ASPathSegment] = []
            forEachSegment { type, asns in out.append(ASPathSegment(type: type, asns: Array(asns))) }
            return out
        }
        set { self = ASPath(segments: newValue) }
    }

    /// Calls `body` with each segment's type and ASNs, in order, without
    /// making arrays.
    @inline(__always)
    func forEachSegment(_ body: (ASPathSegmentType, UnsafeBufferPointer<UInt32>) -> Void) {
        words.withUnsafeBufferPointer { w in
            var i = 0
            while i < w.count {
                let head = w[i]
                let n = Int(head & 0xFF_FFFF)
                body(ASPathSegmentType(rawValue: UInt8(head >> 24)), UnsafeBufferPointer(rebasing: w[(i + 1)..<(i + 1 + n)]))
                i += 1 + n
            }
        }
    }

    static func decode(_ r: inout ByteReader, asnLength: Int, record: String?) throws(MRTError) -> ASPath {
        var words: [UInt32] = []
        // Room for every ASN the bytes can hold and one segment's word.
        words.reserveCapacity(r.remaining / asnLength + 1)
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
            words.append(UInt32(t) << 24 | UInt32(n))
            for _ in 0..<n {
                words.append(asnLength == 4 ? (r.readUInt32() ?? 0) : UInt32(r.readUInt16() ?? 0))
            }
        }
        return ASPath(words: words)
    }

    /// Path length as RFC 4271 §9.1.2.2 counts it: a SET counts one, and
    /// confederation segments count nothing (RFC 5065 §5.3).
    public var routeSelectionLength: Int {
        var n = 0
        forEachSegment { type, asns in
            switch type {
            case .sequence: n += asns.count
            case .set: n += 1
            default: break
            }
        }
        return n
    }

    /// The origin AS: the last AS of a trailing AS_SEQUENCE, or the only member
    /// of a trailing one-element AS_SET; nil when the path ends in a larger set
    /// or is empty.
    public var originASN: UInt32? {
        var origin: UInt32? = nil
        var any = false
        forEachSegment { type, asns in
            guard !type.isConfed else { return }
            any = true
            origin = type == .sequence ? asns.last : (asns.count == 1 ? asns[0] : nil)
        }
        return any ? origin : nil
    }

    /// Every AS number in order, sets flattened.
    public var allASNs: [UInt32] {
        var out: [UInt32] = []
        forEachSegment { _, asns in out.append(contentsOf: asns) }
        return out
    }

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
        var cut = false
        forEachSegment { type, asns in
            guard !cut else { return }
            if previous != .sequence { out.put(Self.delimiter(previous, start: false)) }
            if space { out.put(UInt8(ascii: " ")) }
            if type != .sequence { out.put(Self.delimiter(type, start: true)) }
            space = false
            let separator = type.isSet ? UInt8(ascii: ",") : UInt8(ascii: " ")
            for asn in asns {
                if space { out.put(separator) } else { space = true }
                appendDecimal(asn, to: &out)
                if out.count - startCount > limit {
                    out.put(Self.ellipsis)
                    cut = true
                    return
                }
            }
            previous = type
        }
        if !cut && previous != .sequence { out.put(Self.delimiter(previous, start: false)) }
    }

    static var ellipsis: StaticString { "..." }

    static func delimiter(_ t: ASPathSegmentType, start: Bool) -> UInt8 {
        switch t {
        case .set: return start ? UInt8(ascii: "{") : UInt8(ascii: "}")
        case .confedSet: return start ? UInt8(ascii: "[") : UInt8(ascii: "]")
        case .confedSequence: return start ? UInt8(ascii: "(") : UInt8(ascii: ")")
        default: return UInt8(ascii: " ")
        }
    }
}
