/// A set of prefixes answering "does this prefix overlap any of them?" (is a
/// more-specific of one, or covers one) in O(log n).
public struct PrefixSet: Sendable {
    var v4: [(UInt32, UInt32)] = []   // merged inclusive ranges
    var v6: [(UInt128, UInt128)] = []
    /// The first and last address the ranges cover: most prefixes fall
    /// outside a scope's span altogether and need no search. An empty family
    /// has low > high, which nothing passes.
    var v4Low = UInt32.max, v4High: UInt32 = 0
    var v6Low = UInt128.max, v6High: UInt128 = 0
    public private(set) var count = 0

    public init(_ prefixes: [Prefix]) {
        var r4: [(UInt32, UInt32)] = [], r6: [(UInt128, UInt128)] = []
        for p in prefixes {
            switch p.address {
            case .v4(let a):
                let span: UInt32 = p.length == 0 ? UInt32.max : (UInt32(1) << UInt32(32 - Int(p.length))) &- 1
                r4.append((a, a | span))
            case .v6(let hi, let lo):
                let a = UInt128(hi) << 64 | UInt128(lo)
                let span: UInt128 = p.length == 0 ? UInt128.max : (UInt128(1) << UInt128(128 - Int(p.length))) &- 1
                r6.append((a, a | span))
            }
        }
        v4 = Self.merge(r4)
        v6 = Self.merge(r6)
        if let first = v4.first, let last = v4.last { v4Low = first.0; v4High = last.1 }
        if let first = v6.first, let last = v6.last { v6Low = first.0; v6High = last.1 }
        count = prefixes.count
    }

    static func merge<T: FixedWidthInteger>(_ ranges: [(T, T)]) -> [(T, T)] {
        let sorted = ranges.sorted { $0.0 < $1.0 }
        var out: [(T, T)] = []
        for r in sorted {
            if let last = out.last, r.0 <= last.1 || (last.1 != T.max && r.0 == last.1 + 1) {
                out[out.count - 1].1 = max(last.1, r.1)
            } else {
                out.append(r)
            }
        }
        return out
    }

    static func intersects<T: FixedWidthInteger>(_ ranges: [(T, T)], _ a: T, _ b: T) -> Bool {
        // Last range starting at or before b.
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].0 <= b { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return false }
        return ranges[lo - 1].1 >= a
    }

    /// `overlaps` for an IPv4 prefix given as its address and length (bits past the length are ignored).
    @inline(__always)
    public func overlapsIPv4(_ address: UInt32, length: Int) -> Bool {
        let span: UInt32 = length == 0 ? UInt32.max : (UInt32(1) << UInt32(32 &- length)) &- 1
        let a = address & ~span
        if a > v4High || a | span < v4Low { return false }
        return Self.intersects(v4, a, a | span)
    }

    /// `overlaps` for an IPv6 prefix given as its address halves and length.
    @inline(__always)
    public func overlapsIPv6(hi: UInt64, lo: UInt64, length: Int) -> Bool {
        let span: UInt128 = length == 0 ? UInt128.max : (UInt128(1) << UInt128(128 &- length)) &- 1
        let a = (UInt128(hi) << 64 | UInt128(lo)) & ~span
        if a > v6High || a | span < v6Low { return false }
        return Self.intersects(v6, a, a | span)
    }

    /// True when `p` is one of the prefixes, a more-specific of one, or a less-specific covering one.
    @inline(__always)
    public func overlaps(_ p: Prefix) -> Bool {
        switch p.address {
        case .v4(let a):
            if v4.isEmpty { return false }
            let span: UInt32 = p.length == 0 ? UInt32.max : (UInt32(1) << UInt32(32 - Int(p.length))) &- 1
            return Self.intersects(v4, a, a | span)
        case .v6(let hi, let lo):
            if v6.isEmpty { return false }
            let a = UInt128(hi) << 64 | UInt128(lo)
            let span: UInt128 = p.length == 0 ? UInt128.max : (UInt128(1) << UInt128(128 - Int(p.length))) &- 1
            return Self.intersects(v6, a, a | span)
        }
    }
}
