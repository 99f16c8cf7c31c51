import MRT
import NKArchive
import NKModel
import NKStore

/// Turns one MRT file into what the store keeps of it: the in-scope route
/// events, every session state change, each RIB dump's table size per peer,
/// element counts per 5-minute bin, and the time the file covers. The file is
/// read once: the SHA-256 that identifies it is of the bytes decoded.
public struct FileIngester: Sendable {
    public var scope: Scope
    /// The scope's prefixes and the prefixes learned from its origin ASNs
    /// (through `scannedThrough`).
    public var prefixSet: PrefixSet
    /// The learned prefixes (`learned_prefixes.seq`) `prefixSet` includes.
    public var scannedThrough: Int64
    public var collectorOverride: String?
    /// Decode a bzip2 file's blocks on every core (`ParallelBzip2Source`):
    /// worth it when this file is the only one being read.
    public var parallelBzip2 = true

    /// The collector-health bin (`collector_bins`).
    public static let binSeconds: Int64 = 300

    public init(scope: Scope, learned: [Prefix] = [], scannedThrough: Int64 = 0, collectorOverride: String? = nil) {
        self.scope = scope
        self.prefixSet = PrefixSet(scope.prefixes + learned)
        self.scannedThrough = scannedThrough
        self.collectorOverride = collectorOverride
    }

    /// What of an element a read keeps: its prefix overlaps the read's
    /// prefixes, or it announces a route with one of the scope's origin ASNs.
    struct Capture: Sendable {
        var prefixes: PrefixSet
        var originASNs: Set<UInt32>
        /// Elements the first read already kept (for a read of what it missed).
        var already: PrefixSet?
        var alreadyASNs: Set<UInt32> = []

        static func keeps(_ e: BGPElement, _ prefix: Prefix, _ set: PrefixSet, _ asns: Set<UInt32>) -> Bool {
            set.overlaps(prefix) || (e.kind != .withdraw && e.attributes?.originASN.map { asns.contains($0) } == true)
        }

        func keeps(_ e: BGPElement, _ prefix: Prefix) -> Bool {
            guard Self.keeps(e, prefix, prefixes, originASNs) else { return false }
            if let already { return !Self.keeps(e, prefix, already, alreadyASNs) }
            return true
        }
    }

    /// Reads `path` into a `FileIngest` (nil when nothing could be read), and
    /// the report of the reading. `fastPath: false` sends every record
    /// through the full decoder (the tests compare the two).
    public func ingest(path: String, fastPath: Bool = true) -> (FileIngest?, FileReport) {
        let layout = ArchiveLayout.parse(path: path, collectorOverride: collectorOverride)
        let (acc, report) = read(path: path, layout: layout, capture: Capture(prefixes: prefixSet, originASNs: scope.originASNs), fastPath: fastPath)
        // A damaged archive file with nothing readable is still recorded (as
        // damaged, with no records) when its name says what it is: its time is
        // a data gap, and a RIB dump cut short must be reported as one.
        let recordDamaged = report.isDamagedBeforeFirstRecord && layout.kind != .unknown && layout.fileTime != nil
        guard !report.isUnreadable || recordDamaged, let sha256 = report.sha256 else { return (nil, report) }
        return (acc.finish(report: report, layout: layout, sha256: sha256, archiveKey: ArchiveLayout.archiveKey(path: path, layout: layout),
                           scannedThrough: scannedThrough), report)
    }

    /// The events of a stored file that its first read, with the prefixes up
    /// to its `scannedThrough`, left out because `newPrefixes` had not been
    /// learned yet. Nil when the file at `path` is no longer that content.
    public func missedEvents(path: String, storedSHA256: String, newPrefixes: [Prefix]) -> [RouteEvent]? {
        let layout = ArchiveLayout.parse(path: path, collectorOverride: collectorOverride)
        let capture = Capture(prefixes: PrefixSet(newPrefixes), originASNs: [], already: prefixSet, alreadyASNs: scope.originASNs)
        let (acc, report) = read(path: path, layout: layout, capture: capture, fastPath: true)
        guard report.sha256 == storedSHA256, acc.events.failure == nil else { return nil }
        return acc.events.array
    }

    /// How a file is read: hashed, decompressed on threads of their own when it pays.
    static func readOptions(parallelBzip2: Bool) -> MRTReadOptions {
        MRTReadOptions(hash: true, parallelBzip2: parallelBzip2)
    }

