import MRT
import NKModel

/// The routed blocks of a result grouped by origin ASN or by allocation (the
/// scope prefix that holds them: a delegation, or a prefix given): how a
/// scope of hundreds of blocks is read before its blocks one by one.
public enum BlockGroups {
    public struct Group: Sendable, Equatable {
        /// The origin ASN (for groups by origin; nil: none seen).
        public var origin: UInt32?
        /// The allocation (for groups by allocation).
        public var allocation: Prefix?
        /// Indices into `AnalysisResult.blocks`.
        public var blocks: [Int]
        /// Their address space in /24 equivalents.
        public var slash24: Double

        /// "AS131279", "175.45.176.0/22", "no origin seen".
        public var name: String {
            if let allocation { return allocation.description }
            return origin.map { "AS\($0)" } ?? "no origin seen"
        }
    }

    /// Largest address space first, then by name.
    static func sorted(_ groups: [Group]) -> [Group] {
        groups.sorted { a, b in
            if a.slash24 != b.slash24 { return a.slash24 > b.slash24 }
            if a.origin != b.origin { return (a.origin ?? .max) < (b.origin ?? .max) }
            return (a.allocation.map { [$0] } ?? []).lexicographicallyPrecedes(b.allocation.map { [$0] } ?? [])
        }
    }

    public static func byOrigin(_ r: AnalysisResult) -> [Group] {
        var groups: [UInt32?: Group] = [:]
        for (i, b) in r.blocks.enumerated() {
            let o = i < r.blockOrigins.count ? r.blockOrigins[i] : nil
            groups[o, default: Group(origin: o, allocation: nil, blocks: [], slash24: 0)].blocks.append(i)
            groups[o]!.slash24 += Double(b.slash24Equivalents)
        }
        return sorted(Array(groups.values))
    }

    public static func byAllocation(_ r: AnalysisResult) -> [Group] {
        var groups: [Prefix?: Group] = [:]
        for (i, b) in r.blocks.enumerated() {
            let a = i < r.blockAllocations.count ? r.blockAllocations[i] : nil
            groups[a, default: Group(origin: nil, allocation: a, blocks: [], slash24: 0)].blocks.append(i)
            groups[a]!.slash24 += Double(b.slash24Equivalents)
        }
        return sorted(Array(groups.values))
    }

    /// "300 blocks in 12 allocations, 4 origin ASNs".
    public static func summary(_ r: AnalysisResult) -> String {
        let n = r.blocks.count
        let allocations = Set(r.blockAllocations.compactMap { $0 }).count
        let origins = Set(r.blockOrigins.compactMap { $0 }).count
        var text = "\(n) block\(n == 1 ? "" : "s")"
        if allocations > 0 { text += " in \(allocations) allocation\(allocations == 1 ? "" : "s")" }
        if origins > 0 { text += ", \(origins) origin ASN\(origins == 1 ? "" : "s")" }
        let space = r.blocks.reduce(0.0) { $0 + Double($1.slash24Equivalents) }
        text += ", " + slash24Text(space) + " /24s"
        return text
    }

    /// "1 024", "0.5".
    public static func slash24Text(_ v: Double) -> String {
        if v < 1 { return String(format: "%.2g", v) }
        let n = Int(v.rounded())
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += " " }
            out.append(d)
        }
        return out
    }
}
