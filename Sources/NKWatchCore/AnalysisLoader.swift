import MRT
import NKAnalysis
import NKModel
import NKStore

/// Reads a store into the analysis's input: a plain mapping of what the
/// store holds, in the shared vocabulary.
public enum AnalysisLoader {
    /// The whole store as input; `from`/`to` default to the time its files
    /// cover, rounded out to whole bins.
    public static func input(store: Store, scope: Scope, from: Timestamp? = nil, to: Timestamp? = nil,
                             binSeconds: Int64 = Parameters().binSeconds) throws(StoreError) -> AnalysisInput {
        let files = try store.files()
        let fileByID = Dictionary(uniqueKeysWithValues: files.compactMap { f in f.file.id.map { ($0, f) } })
        // RIB dumps: table sizes per peer and in-scope routes, per file.
        var dumps: [Int64: RIBDump] = [:]
        for (fileID, t) in try store.ribTables() {
            guard let f = fileByID[fileID] else { continue }
            let time = f.file.firstTime.map { Timestamp(seconds: $0) } ?? t.time
            dumps[fileID, default: RIBDump(collector: f.collector.name, time: time, tableSizes: [:], routes: [:])]
                .tableSizes[t.peer] = t.size
        }
        for (fileID, e) in try store.routeEvents(kinds: [.rib]) where dumps[fileID] != nil {
            dumps[fileID]?.routes[e.peer, default: [:]][e.prefix] = e.asPath ?? ""
        }
        let range = timeRange(files: files.map(\.file), from: from, to: to, binSeconds: binSeconds)
        return AnalysisInput(scopePrefixes: try scopePrefixes(scope, store: store), peers: try store.peers(),
                             observations: try store.routeEvents(kinds: [.announce, .withdraw]).map(\.event),
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
        var lo = from?.seconds ?? files.compactMap(\.coverageStart).min() ?? 0
        var hi = to?.seconds ?? files.compactMap(\.coverageEnd).max() ?? lo
        lo -= ((lo % binSeconds) + binSeconds) % binSeconds
        if hi % binSeconds != 0 { hi += binSeconds - ((hi % binSeconds) + binSeconds) % binSeconds }
        if hi <= lo { hi = lo + binSeconds }
        return (Timestamp(seconds: lo), Timestamp(seconds: hi))
    }
}
