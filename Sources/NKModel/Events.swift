import MRT

/// An in-scope route event as the store keeps it and the analysis reads it:
/// an announcement, a withdrawal, or a route in a RIB dump, of one prefix at
/// one peer. (`BGPElement` is the decoder's full element; this is what of it
/// the outage analysis needs.)
public struct RouteEvent: Hashable, Sendable {
    public var time: Timestamp
    public var peer: Peer
    /// `.announce`, `.withdraw` or `.rib` (never `.state`).
    public var kind: ElementKind
    public var prefix: Prefix
    /// The AS path after the RFC 6793 merge, as text; nil for withdrawals.
    public var asPath: String?
    public var originASN: UInt32?
    public var nextHop: IPAddress?

    public init(time: Timestamp, peer: Peer, kind: ElementKind, prefix: Prefix, asPath: String? = nil,
                originASN: UInt32? = nil, nextHop: IPAddress? = nil) {
        self.time = time
        self.peer = peer
        self.kind = kind
        self.prefix = prefix
        self.asPath = asPath
        self.originASN = originASN
        self.nextHop = nextHop
    }
}

/// A BGP session state change of a peer (an MRT STATE_CHANGE record).
public struct SessionChange: Hashable, Sendable {
    public var time: Timestamp
    public var peer: Peer
    public var old: BGPState
    public var new: BGPState

    public init(time: Timestamp, peer: Peer, old: BGPState, new: BGPState) {
        self.time = time
        self.peer = peer
        self.old = old
        self.new = new
    }

    /// The session comes up: it enters Established.
    public var isUp: Bool { new == .established && old != .established }
    /// The session goes down: it leaves Established. Transitions between
    /// other states, and states outside RFC 6396's 1–6 (FRR's 7 Clearing and
    /// 8 Deleted), are not session changes.
    public var isDown: Bool { old == .established && new != .established }
}

/// A table's size: how many IPv4 and IPv6 prefixes a peer had in a RIB
/// dump. It tells full-feed peers from partial ones.
public struct TableSize: Hashable, Sendable {
    public var ipv4: Int
    public var ipv6: Int
    public init(ipv4: Int, ipv6: Int) {
        self.ipv4 = ipv4
        self.ipv6 = ipv6
    }
}

/// One peer's table in one RIB dump.
public struct RIBTableSize: Hashable, Sendable {
    public var time: Timestamp
    public var peer: Peer
    public var size: TableSize

    public init(time: Timestamp, peer: Peer, size: TableSize) {
        self.time = time
        self.peer = peer
        self.size = size
    }
}

/// A stretch of time at one collector, [start, end): the time its update
/// files cover, or a data gap they leave.
public struct CollectorInterval: Hashable, Sendable, Comparable {
    public var collector: String
    public var start: Timestamp
    public var end: Timestamp

    public init(collector: String, start: Timestamp, end: Timestamp) {
        self.collector = collector
        self.start = start
        self.end = end
    }

    public static func < (a: CollectorInterval, b: CollectorInterval) -> Bool {
        (a.collector, a.start, a.end) < (b.collector, b.start, b.end)
    }

    /// The stretches of [`from`, `to`) that `covered` (intervals of one
    /// collector) leaves out, after the first covered moment.
    public static func gaps(collector: String, covered: [CollectorInterval], until to: Timestamp) -> [CollectorInterval] {
        let sorted = covered.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
        guard var reach = sorted.first?.end else { return [] }
        var out: [CollectorInterval] = []
        for iv in sorted.dropFirst() {
            if iv.start > reach { out.append(CollectorInterval(collector: collector, start: reach, end: iv.start)) }
            reach = max(reach, iv.end)
        }
        if reach < to { out.append(CollectorInterval(collector: collector, start: reach, end: to)) }
        return out
    }
}

/// How often a collector writes an update file, and so the time each of its
/// files covers: from the time in its name for one cadence (the archives'
/// layout), never only up to its last record — a quiet minute at the end of
/// a file is not a data gap.
public enum UpdateCadence {
    /// The most common spacing between the collector's consecutive file
    /// times when at least two spacings agree (RIS wrote 15-minute files
    /// until the late 2000s and 5-minute ones since; a private collector
    /// writes what it writes); else the project's interval; else the one
    /// spacing there is; nil with fewer than two files and no interval.
    public static func learn(fileTimes: [Int64], projectInterval: Int64?) -> Int64? {
        let times = Array(Set(fileTimes)).sorted()
        var counts: [Int64: Int] = [:]
        for (a, b) in zip(times, times.dropFirst()) { counts[b - a, default: 0] += 1 }
        if let best = counts.max(by: { x, y in x.value != y.value ? x.value < y.value : x.key > y.key }), best.value >= 2 {
            return best.key
        }
        return projectInterval ?? counts.keys.min()
    }

    /// The end of the time an update file covers: its name's time plus the
    /// cadence, or its last record if that is later; a file that was not
    /// read to its end covers only up to its last good record (`stored`).
    public static func coverageEnd(fileTime: Int64?, lastTime: Int64?, complete: Bool, cadence: Int64?, stored: Int64) -> Int64 {
        guard complete, let fileTime, let cadence else { return stored }
        return max(fileTime + cadence, (lastTime ?? fileTime) + 1)
    }
}
