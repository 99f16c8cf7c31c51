/// An error found while framing or decoding MRT data. Tests assert `code`,
/// never the message text.
public struct MRTError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Opaque error code; an unknown code is data, not a crash.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let truncatedHeader = Code(rawValue: "truncated-header")
        public static let truncatedRecord = Code(rawValue: "truncated-record")
        public static let recordTooLarge = Code(rawValue: "record-too-large")
        public static let badLength = Code(rawValue: "bad-length")
        public static let shortBody = Code(rawValue: "short-body")
        public static let trailingBytes = Code(rawValue: "trailing-bytes")
        public static let badPrefixLength = Code(rawValue: "bad-prefix-length")
        public static let badAFI = Code(rawValue: "bad-afi")
        public static let badMarker = Code(rawValue: "bad-marker")
        public static let badMessageLength = Code(rawValue: "bad-message-length")
        public static let badAttribute = Code(rawValue: "bad-attribute")
        public static let attributeOverrun = Code(rawValue: "attribute-overrun")
        public static let missingPeerIndexTable = Code(rawValue: "missing-peer-index-table")
        public static let badPeerIndex = Code(rawValue: "bad-peer-index")
        public static let unsupported = Code(rawValue: "unsupported")
        public static let notMRT = Code(rawValue: "not-mrt")
        /// RFC 7606 warnings on an element: an attribute dropped, a duplicate
        /// ignored, announcements treated as withdrawals.
        public static let attributeDiscarded = Code(rawValue: "attribute-discarded")
        public static let duplicateAttribute = Code(rawValue: "duplicate-attribute")
        public static let treatAsWithdraw = Code(rawValue: "treat-as-withdraw")
    }

    public var code: Code
    /// Absolute byte offset in the (decompressed) MRT stream where the problem is.
    public var offset: Int
    /// "TYPE/SUBTYPE" of the record concerned, when known.
    public var record: String?
    public var detail: String

    public init(_ code: Code, offset: Int, record: String? = nil, _ detail: String) {
        self.code = code
        self.offset = offset
        self.record = record
        self.detail = detail
    }

    public var description: String {
        var s = "byte offset \(offset)"
        if let record { s += ", \(record) record" }
        return s + ": " + detail
    }
}

extension MRTError {
    @inline(never)
    static func short(_ what: String, at offset: Int, record: String? = nil) -> MRTError {
        MRTError(.shortBody, offset: offset, record: record, "\(what) runs past the end of its enclosing data")
    }
}
