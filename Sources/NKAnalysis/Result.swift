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
}

public struct Bin: Sendable, Equatable {
    public var start: Timestamp
    /// One per block, in `AnalysisResult.blocks` order.
    public var blocks: [BlockBin]
    /// Blocks routed (up for at least half of their known time in the bin).
    public var routed: Int
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
    /// The first moment a block went down, and when all were back.
    public var start: Timestamp
    public var end: Timestamp
    public var durationSeconds: Double { start.seconds(until: end) }
    public var kind: EpisodeKind
    public var blocks: [Prefix]
    /// Eligible peers that lost the route to a block during the episode.
    public var peersDown: [Peer]
    /// Largest share of eligible peers with a known state that had no route, at the worst moment.
    public var peersDownShare: Double
    /// Eligible peers with a known state at that moment.
    public var peersKnown: Int
    /// Longest stretch with every block down, seconds.
    public var allDownSeconds: Double
    public var label: Label
    /// The continuous-instability period this episode belongs to.
    public var period: Int?
    /// For a hard outage that follows a period of instability: how long that period ran before it, seconds.
    public var afterInstabilitySeconds: Double?
    /// In-scope updates during the episode.
    public var churn: Int
    /// The 6 h instability score at the episode's end.
    public var score: Double
    /// Why it got its label.
    public var explanation: String
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
    public var blocks: [Prefix]
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
