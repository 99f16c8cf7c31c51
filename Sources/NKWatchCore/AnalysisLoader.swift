import MRT
import NKAnalysis
import NKModel
import NKStore

/// Reads a store into the analysis: a plain mapping of what the store holds,
/// in the shared vocabulary. Route events and each RIB dump's routes stream
/// from one read transaction while the method runs, so that memory grows with
/// the scope, not with the events.
public enum AnalysisLoader {
    /// Analyses the store over [`from`, `to`) — by default the time its files
    /// cover, rounded out to whole bins.
    public static func analyze(store: Store, scope: Scope, from: Timestamp? = nil, to: Timestamp? = nil,
                               parameters: Parameters = Parameters()) throws -> AnalysisResult {
        var input = try input(store: store, scope: scope, from: from, to: to, binSeconds: parameters.binSeconds)
        // A store ingested for several scopes holds the events of all: keep
        // those one ingest for this scope alone would have kept.
        let keep = try store.scope() == scope ? nil : try eventFilter(scope, store: store)
        if let keep { input.announced = input.announced.filter { keep.overlaps($0) } }
        let subset = try keep.map { k in
            EventSubset(prefixes: try store.distinctPrefixTexts().filter { Prefix($0).map(k.overlaps) == true }, originASNs: k.asns.sorted())
        }
        return try store.reading { reader in
            var r = reader
            r.subset = subset
            var i = input
            i.source = StoreDataSource(reader: r, keep: keep)
            return try Analyzer.analyze(i, parameters: parameters)
        }
    }

    /// What an ingest for `scope` alone keeps (`FileIngester`'s rule): events
    /// of prefixes overlapping the scope's prefixes and those its origin ASNs
    /// announced that no scope prefix overlaps, and announcements by those ASNs.
    static func eventFilter(_ scope: Scope, store: Store) throws(StoreError) -> EventFilter {
        let inScope = scope.prefixSet
        let learned = try store.prefixesOriginatedBy(scope.originASNs).filter { !inScope.overlaps($0) }
        return EventFilter(set: PrefixSet(scope.prefixes + learned), asns: scope.originASNs)
    }

    /// Everything but the streams (`source` is to be set inside a read).
    static func input(store: Store, scope: Scope, from: Timestamp?, to: Timestamp?, binSeconds: Int64) throws(StoreError) -> AnalysisInput {
        let files = try store.files()
        let fileByID = Dictionary(uniqueKeysWithValues: files.compactMap { f in f.file.id.map { ($0, f) } })
        // RIB dumps: table sizes per peer; routes are read when each is applied.
        var dumps: [Int64: RIBDump] = [:]
        for (fileID, t) in try store.ribTables() {
            guard let f = fileByID[fileID] else { continue }
            let time = f.file.firstTime.map { Timestamp(seconds: $0) } ?? t.time
            let name = f.file.path.split(separator: "/").last.map(String.init) ?? f.file.path
            dumps[fileID, default: RIBDump(collector: f.collector.name, time: time, tableSizes: [:], routes: nil, key: fileID,
                                           complete: f.file.status == .ok, name: name)]
                .tableSizes[t.peer] = t.size
        }
        // A damaged RIB dump that kept no table is still a data gap to report.
        for f in files where f.file.kind == .rib && f.file.status == .damaged {
            guard let id = f.file.id, dumps[id] == nil, let t = f.file.fileTime ?? f.file.firstTime else { continue }
            dumps[id] = RIBDump(collector: f.collector.name, time: Timestamp(seconds: t), tableSizes: [:], routes: [:], key: id, complete: false,
                                name: f.file.path.split(separator: "/").last.map(String.init) ?? f.file.path)
        }
        let range = timeRange(files: files.map(\.file), from: from, to: to, binSeconds: binSeconds)
        return AnalysisInput(scopePrefixes: try scopePrefixes(scope, store: store),
                             announced: Set(try store.distinctPrefixes(kinds: [.announce, .rib])), peers: try store.peers(),
                             source: ArrayDataSource([]),
                             ribs: dumps.values.sorted { ($0.time, $0.collector) < ($1.time, $1.collector) },
                             sessions: try store.sessionChanges(), coverage: Store.coverage(of: files),
                             from: range.from, to: range.to)
    }

    /// The scope's prefixes, with the prefixes its origin ASNs announced
    /// that no scope prefix already holds.
    static func scopePrefixes(_ scope: Scope, store: Store) throws(StoreError) -> [Prefix] {
        var prefixes = scope.prefixes
        prefixes += try store.prefixesOriginatedBy(scope.originASNs).filter { p in !scope.prefixes.contains { $0.contains(p) } }
        return prefixes
    }

    /// [from, to): as given, else the time the files cover, rounded out to
    /// whole bins; at least one bin.
    static func timeRange(files: [StoredFile], from: Timestamp?, to: Timestamp?, binSeconds: Int64) -> (from: Timestamp, to: Timestamp) {
        // Without update files (only RIB dumps so far), the time the files hold.
        var lo = from?.seconds ?? files.compactMap(\.coverageStart).min() ?? files.compactMap(\.firstTime).min() ?? 0
        var hi = to?.seconds ?? files.compactMap(\.coverageEnd).max() ?? files.compactMap(\.lastTime).max() ?? lo
        lo -= ((lo % binSeconds) + binSeconds) % binSeconds
        if hi % binSeconds != 0 { hi += binSeconds - ((hi % binSeconds) + binSeconds) % binSeconds }
        if hi <= lo { hi = lo + binSeconds }
        return (Timestamp(seconds: lo), Timestamp(seconds: hi))
    }
}

/// The analysis's data source over a store's read transaction.
struct StoreDataSource: AnalysisDataSource {
    let reader: StoreReader
    /// Set when the store holds more than the scope analysed.
    var keep: EventFilter?

    func forEachObservation(_ body: (RouteEvent) throws -> Void) throws {
        if let keep {
            try reader.forEachRouteEvent(kinds: [.announce, .withdraw]) { _, e in if keep.accepts(e) { try body(e) } }
        } else {
            try reader.forEachRouteEvent(kinds: [.announce, .withdraw]) { _, e in try body(e) }
        }
    }

    func routes(of dump: RIBDump) throws -> [Peer: [Prefix: String]] {
        guard let key = dump.key else { return dump.routes ?? [:] }
        let all = try reader.ribRoutes(fileID: key)
        guard let keep else { return all }
        return all.mapValues { $0.filter { keep.overlaps($0.key) } }.filter { !$0.value.isEmpty }
    }
}

/// One scope's events in a store of several (`AnalysisLoader.eventFilter`).
struct EventFilter {
    let set: PrefixSet
    let asns: Set<UInt32>

    func overlaps(_ p: Prefix) -> Bool { set.overlaps(p) }

    func accepts(_ e: RouteEvent) -> Bool {
        set.overlaps(e.prefix) || (e.kind != .withdraw && e.originASN.map { asns.contains($0) } == true)
    }
}
