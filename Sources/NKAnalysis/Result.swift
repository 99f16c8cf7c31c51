import MRT
import NKModel

/// A block's state in a bin.
public enum BlockState: String, Sendable, Codable {
    /// Reachable the whole known part of the bin.
    case up
    /// Down for part of the bin.
    case partial
    /// Down the whole known part of the bin.
    case down
    /// Too few eligible peers with a known state the whole bin.
    case unknown
}

public struct BlockBin: Sendable, Equatable {
    public var state: BlockState
    /// Time-weighted share of eligible peers with a route, over those with a known state; nil if unknown.
    public var visibility: Double?
    /// Seconds down within the bin.
    public var downSeconds: Double
    /// Eligible peers with a known state at the bin's end.
    public var knownPeers: Int
    /// Up for at least half of its known time in the bin (counted in `Bin.routed`).
    public var routed: Bool
}

public struct Bin: Sendable, Equatable {
    public var start: Timestamp
    /// One per block, in `AnalysisResult.blocks` order.
    public var blocks: [BlockBin]
    /// Blocks routed (up for at least half of their known time in the bin).
    public var routed: Int
    /// The address space of the routed blocks, in /24 equivalents (IODA's BGP signal).
    public var routedSlash24: Double
    public var announcements: Int
    public var withdrawals: Int
    /// Announcements that changed the AS path of a route the peer already had.
    public var pathChanges: Int
    public var churn: Int { announcements + withdrawals }
}

/// Whether every block went down during an episode.
public enum EpisodeKind: String, Sendable, Codable {
    /// At some moment every block was down.
    case full
    /// Some blocks stayed up throughout.
    case partial
}

public struct Episode: Sendable, Equatable {
    /// The first moment a block went down (looked up before the range when
    /// the data has it), and when all were back — or, for an ongoing
    /// episode, the last moment it was known to be down.
    public var start: Timestamp
    public var end: Timestamp
    /// Still down at the end of the range or of the data.
    public var ongoing: Bool
    public var durationSeconds: Double { start.seconds(until: end) }
    public var kind: EpisodeKind
    public var blocks: [Prefix]
    /// Eligible peers that lost the route to a block during the episode.
    public var peersDown: [Peer]
    /// Largest share of eligible peers with a known state that had no route, at the worst moment.
    public var peersDownShare: Double
    /// Eligible peers with a known state at that moment.
    public var peersKnown: Int
    /// Longest stretch with every routed block down, seconds.
    public var allDownSeconds: Double
    /// The extent at the worst moment (the largest share of routed address
    /// space down): blocks down, routed blocks (with a known state), and
    /// their address space in /24 equivalents.
    public var extent: Extent
    /// Longest stretch with at least `hardExtent` of the routed address space down, seconds.
    public var hardSeconds: Double
    public var label: Label
    /// The continuous-instability period this episode belongs to.
    public var period: Int?
    /// For an outage of at least `hardMin` less than `isolation` after an instability period: that period.
    public var followsPeriod: Int?
    /// For a hard outage that follows a period of instability: how long that period ran before it, seconds.
    public var afterInstabilitySeconds: Double?
    /// In-scope updates during the episode.
    public var churn: Int
    /// The 6 h instability score at the episode's end.
    public var score: Double
    /// Why it got its label.
    public var explanation: String
}

/// How much of the scope an episode took down, at its worst moment.
public struct Extent: Sendable, Equatable {
    public var blocksDown: Int
    public var blocksRouted: Int
    public var slash24Down: Double
    public var slash24Routed: Double
    /// Share of the routed address space down (0–1).
    public var spaceShare: Double { slash24Routed > 0 ? slash24Down / slash24Routed : 0 }
    public init(blocksDown: Int, blocksRouted: Int, slash24Down: Double, slash24Routed: Double) {
        self.blocksDown = blocksDown
        self.blocksRouted = blocksRouted
        self.slash24Down = slash24Down
        self.slash24Routed = slash24Routed
    }
}

/// Which way an instability period went over its course.
public enum TrendDirection: String, Sendable, Codable {
    case increasing, steady, decreasing
}

/// The measures of one third of a period.
public struct TrendThird: Sendable, Equatable {
    /// Episodes starting in the third, per hour.
    public var ratePerHour: Double
    /// Longest episode starting in the third, seconds.
    public var longestSeconds: Double
    /// Share of the third with a block down.
    public var downtimeShare: Double
}

/// The trend of an instability period: the first and last thirds of its
/// course compared, and Kendall's τ of the episodes' lengths and of the gaps
/// between them against time (robust to a few odd points).
public struct Trend: Sendable, Equatable {
    public var direction: TrendDirection
    public var first: TrendThird
    public var middle: TrendThird
    public var last: TrendThird
    /// Kendall's τ of episode length against start time (−1 … 1).
    public var tauLength: Double
    /// Kendall's τ of the gap to the next episode against time (−1 … 1).
    public var tauGap: Double
    /// "increasing: from 0.6 to 1.8 outages per hour, longest from 8 min to 35 min, down 12 % → 48 %".
    public var text: String
}

