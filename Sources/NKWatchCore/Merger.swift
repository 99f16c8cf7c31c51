import Foundation
import MRT
import NKModel
import NKStore

/// What `nkwatch merge` did.
public struct MergeSummary: Sendable {
    public init() {}
    public var shards = 0
    /// Files the shards held, and what became of each in the merged store.
    public var files = 0
    public var inserted = 0
    /// The same content was there already (from another shard, or before).
    public var duplicates = 0
    /// Another version of the same archive file was there and was less complete.
    public var replaced = 0
    /// Another version of the same archive file was there and was more complete.
    public var superseded = 0
    public var events = 0
    /// The completion step (files read again for prefixes that other shards
    /// learned from the scope's origin ASNs; coverage and gaps).
    public var completion = IngestSummary()
    public var seconds = 0.0

    public func json(store: String, scope: Scope) -> JSON {
        .object([("schema", .string("nkwatch.merge/v1"))] + BuildInfo.documentFields + [
            ("store", .string(store)),
            ("scope_prefixes", .strings(scope.prefixes.map(\.description))),
            ("scope_origin_asns", .array(scope.originASNs.sorted().map { .int(Int64($0)) })),
            ("shards", .int(shards)), ("files", .int(files)),
            ("inserted", .int(inserted)), ("duplicates", .int(duplicates)), ("replaced", .int(replaced)), ("superseded", .int(superseded)),
            ("events", .int(events)), ("read_again", .int(completion.completed)), ("incomplete", .strings(completion.incomplete)),
            ("gaps", .int(completion.gaps)), ("seconds", .number(seconds, decimals: 3)),
            ("problems", .strings(completion.problems)),
        ])
    }
}

/// Combines stores ingested from disjoint or overlapping sets of files
/// into the store one ingest of all the files makes: the same files (one
/// copy of each, the more complete of two versions of one archive file),
/// events, session changes, RIB tables, bins, learned prefixes, coverage
/// and gaps, so the same classification.
///
/// Origin-ASN scopes learn prefixes from what they read: a shard's files
/// were read for the prefixes that shard learned. In the merged store each
/// file keeps the events of the learned prefixes it was read for up to the
/// first merged prefix it was not, and is read again (from its stored path)
/// for the rest, as ingest does for a file read before a prefix was learned;
/// a file that cannot be read again is named, with the command that completes it.
public struct Merger: Sendable {
    public var jobs: Int

    public init(jobs: Int = Cores.available) {
        self.jobs = max(1, jobs)
    }

    /// Why shards cannot be merged.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Checks every shard (an nkwatch store of this build's schema, with a
    /// scope, all of one scope) and returns that scope.
    public static func check(shards: [String]) throws -> Scope {
        try checkNamed(shards: shards).union
    }

    /// `check`, with the named scopes every shard holds.
    public static func checkNamed(shards: [String]) throws -> (union: Scope, named: [NamedScope]) {
        var first: (path: String, scope: Scope, named: [NamedScope])?
        for path in shards {
            guard let version = try Store.schemaVersion(ofStoreAt: path) else {
                throw Refusal(description: "\(path) holds no nkwatch data (an empty database): nothing to merge")
            }
            guard version == Store.schemaVersion else {
                throw Refusal(description: "\(path) is a store of schema \(version); this nkwatch writes schema \(Store.schemaVersion): "
                    + "upgrade it first (any nkwatch ingest --store \(path), even of files it already holds), then merge")
            }
            let store = try Store.open(path: path, mode: .read)
            defer { try? store.close() }
            guard let scope = try store.scope() else {
                throw Refusal(description: "\(path) has no scope recorded (nothing was ingested into it): nothing to merge")
            }
            let named = try store.namedScopes()
            if let f = first, f.scope != scope {
                throw Refusal(description: "\(path) holds data for another scope (\(scope)) than \(f.path) (\(f.scope)): stores of different scopes cannot be merged")
            }
            if let f = first, f.named != named {
                throw Refusal(description: "\(path) holds other named scopes (\(named.map(\.name).joined(separator: ", "))) than \(f.path) "
                    + "(\(f.named.map(\.name).joined(separator: ", "))): stores of different scopes cannot be merged")
            }
            if first == nil { first = (path, scope, named) }
        }
        guard let f = first else { throw Refusal(description: "no shard to merge") }
        return (f.scope, f.named)
    }

    /// Merges `shards` into `out` (new, or a store of the same scope).
    public func merge(shards: [String], into out: Store, shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> MergeSummary {
        let start = Date()
        let (scope, named) = try Self.checkNamed(shards: shards)
        try out.useScopes(named)
        var summary = MergeSummary()
        let learns = !scope.originASNs.isEmpty
        for path in shards {
            let shard = try Store.open(path: path, mode: .read)
            defer { try? shard.close() }
            summary.shards += 1
            let shardLearned = try shard.learnedPrefixes()
            if learns { try out.learn(shardLearned.map(\.prefix)) }
            let merged = learns ? try out.learnedPrefixes() : []
            var batch: [FileIngest] = []
            func flush() throws {
                guard !batch.isEmpty else { return }
                let outcomes = try out.insert(batch)
                for (f, outcome) in zip(batch, outcomes) {
                    switch outcome {
                    case .inserted, .replaced:
                        if case .replaced = outcome { summary.replaced += 1 } else { summary.inserted += 1 }
                        summary.events += f.events.count
                        if learns { try narrow(f, scope: scope, shardLearned: shardLearned, merged: merged, out: out) }
                    case .duplicate: summary.duplicates += 1
                    case .superseded: summary.superseded += 1
                    }
                }
                batch.removeAll()
            }
            try shard.forEachFileIngest { f in
                summary.files += 1
                batch.append(f)
                if batch.count >= 32 { try flush() }
            }
            try flush()
        }
        // As an ingest ends: learn from what is now stored, read files again
        // for the prefixes they were not read for, record coverage.
        summary.completion = try Ingestor(scope: scope, jobs: jobs).run(paths: [], store: out, shouldStop: shouldStop)
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// Keeps a merged file's events of the learned prefixes it was read for,
    /// up to the first merged prefix it was not read for.
    func narrow(_ f: FileIngest, scope: Scope, shardLearned: [(seq: Int64, prefix: Prefix)], merged: [(seq: Int64, prefix: Prefix)], out: Store) throws {
        let read = Set(shardLearned.filter { $0.seq <= f.file.scannedThrough }.map(\.prefix))
        var through: Int64 = 0
        for m in merged {
            guard read.contains(m.prefix) else { break }
            through = m.seq
        }
        let within = merged.filter { $0.seq <= through }.count
        if within == read.count {
            // Nothing read past that point: only the mark changes.
            if through != f.file.scannedThrough {
                try out.rescope(fileSHA256: f.file.sha256, archiveKey: f.file.archiveKey, scannedThrough: through, keep: nil)
            }
            return
        }
        let set = PrefixSet(scope.prefixes + merged.filter { $0.seq <= through }.map(\.prefix))
        let asns = scope.originASNs
        try out.rescope(fileSHA256: f.file.sha256, archiveKey: f.file.archiveKey, scannedThrough: through) { e in
            set.overlaps(e.prefix) || (e.kind != .withdraw && e.originASN.map { asns.contains($0) } == true)
        }
    }
}
