/// Path attributes to encode, as plain values. `MRTWriter` turns them into
/// wire bytes; decoding those bytes gives back a `PathAttributes` with the
/// same values.
public struct AttributeSet: Sendable, Hashable {
    public var origin: Origin?
    public var asPath: ASPath?
    /// Written as is when set; otherwise, in 2-octet encodings, derived from
    /// `asPath` when it holds an AS number above 65535 (RFC 6793 §4.2.2).
    public var as4Path: ASPath?
    public var nextHop: IPAddress?
    public var multiExitDisc: UInt32?
    public var localPref: UInt32?
    public var atomicAggregate = false
    public var aggregator: Aggregator?
    public var communities: [Community]?
    public var originatorID: IPAddress?
    public var clusterList: [IPAddress]?
    public var extendedCommunities: [ExtendedCommunity]?
    public var largeCommunities: [LargeCommunity]?
    public var onlyToCustomer: UInt32?
    /// MP_REACH_NLRI: AFI, SAFI, next hop(s) and NLRI. In RIB entries only the
    /// next hop is written (RFC 6396 §4.3.4).
    public var mpReach: MPReachNLRI?
    public var mpUnreach: MPUnreachNLRI?
    public var unknown: [RawAttribute] = []

    public init(origin: Origin? = nil, asPath: ASPath? = nil, nextHop: IPAddress? = nil,
                multiExitDisc: UInt32? = nil, localPref: UInt32? = nil, communities: [Community]? = nil) {
        self.origin = origin
        self.asPath = asPath
        self.nextHop = nextHop
        self.multiExitDisc = multiExitDisc
        self.localPref = localPref
        self.communities = communities
    }
}