public struct Period: Sendable, Equatable {
    public var id: Int
    public var label: Label
    public var start: Timestamp
    public var end: Timestamp
    public var episodes: Int
    public var ratePerHour: Double
    public var downtimeShare: Double
    public var medianGapSeconds: Double
    /// Coefficient of variation of the gaps between episodes (low: a steady beat).
    public var gapCV: Double
    public var longestEpisodeSeconds: Double
    public var churn: Int
    public var score: Double
    public var trend: Trend
    public var explanation: String
}

/// A stretch the analysis did not count, and why.
public struct Discounted: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// A peer's BGP session was down or settling: its routes say nothing.
        case sessionReset = "session_reset"
        /// No update file of the collector covers the time.
        case dataGap = "data_gap"
    }
    public var kind: Kind
    /// The peer or the collector.
    public var what: String
    public var start: Timestamp
    public var end: Timestamp
    /// What it was, when more than the kind says (an incomplete RIB dump).
    public var detail: String?

    public init(kind: Kind, what: String, start: Timestamp, end: Timestamp, detail: String? = nil) {
        self.kind = kind
        self.what = what
        self.start = start
        self.end = end
        self.detail = detail
    }
}

/// The instability score's windows.
public enum ScoreWindow: String, Sendable, CaseIterable {
    case oneHour = "1h", sixHours = "6h", day = "24h"
    public var seconds: Int64 {
        switch self { case .oneHour: return 3600; case .sixHours: return 21600; case .day: return 86400 }
    }
}

public struct AnalysisResult: Sendable {
    public var parameters: Parameters
    public var from: Timestamp
    public var to: Timestamp
    /// The routed blocks: the scope's blocks some peer routed before the end of the range.
    public var blocks: [Prefix]
    /// Per block: the origin ASN its announcements carried most (nil: none seen).
    public var blockOrigins: [UInt32?]
    /// Per block: the scope prefix (allocation) that holds it.
    public var blockAllocations: [Prefix?]
    /// Blocks of the scope no peer routed before the end of the range: not
    /// networks that went down; left out of every share.
    public var neverRouted: [Prefix]
    /// Routed blocks whose state was never known in the range (no eligible
    /// peers of their address family): unknown, never down.
    public var unknownBlocks: [Prefix]
    /// The end of the data: the last moment an update file of any collector covers.
    public var dataEnd: Timestamp?
    /// Pairs of consecutive episodes less than a bin apart: a bin view shows each pair as one.
    public var binMerges: Int
    public var bins: [Bin]
    public var episodes: [Episode]
    public var periods: [Period]
    /// Instability score per bin (0–100) for each window ending at each bin's end.
    public var scores: [ScoreWindow: [Double]]
    public var peers: Int
    public var eligiblePeers: Int
    public var collectors: [String]
    /// Times a RIB dump disagreed with the state updates had built.
    public var ribDisagreements: Int
    public var discounted: [Discounted]
    public var warnings: [String]
    public var verdict: String
}

extension Discounted.Kind {
    /// "data gap", "peer session reset".
    public var prose: String {
        switch self {
        case .dataGap: return "data gap"
        case .sessionReset: return "peer session reset"
        }
    }
}

/// What the analysis could not see: for commands and checks that must not
/// pass on data they never had (docs/method.md, "Unknown coverage").
extension AnalysisResult {
    /// No routed block had a known state in any bin of the range: no data
    /// for the range (no files, or no eligible peers), nothing can be said.
    public var seesNothing: Bool { bins.isEmpty || blocks.isEmpty || unknownBlocks.count == blocks.count }

    /// The longest stretch of consecutive bins in which some routed block
    /// (of a family the eligible peers carry) had an unknown state; nil when
    /// every such block was known in every bin.
    public var longestBlindStretch: (start: Timestamp, end: Timestamp)? {
        let watched = Set(unknownBlocks)
        let indices = blocks.indices.filter { !watched.contains(blocks[$0]) }
        guard !indices.isEmpty else { return bins.isEmpty ? nil : (from, to) }
        var best: (Int, Int)? = nil
        var runStart: Int? = nil
        for (i, b) in bins.enumerated() {
            let blind = indices.contains { b.blocks[$0].state == .unknown }
            if blind {
                if runStart == nil { runStart = i }
                if let s = runStart, best.map({ i + 1 - s > $0.1 - $0.0 }) ?? true { best = (s, i + 1) }
            } else {
                runStart = nil
            }
        }
        guard let (s, e) = best else { return nil }
        let binUS = parameters.binSeconds * 1_000_000
        let end = bins[e - 1].start.adding(microseconds: binUS)
        return (bins[s].start, min(end, to))
    }
}
