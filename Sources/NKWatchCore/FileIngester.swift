import MRT
import NKArchive
import NKStore

/// Turns one MRT file into what the store keeps of it: the in-scope route
/// events, every session state change, each RIB dump's table size per peer,
/// element counts per 5-minute bin, and the time the file covers.
public struct FileIngester: Sendable {
    public var scope: Scope
    /// Scope prefixes plus any learned from origin ASNs (see `Ingestor`).
    public var prefixSet: PrefixSet
    public var collectorOverride: String?

    public static let binSeconds: Int64 = 300

    public init(scope: Scope, extraPrefixes: [Prefix] = [], collectorOverride: String? = nil) {
        self.scope = scope
        self.prefixSet = PrefixSet(scope.prefixes + extraPrefixes)
        self.collectorOverride = collectorOverride
    }

    /// Decodes `path` into a `FileIngest` (hash already computed by the caller).
    /// `fastPath: false` sends every record through the full decoder (the
    /// tests compare the two).
    public func ingest(path: String, sha256: String, size: Int, fastPath: Bool = true) -> (FileIngest, FileReport) {
        let layout = ArchiveLayout.parse(path: path, collectorOverride: collectorOverride)
        var f = FileIngest(path: path, sha256: sha256, size: size, compression: Compression.none.rawValue,
                           collector: layout.collector, project: layout.project,
                           kind: FileIngest.Kind(rawValue: layout.kind.rawValue) ?? .unknown)
        f.fileTime = layout.fileTime
        let set = prefixSet
        var decoder = MRTDecoder(attributeFilter: { set.overlaps($0) })
        var elements: [BGPElement] = []
        var rib = RIBCounter()
        var bins = BinCounter()
        var elementCount = 0
        var sawRIB = false, sawUpdates = false
        let asns = scope.originASNs
        let scanner = IngestScanner(prefixes: set, originASNs: asns)
        let prefilter: ((RawRecordView, MRTDecoder) -> Bool)? = !fastPath ? nil : { view, decoder in
            if view.header.type == .tableDumpV2 && view.header.subtype == TableDumpV2Subtype.peerIndexTable {
                rib.tableEnds()
                return false
            }
            let peers = decoder.peerIndexTable?.peers
            let outcome = scanner.scan(view, peerCount: peers?.count) { index, ipv4 in
                rib.add(index: index, ipv4: ipv4, time: Int64(view.header.timestamp), peers: peers ?? [])
            }
            let n: Int
            switch outcome {
            case .decode: return false
            case .message(let count): sawUpdates = true; n = count
            case .rib(let count): sawRIB = true; n = count
            }
            elementCount += n
            bins.add(Int64(view.header.timestamp), n)
            return true
        }
        let report = readMRTFile(path: path, decoder: &decoder, prefilter: prefilter) { record in
            elements.removeAll(keepingCapacity: true)
            record.appendElements(to: &elements)
            switch record.body {
            case .rib, .tableDump: sawRIB = true
            case .message, .stateChange: sawUpdates = true
            default: break
            }
            for e in elements {
                elementCount += 1
                let t = Int64(e.timestamp)
                bins.add(t, 1)
                switch e.kind {
                case .state:
                    let peer = PeerKey(ip: e.peerIP.description, asn: e.peerASN)
                    f.states.append(PeerStateChange(timeMicros: e.timeMicros, peer: peer, oldState: e.oldState, newState: e.newState))
                    continue
                case .rib:
                    rib.add(peer: PeerKey(ip: e.peerIP.description, asn: e.peerASN), ipv4: e.prefix?.isIPv4 ?? true, time: t)
                case .announce, .withdraw:
                    break
                }
                guard let prefix = e.prefix else { continue }
                let origin = e.attributes?.originASN
                let inScope = set.overlaps(prefix) || (e.kind != .withdraw && origin.map { asns.contains($0) } == true)
                guard inScope else { continue }
                let peer = PeerKey(ip: e.peerIP.description, asn: e.peerASN)
                let kind: RouteEvent.Kind = e.kind == .rib ? .rib : e.kind == .announce ? .announce : .withdraw
                f.events.append(RouteEvent(timeMicros: e.timeMicros, peer: peer, kind: kind, prefix: prefix.description,
                                           asPath: kind == .withdraw ? nil : e.attributes?.effectiveASPath?.description,
                                           originASN: kind == .withdraw ? nil : origin,
                                           nextHop: kind == .withdraw ? nil : e.nextHop?.description))
            }
        }
        f.elements = elementCount
        f.bins = bins.finish()
        f.ribTables = rib.finish().sorted { $0.peer < $1.peer }
        f.compression = report.compression.rawValue
        f.records = report.records
        if f.kind == .unknown { f.kind = sawRIB && !sawUpdates ? .rib : sawUpdates ? .updates : .unknown }
        f.firstTime = report.firstTimestamp.map(Int64.init)
        f.lastTime = report.lastTimestamp.map(Int64.init)
        f.errors = report.allErrors.map { $0.error.description }
        f.status = report.isClean ? .ok : .damaged
        // Coverage: the name's time (or the first record) to the end of the
        // file's nominal interval, or to its last record; a damaged file
        // covers only up to its last good record.
        let start = layout.fileTime ?? f.firstTime
        if let start {
            var end = (f.lastTime.map { $0 + 1 }) ?? start
            if report.isClean, let interval = layout.updateInterval, f.kind == .updates, let ft = layout.fileTime {
                end = max(end, ft + interval)
            }
            if report.fatalError != nil { end = f.lastTime.map { $0 + 1 } ?? start }
            f.coverageStart = start
            f.coverageEnd = max(start, end)
        }
        return (f, report)
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
    private var byPeer: [PeerKey: Count] = [:]
    private var byIndex: [Count] = []
    private var indexPeers: [PeerEntry] = []
    private var order = 0

    mutating func add(peer: PeerKey, ipv4: Bool, time: Int64) {
        var c = byPeer[peer] ?? Count(time: time, order: order)
        if ipv4 { c.v4 += 1 } else { c.v6 += 1 }
        byPeer[peer] = c
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
            let key = PeerKey(ip: indexPeers[i].ip.description, asn: indexPeers[i].asn)
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

    mutating func finish() -> [RIBTableSize] {
        tableEnds()
        return byPeer.map { RIBTableSize(time: $0.value.time, peer: $0.key, ipv4Prefixes: $0.value.v4, ipv6Prefixes: $0.value.v6) }
    }
}
