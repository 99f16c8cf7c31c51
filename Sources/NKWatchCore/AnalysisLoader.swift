import MRT
import NKAnalysis
import NKStore

/// Reads a store into the analysis's time-ordered input.
public enum AnalysisLoader {
    /// The whole store as input; `from`/`to` (seconds) default to the time
    /// its files cover, rounded out to whole bins.
    public static func input(store: Store, scope: Scope, from: Int64? = nil, to: Int64? = nil, binSeconds: Int64 = 300) throws -> AnalysisInput {
        let peers = try store.peers()
        var index: [Int64: Int] = [:]
        var refs: [PeerRef] = []
        for p in peers {
            index[p.id] = refs.count
            refs.append(PeerRef(collector: p.collector, ip: p.ip, asn: p.asn))
        }
        let files = try store.files()
        let fileByID = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        var observations: [RouteObservation] = []
        for e in try store.events(kinds: ["A", "W"]) {
            guard let pi = index[e.peerID], let prefix = Prefix(e.prefix) else { continue }
            observations.append(RouteObservation(time: e.timeMicros, peer: pi, prefix: prefix, kind: e.kind == "A" ? .announce : .withdraw, asPath: e.asPath))
        }
        // RIB dumps: table sizes per peer and in-scope routes, per file.
        var snapshots: [Int64: RIBSnapshot] = [:]
        for t in try store.ribTables() {
            guard let f = fileByID[t.fileID], let pi = index[t.peerID] else { continue }
            let time = (f.firstTime ?? t.time) * 1_000_000
            snapshots[t.fileID, default: RIBSnapshot(collector: f.collector, time: time, tableSizes: [:], routes: [:])].tableSizes[pi] = (t.ipv4, t.ipv6)
        }
        for e in try store.events(kinds: ["R"]) {
            guard let pi = index[e.peerID], let prefix = Prefix(e.prefix), snapshots[e.fileID] != nil else { continue }
            snapshots[e.fileID]?.routes[pi, default: [:]][prefix] = e.asPath ?? ""
        }
        let ribs = snapshots.values.sorted { ($0.time, $0.collector) < ($1.time, $1.collector) }
        let sessions = try store.peerStates().compactMap { s -> SessionChange? in
            guard let pi = index[s.peerID] else { return nil }
            return SessionChange(time: s.timeMicros, peer: pi, oldState: s.oldState, newState: s.newState)
        }
        let coverage = files.filter { $0.kind == "updates" }.compactMap { f -> CoverageInterval? in
            guard let s = f.coverageStart, let e = f.coverageEnd else { return nil }
            return CoverageInterval(collector: f.collector, start: s * 1_000_000, end: e * 1_000_000)
        }
        let starts = files.compactMap(\.coverageStart), ends = files.compactMap(\.coverageEnd)
        var lo = from ?? starts.min() ?? 0
        var hi = to ?? ends.max() ?? lo
        lo -= ((lo % binSeconds) + binSeconds) % binSeconds
        if hi % binSeconds != 0 { hi += binSeconds - ((hi % binSeconds) + binSeconds) % binSeconds }
        if hi <= lo { hi = lo + binSeconds }
        // An origin-ASN scope adds the prefixes its ASNs announced.
        var scopePrefixes = scope.prefixes
        if !scope.originASNs.isEmpty {
            scopePrefixes += try store.prefixesOriginatedBy(Array(scope.originASNs)).compactMap { Prefix($0) }
                .filter { p in !scope.prefixes.contains { $0.contains(p) } }
        }
        return AnalysisInput(scopePrefixes: scopePrefixes, peers: refs, observations: observations, ribs: ribs, sessions: sessions,
                             coverage: coverage, from: lo * 1_000_000, to: hi * 1_000_000)
    }
}