    func read(path: String, layout: ArchiveLayout, capture: Capture, fastPath: Bool) -> (FileAccumulator, FileReport) {
        let acc = FileAccumulator(collector: layout.collector.name, capture: capture)
        let set = capture.prefixes
        var decoder = MRTDecoder(attributeFilter: { set.overlaps($0) })
        let scanner = ScopeScanner(prefixes: set, originASNs: capture.originASNs)
        let prefilter: ((RawRecordView, inout MRTDecoder) -> Bool)? = fastPath ? { (view: RawRecordView, decoder: inout MRTDecoder) -> Bool in acc.settle(view, scanner: scanner, decoder: decoder) } : nil
        let report = readMRTFile(path: path, decoder: &decoder, options: Self.readOptions(parallelBzip2: parallelBzip2), prefilter: prefilter) { record in
            acc.take(record)
        }
        return (acc, report)
    }
}

/// What one file contributes, gathered record by record from both paths:
/// the fast path's settled records and the full decoder's elements.
final class FileAccumulator {
    let collector: String
    let capture: FileIngester.Capture
    let events = RouteEventList()
    var states: [SessionChange] = []
    var rib = RIBCounter()
    var bins = BinCounter()
    var elements = 0
    var sawRIB = false
    var sawUpdates = false
    /// Prefixes announced (or in a RIB) with one of the scope's origin ASNs.
    var originated: Set<Prefix> = []
    /// Reused for each record's elements.
    private var scratch: [BGPElement] = []

    init(collector: String, capture: FileIngester.Capture) {
        self.collector = collector
        self.capture = capture
    }

    /// The fast path: true when the record was settled without decoding.
    func settle(_ view: RawRecordView, scanner: borrowing ScopeScanner, decoder: borrowing MRTDecoder) -> Bool {
        if view.header.type == .tableDumpV2 && view.header.subtype == TableDumpV2Subtype.peerIndexTable {
            rib.tableEnds()
            return false
        }
        // Sessions whose OPENs negotiated ADD-PATH: their messages are the decoder's to read.
        if decoder.negotiatedAddPath && (view.header.type == .bgp4mp || view.header.type == .bgp4mpET) { return false }
        let peers = decoder.peerIndexTable?.peers ?? []
        let time = Int64(view.header.timestamp)
        let outcome = scanner.scan(view, peerCount: decoder.peerIndexTable?.peers.count) { index, afi in
            rib.add(index: index, ipv4: afi == .ipv4, time: time, peers: peers)
        }
        let n: Int
        switch outcome {
        case .decode: return false
        case .message(let count): sawUpdates = true; n = count
        case .rib(let count): sawRIB = true; n = count
        case .tableDump(let ip, let asn, let ipv4):
            sawRIB = true
            n = 1
            rib.add(ip: ip, asn: asn, ipv4: ipv4, time: time)
        }
        elements += n
        bins.add(time, n)
        return true
    }

    /// The full decoder's record.
    func take(_ record: MRTRecord) {
        switch record.body {
        case .rib, .tableDump: sawRIB = true
        case .message, .stateChange: sawUpdates = true
        default: break
        }
        scratch.removeAll(keepingCapacity: true)
        record.appendElements(to: &scratch)
        for e in scratch { take(e) }
    }

    func take(_ e: BGPElement) {
        elements += 1
        let t = Int64(e.timestamp)
        bins.add(t, 1)
        let peer = Peer(collector: collector, ip: e.peerIP, asn: e.peerASN)
        let time = Timestamp(seconds: e.timestamp, microseconds: e.microseconds)
        switch e.kind {
        case .state:
            states.append(SessionChange(time: time, peer: peer, old: e.oldState, new: e.newState))
            return
        case .rib:
            rib.add(peer: peer, ipv4: e.prefix?.isIPv4 ?? true, time: t)
        case .announce, .withdraw:
            break
        }
        guard let prefix = e.prefix, capture.keeps(e, prefix) else { return }
        let withdrawn = e.kind == .withdraw
        if !withdrawn, let origin = e.attributes?.originASN, capture.originASNs.contains(origin) { originated.insert(prefix) }
        events.append(RouteEvent(time: time, peer: peer, kind: e.kind, prefix: prefix,
                                 asPath: withdrawn ? nil : e.attributes?.effectiveASPath?.description,
                                 originASN: withdrawn ? nil : e.attributes?.originASN, nextHop: withdrawn ? nil : e.nextHop))
    }

    /// The file's contribution, once it has been read.
    func finish(report: FileReport, layout: ArchiveLayout, sha256: String, archiveKey: String, scannedThrough: Int64) -> FileIngest {
        var kind = layout.kind
        if kind == .unknown { kind = sawRIB && !sawUpdates ? .rib : sawUpdates ? .updates : .unknown }
        let first = report.firstTimestamp.map { Timestamp(seconds: $0) }, last = report.lastTimestamp.map { Timestamp(seconds: $0) }
        // A file that changed while it was read keeps no identity: the next
        // run reads it again.
        let file = StoredFile(path: report.path, sha256: sha256, size: report.rawBytes, compression: report.compression, kind: kind,
                              fileTime: layout.fileTime, coverage: Self.coverage(report: report, layout: layout, kind: kind, first: first, last: last),
                              firstTime: first, lastTime: last, records: report.records, elements: elements,
                              status: report.isClean ? .ok : .damaged, errors: report.allErrors.map(\.description),
                              identity: report.changedWhileRead ? nil : report.identity, archiveKey: archiveKey, scannedThrough: scannedThrough)
        return FileIngest(file: file, collector: layout.collector, events: events, states: states,
                          ribTables: rib.finish(collector: collector, time: { Timestamp(seconds: $0) }).sorted { $0.peer < $1.peer },
                          bins: bins.finish(), originated: originated)
    }

