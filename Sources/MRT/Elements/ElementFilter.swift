/// Which elements to keep, as `nkwatch dump` filters them (and bgpkit-parser
/// keeps its filters beside its parser): an empty list keeps everything of
/// that kind; the conditions combine with AND.
public struct ElementFilter: Sendable {
    /// Keep these prefixes and their more-specifics.
    public var prefixes: [Prefix]
    /// Keep announcements and RIB entries whose origin AS is one of these.
    public var originASNs: Set<UInt32>
    public var peerASNs: Set<UInt32>
    public var peerIPs: Set<IPAddress>
    public var kinds: Set<ElementKind>
    /// Keep elements at or after this time, microseconds since the epoch.
    public var fromMicros: Int64?
    /// Keep elements before this time.
    public var toMicros: Int64?

    public init(prefixes: [Prefix] = [], originASNs: Set<UInt32> = [], peerASNs: Set<UInt32> = [], peerIPs: Set<IPAddress> = [],
                kinds: Set<ElementKind> = [], fromMicros: Int64? = nil, toMicros: Int64? = nil) {
        self.prefixes = prefixes
        self.originASNs = originASNs
        self.peerASNs = peerASNs
        self.peerIPs = peerIPs
        self.kinds = kinds
        self.fromMicros = fromMicros
        self.toMicros = toMicros
    }

    public var isEmpty: Bool {
        prefixes.isEmpty && originASNs.isEmpty && peerASNs.isEmpty && peerIPs.isEmpty && kinds.isEmpty && fromMicros == nil && toMicros == nil
    }

    /// Attributes are decoded only for the prefixes kept, when a prefix filter is given.
    public var attributeFilter: AttributeFilter? {
        guard !prefixes.isEmpty else { return nil }
        let ps = prefixes
        return { p in ps.contains { $0.contains(p) } }
    }

    public func accepts(_ e: BGPElement) -> Bool {
        if !kinds.isEmpty && !kinds.contains(e.kind) { return false }
        if !peerASNs.isEmpty && !peerASNs.contains(e.peerASN) { return false }
        if !peerIPs.isEmpty && !peerIPs.contains(e.peerIP) { return false }
        if let f = fromMicros, e.timeMicros < f { return false }
        if let t = toMicros, e.timeMicros >= t { return false }
        if !prefixes.isEmpty {
            guard let p = e.prefix, prefixes.contains(where: { $0.contains(p) }) else { return false }
        }
        if !originASNs.isEmpty {
            guard let o = e.attributes?.originASN, originASNs.contains(o) else { return false }
        }
        return true
    }
}
