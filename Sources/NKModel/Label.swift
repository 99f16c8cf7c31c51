/// What an episode or a period was: the method's verdict words
/// (docs/method.md). The raw values are the spelling of every output.
public enum Label: String, Sendable, Codable, CaseIterable {
    /// Shorter than `hardMin`, and no other episode within `isolation`.
    case isolatedBlip = "isolated_blip"
    /// One of a run of at least `minClusterEpisodes` episodes with gaps under `isolation`.
    case continuousInstability = "continuous_instability"
    /// At least `hardMin` with at least `hardExtent` of the routed address space down.
    case hardOutage = "hard_outage"
    /// At least `hardMin` long, with less than `hardExtent` of the routed
    /// address space down for `hardMin`.
    case partialOutage = "partial_outage"
    /// Shorter than `hardMin`, near other episodes, but too few to be instability.
    case shortOutage = "short_outage"
}
