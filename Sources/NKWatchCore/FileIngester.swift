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
    public func ingest(path: String, sha256: String, size: Int) -> (FileIngest, FileReport) {
        let layout = ArchiveLayout.parse(path: path, collectorOverride: collectorOverride)
        var f = FileIngest(path: path, sha256: sha256, size: size, compression: Compression.none.rawValue,
                           collector: layout.collector, project: layout.project,
                           kind: FileIngest.Kind(rawValue: layout.kind.rawValue) ?? .unknown)
        f.fileTime = layout.fileTime
        let set = prefixSet
        var decoder = MRTDecoder(attributeFilter: { set.overlaps($0) })
        var elements: [BGPElement] = []
        var ribCounts: [PeerKey: (Int, Int, Int64)] = [:]
        var sawRIB = false, sawUpdates = false
        let asns = scope.originASNs
        let report = readMRTFile(path: path, decoder: &decoder) { record in
            elements.removeAll(keepingCapacity: true)
            record.appendElements(to: &elements)
            switch record.body {
            case .rib, .tableDump: sawRIB = true
            case .message, .stateChange: sawUpdates = true
            default: break
            }
            for e in elements {
                f.elements += 1
                let t = Int64(e.timestamp)
                f.bins[t - t % Self.binSeconds, default: 0] += 1
                let peer = PeerKey(ip: e.peerIP.description, asn: e.peerASN)
                switch e.kind {
                case .state:
                    f.states.append(PeerStateChange(timeMicros: e.timeMicros, peer: peer, oldState: e.oldState, newState: e.newState))
                    continue
                case .rib:
                    var c = ribCounts[peer] ?? (0, 0, t)
                    if e.prefix?.isIPv4 ?? true { c.0 += 1 } else { c.1 += 1 }
                    ribCounts[peer] = c
                case .announce, .withdraw:
                    break
                }
                guard let prefix = e.prefix else { continue }
                let origin = e.attributes?.originASN
                let inScope = set.overlaps(prefix) || (e.kind != .withdraw && origin.map { asns.contains($0) } == true)
                guard inScope else { continue }
                let kind: RouteEvent.Kind = e.kind == .rib ? .rib : e.kind == .announce ? .announce : .withdraw
                f.events.append(RouteEvent(timeMicros: e.timeMicros, peer: peer, kind: kind, prefix: prefix.description,
                                           asPath: kind == .withdraw ? nil : e.attributes?.effectiveASPath?.description,
                                           originASN: kind == .withdraw ? nil : origin,
                                           nextHop: kind == .withdraw ? nil : e.nextHop?.description))
            }
        }
        f.compression = report.compression.rawValue
        f.records = report.records
        f.ribTables = ribCounts.map { RIBTableSize(time: $0.value.2, peer: $0.key, ipv4Prefixes: $0.value.0, ipv6Prefixes: $0.value.1) }
            .sorted { $0.peer < $1.peer }
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
