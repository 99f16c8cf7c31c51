import MRT

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

public struct BlockBin: Sendable, Codable, Equatable {
    public var state: BlockState
    /// Time-weighted share of eligible peers with a route, over those with a known state; nil if unknown.
    public var visibility: Double?
    /// Seconds down within the bin.
    public var downSeconds: Double
    /// Eligible peers with a known state at the bin's end.
    public var knownPeers: Int
}

public struct Bin: Sendable, Codable, Equatable {
    /// Bin start, seconds since the epoch.
    public var start: Int64
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

public enum Label: String, Sendable, Codable {
    case isolatedBlip = "isolated_blip"
    case continuousInstability = "continuous_instability"
    case hardOutage = "hard_outage"
    /// Shorter than hardMin, near other episodes, but too few to be instability.
    case shortOutage = "short_outage"
}

public struct Episode: Sendable, Codable, Equatable {
    /// Microseconds: the first moment a block went down, and when all were back.
    public var start: Int64
    public var end: Int64
    public var durationSeconds: Double { Double(end - start) / 1e6 }
    /// `full` if at some moment every block was down, else `partial`.
    public var kind: String
    public var blocks: [String]
    /// Eligible peers that lost the route to a block during the episode.
    public var peersDown: [PeerRef]
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

public struct Period: Sendable, Codable, Equatable {
    public var id: Int
    public var label: Label
    public var start: Int64
    public var end: Int64
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
public struct Discounted: Sendable, Codable, Equatable {
    public var kind: String      // "session_reset", "data_gap"
    public var what: String      // peer or collector
    public var start: Int64
    public var end: Int64
}

public struct AnalysisResult: Sendable, Codable {
    public var parameters: Parameters
    public var from: Int64
    public var to: Int64
    public var blocks: [String]
    public var bins: [Bin]
    public var episodes: [Episode]
    public var periods: [Period]
    /// Instability score per bin (0–100) for the 1 h, 6 h and 24 h windows ending at each bin's end.
    public var scores: [String: [Double]]
    public var peers: Int
    public var eligiblePeers: Int
    public var collectors: [String]
    /// Times a RIB dump disagreed with the state updates had built.
    public var ribDisagreements: Int
    public var discounted: [Discounted]
    public var warnings: [String]
    public var verdict: String
}