    /// The time a file covers: from the name's time (or the first record) to
    /// the end of its nominal interval, or to its last record; a damaged file
    /// covers only up to its last good record.
    static func coverage(report: FileReport, layout: ArchiveLayout, kind: FileKind, first: Timestamp?, last: Timestamp?) -> CollectorInterval? {
        guard let start = layout.fileTime ?? first else { return nil }
        let afterLast = last.map { $0.adding(seconds: 1) }
        var end = afterLast ?? start
        if report.isClean, kind == .updates, let interval = layout.updateInterval, let ft = layout.fileTime {
            end = max(end, ft.adding(seconds: interval))
        }
        if report.fatalError != nil { end = afterLast ?? start }
        return CollectorInterval(collector: layout.collector.name, start: start, end: max(start, end))
    }
}

/// Element counts per 5-minute bin, added a record at a time.
struct BinCounter {
    private var bins: [Int64: Int] = [:]
    private var current: Int64 = .min
    private var pending = 0

    @inline(__always)
    mutating func add(_ time: Int64, _ n: Int) {
        guard n > 0 else { return }
        let bin = time - time % FileIngester.binSeconds
        if bin != current {
            if pending > 0 { bins[current, default: 0] += pending }
            current = bin
            pending = 0
        }
        pending += n
    }

    mutating func finish() -> [Int64: Int] {
        if pending > 0 { bins[current, default: 0] += pending }
        pending = 0
        return bins
    }
}

/// RIB entries per peer: each peer's IPv4 and IPv6 prefix counts and the time
/// of its first entry. The fast path counts by PEER_INDEX_TABLE index, the
/// full decoder by peer; an ordinal kept with each first entry lets the two
/// merge to what one path alone would give.
struct RIBCounter {
    struct Count {
        var v4 = 0, v6 = 0
        var time: Int64 = 0
        var order = Int.max
    }
    /// Peers by (IP, AS): the collector is the file's.
    struct Key: Hashable { var ip: IPAddress; var asn: UInt32 }
    private var byPeer: [Key: Count] = [:]
    private var byIndex: [Count] = []
    private var indexPeers: [PeerEntry] = []
    private var order = 0

    mutating func add(peer: Peer, ipv4: Bool, time: Int64) { add(ip: peer.ip, asn: peer.asn, ipv4: ipv4, time: time) }

    mutating func add(ip: IPAddress, asn: UInt32, ipv4: Bool, time: Int64) {
        let key = Key(ip: ip, asn: asn)
        var c = byPeer[key] ?? Count(time: time, order: order)
        if ipv4 { c.v4 += 1 } else { c.v6 += 1 }
        byPeer[key] = c
        order += 1
    }

    @inline(__always)
    mutating func add(index: Int, ipv4: Bool, time: Int64, peers: [PeerEntry]) {
        if byIndex.isEmpty {
            indexPeers = peers
            byIndex = Array(repeating: Count(), count: peers.count)
        }
        guard index < byIndex.count else { return }
        if byIndex[index].order == Int.max {
            byIndex[index].order = order
            byIndex[index].time = time
        }
        if ipv4 { byIndex[index].v4 += 1 } else { byIndex[index].v6 += 1 }
        order += 1
    }

    /// A PEER_INDEX_TABLE follows: the indexes counted so far belong to the old one.
    mutating func tableEnds() {
        for (i, c) in byIndex.enumerated() where c.order != Int.max && i < indexPeers.count {
            let key = Key(ip: indexPeers[i].ip, asn: indexPeers[i].asn)
            if var old = byPeer[key] {
                old.v4 += c.v4
                old.v6 += c.v6
                if c.order < old.order { old.time = c.time; old.order = c.order }
                byPeer[key] = old
            } else {
                byPeer[key] = c
            }
        }
        byIndex = []
        indexPeers = []
    }

    mutating func finish(collector: String, time: (Int64) -> Timestamp) -> [RIBTableSize] {
        tableEnds()
        return byPeer.map { key, c in
            RIBTableSize(time: time(c.time), peer: Peer(collector: collector, ip: key.ip, asn: key.asn), size: TableSize(ipv4: c.v4, ipv6: c.v6))
        }
    }
}
