import Foundation
import MRT
import NKArchive
import NKAnalysis
import NKModel
import NKStore
@testable import NKWatchCore
import Testing

/// The store must be the same whatever happens to the files, their order, and
/// the number of runs (issue: "Trustworthy ingest").
@Suite("The same store whatever the order, the runs and the versions")
struct OrderTests {
    static func ingest(_ paths: [String], into store: Store, scope: Scope, jobs: Int = 2) throws -> IngestSummary {
        try Ingestor(scope: scope, jobs: jobs).run(paths: paths, store: store)
    }

    static func classification(_ store: Store, _ scope: Scope) throws -> [String] {
        var p = Parameters()
        p.minPeers = 3
        let r = try AnalysisLoader.analyze(store: store, scope: scope, parameters: p)
        return r.episodes.map { "\($0.start) \($0.end) \($0.kind) \($0.label)" } + [r.verdict]
    }

    static let kpDelegations = """
        2|apnic|20141222|3|19830613|20141219|+1000
        apnic|KP|ipv4|175.45.176.0|1024|20091217|allocated|A9166C7B
        apnic|KP|asn|131279|1|20091217|allocated|A9166C7B
        """

    /// The fixture's scope by prefix, by origin ASN alone, or by country file.
    static func scope(_ kind: String) throws -> Scope {
        switch kind {
        case "prefix": return Scope(prefixes: [Prefix("175.45.176.0/22")!], originASNs: [])
        case "origin": return Scope(prefixes: [], originASNs: [131279])
        default: return try Delegations.scope(country: "KP", text: kpDelegations)
        }
    }

    @Test("files start longest first on several threads (size by compression), in the given order on one")
    func readOrder() throws {
        let root = try Fixture.tempDir("read-order")
        defer { try? FileManager.default.removeItem(at: root) }
        // Sizes: a.bz2 100 (cost 300), b.gz 250 (250), c.mrt 1000 (150), d.gz 300 (300), e.bz2 10 (30).
        var paths: [String] = []
        for (name, size) in [("a.bz2", 100), ("b.gz", 250), ("c.mrt", 1000), ("d.gz", 300), ("e.bz2", 10)] {
            let url = root.appendingPathComponent(name)
            try Data(repeating: 0, count: size).write(to: url)
            paths.append(url.path)
        }
        let scope = Scope(prefixes: [Prefix("175.45.176.0/22")!], originASNs: [])
        let names = { (order: [String]) in order.map { ($0 as NSString).lastPathComponent } }
        // Equal costs keep their order (a before d), the missing file costs nothing.
        #expect(names(Ingestor(scope: scope, jobs: 2).readOrder(paths + [root.path + "/gone.gz"]))
                == ["a.bz2", "d.gz", "b.gz", "c.mrt", "e.bz2", "gone.gz"])
        #expect(Ingestor(scope: scope, jobs: 1).readOrder(paths) == paths)
    }

    @Test("every scope kind: update files before RIB dumps, in several runs and groupings, give the store of one run", arguments: ["prefix", "origin", "country"])
    func orderIndependence(kind: String) throws {
        let root = try Fixture.tempDir("order-\(kind)")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        let scope = try Self.scope(kind)
        let reference = try Store.inMemory()
        _ = try Self.ingest(written.paths, into: reference, scope: scope)
        let content = try reference.logicalContent()
        let verdicts = try Self.classification(reference, scope)
        #expect(try reference.query("SELECT COUNT(*) FROM events WHERE kind = 'W'") == [["28"]])
        let updates = written.paths.filter { $0.contains("updates.") }, ribs = written.paths.filter { !$0.contains("updates.") }
        var rng = SplitMix64(seed: 9)
        let orders: [[[String]]] = [
            [updates, ribs],                                   // the order of the issue: updates, then the RIB dumps
            [Array(updates.prefix(5)), ribs, Array(updates.dropFirst(5))],
            updates.map { [$0] } + [ribs],                      // one file at a time, as a cron job
            [written.paths.shuffled(using: &rng)],
        ]
        for (n, runs) in orders.enumerated() {
            let s = try Store.inMemory()
            for run in runs { _ = try Self.ingest(run, into: s, scope: scope, jobs: n % 2 + 1) }
            #expect(try s.logicalContent() == content, "\(kind): order \(n)")
            #expect(try Self.classification(s, scope) == verdicts, "\(kind): order \(n)")
        }
    }

    @Test("a store created while the first files decode is the store one opened first makes, for every scope kind, with one and two jobs",
          arguments: ["prefix", "origin", "country"])
    func createdWhileDecoding(kind: String) throws {
        let root = try Fixture.tempDir("creating-\(kind)")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        let scope = try Self.scope(kind)
        let reference = try Store.inMemory()
        let expected = try Self.ingest(written.paths, into: reference, scope: scope)
        for jobs in [1, 2] {
            // The update files alone (the first phase is theirs), and everything.
            for paths in [written.paths.filter { $0.contains("updates.") }, written.paths] {
                let path = root.appendingPathComponent("created-\(jobs)-\(paths.count).sqlite").path
                var store: Store?
                let summary = try Ingestor(scope: scope, jobs: jobs).run(paths: paths, creating: {
                    let made = try Store.open(path: path)
                    store = made
                    return made
                })
                let created = try #require(store)
                if paths.count == written.paths.count {
                    #expect(try created.logicalContent() == reference.logicalContent(), "\(kind), \(jobs) jobs")
                    #expect(try Self.classification(created, scope) == Self.classification(reference, scope), "\(kind), \(jobs) jobs")
                    #expect(summary.ingested == expected.ingested && summary.events == expected.events && summary.completed == expected.completed)
                } else {
                    #expect(summary.ingested == paths.count)
                }
                try created.close()
            }
        }
    }

    @Test("prefixes are learned from the files a run wrote, and from the store's events when a run was stopped before it learned from its own",
          arguments: [1, 2, 5, 9])
    func learnedAfterAnInterruption(stopAfter: Int) throws {
        let root = try Fixture.tempDir("learn-stop-\(stopAfter)")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        // The origin AS alone: every prefix it announces is learned.
        let scope = Scope(prefixes: [], originASNs: [131279])
        let reference = try Store.inMemory()
        _ = try Self.ingest(written.paths, into: reference, scope: scope)
        #expect(try reference.learnedPrefixes().count == 4)
        // A run stopped after a few files (the RIB dumps first): what it
        // committed was never learned from. The next run learns it from
        // the store and reads again what it read without those prefixes.
        for jobs in [1, 2] {
            let s = try Store.inMemory()
            final class Calls: @unchecked Sendable { var n = 0; let lock = NSLock() }
            let calls = Calls()
            let first = try Ingestor(scope: scope, jobs: jobs).run(paths: written.paths, store: s, shouldStop: {
                calls.lock.lock(); defer { calls.lock.unlock() }
                calls.n += 1
                return calls.n > stopAfter
            })
            #expect(first.interrupted)
            // Stopped among the RIB dumps: nothing learned yet.
            if stopAfter <= 2 { #expect(try s.learnedPrefixes().isEmpty) }
            // The RIB dumps again: all stored, none written; the prefixes come from the store.
            let ribs = written.paths.filter { !$0.contains("updates.") }
            let again = try Self.ingest(ribs, into: s, scope: scope, jobs: jobs)
            #expect(again.ingested <= 2)
            #expect(try s.learnedPrefixes().map(\.prefix) == reference.learnedPrefixes().map(\.prefix))
            _ = try Self.ingest(written.paths, into: s, scope: scope, jobs: jobs)
            #expect(try s.logicalContent() == reference.logicalContent(), "stopped after \(stopAfter), \(jobs) jobs")
            #expect(try Self.classification(s, scope) == Self.classification(reference, scope))
        }
    }

    @Test("while a new store is created, decoding stops at a batch and waits for it; a creation that fails stops the decoding and is the run's error")
    func decodingWaitsForTheStore() throws {
        let root = try Fixture.tempDir("creating-wait")
        defer { try? FileManager.default.removeItem(at: root) }
        // 160 small update files, each of its own 5 minutes.
        let dir = root.appendingPathComponent("rrc00/2014.12")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var paths: [String] = []
        let session = MRTWriter.Session(peerASN: 3356, localASN: 12654, peerIP: .v4(0x0A00_0001), localIP: .v4(1))
        for i in 0..<160 {
            let t = Fixture.t0 + UInt32(i) * 300
            var w = MRTWriter()
            w.writeUpdate(MRTWriter.Time(t + 7), session: session, withdrawn: [NLRIEntry(prefix: Fixture.kp[i % 4])])
            let url = dir.appendingPathComponent("updates.\(Fixture.name(t)).gz")
            try Data(try Compressor.compress(w.take(), as: .gzip)).write(to: url)
            paths.append(url.path)
        }
        for jobs in [1, 2] {
            let started = Started()
            let path = root.appendingPathComponent("waited-\(jobs).sqlite").path
            var atCreation = 0
            var store: Store?
            let summary = try Ingestor(scope: .northKorea, jobs: jobs).run(paths: paths, creating: {
                // Decoding goes on until a batch is pending, then waits.
                let deadline = Date().addingTimeInterval(20)
                while started.value < Ingestor.batchFiles && Date() < deadline { usleep(1000) }
                usleep(300_000)
                atCreation = started.value
                let made = try Store.open(path: path)
                store = made
                return made
            }, shouldStop: started.next)
            #expect(atCreation >= Ingestor.batchFiles, "decoding did not start before the store: \(atCreation) files")
            #expect(atCreation <= Ingestor.batchFiles + jobs, "more than a batch decoded while the store was created: \(atCreation) files")
            #expect(summary.ingested == 160 && summary.events == 160)
            let made = try #require(store)
            #expect(try made.query("SELECT COUNT(*) FROM files") == [["160"]])
            try made.close()
        }
        // A store that cannot be created: its error, and nothing anywhere.
        let started = Started()
        let failing = root.appendingPathComponent("no-such-folder/s.sqlite").path
        #expect(throws: StoreError.self) {
            try Ingestor(scope: .northKorea, jobs: 2).run(paths: paths, creating: { try Store.open(path: failing) }, shouldStop: started.next)
        }
        #expect(started.value <= Ingestor.batchFiles + 2)
        #expect(!FileManager.default.fileExists(atPath: failing))
    }

    @Test("update files wait for what the RIB dumps teach, and only for that: when they teach nothing, update files decode before any RIB dump is written",
          arguments: [("prefix", false), ("country", false), ("origin", true)])
    func updatesWaitOnlyToLearn(kind: String, teaches: Bool) throws {
        let root = try Fixture.tempDir("gate-\(kind)")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        let ribs = written.paths.filter { !$0.contains("updates.") }.count
        #expect(written.paths.count > ribs + 8)
        let scope = try Self.scope(kind)
        let reference = try Store.inMemory()
        _ = try Self.ingest(written.paths, into: reference, scope: scope)
        // Nothing is written before the store is created: files started
        // meanwhile beyond the RIB dumps (and one waiting file per job)
        // are update files that did not wait for the RIB dumps' writes.
        let started = Started()
        let path = root.appendingPathComponent("gate.sqlite").path
        var atCreation = 0
        var store: Store?
        let summary = try Ingestor(scope: scope, jobs: 2).run(paths: written.paths, creating: {
            let deadline = Date().addingTimeInterval(teaches ? 0.3 : 20)
            while started.value <= ribs + 3 && Date() < deadline { usleep(1000) }
            atCreation = started.value
            let made = try Store.open(path: path)
            store = made
            return made
        }, shouldStop: started.next)
        if teaches {
            // The origin AS's prefixes, learned from the RIB dumps before any update file is read.
            #expect(atCreation <= ribs + 2, "update files started before the RIB dumps taught: \(atCreation) files")
            #expect(try reference.learnedPrefixes().count == 4)
        } else {
            #expect(atCreation > ribs + 3, "update files waited for the RIB dumps to be written: \(atCreation) files")
        }
        // No update file is read twice (the RIB dumps are, for what they
        // taught: they were read before it was learned), and the store is one run's.
        #expect(summary.completed == (teaches ? ribs : 0))
        let made = try #require(store)
        #expect(try made.logicalContent() == reference.logicalContent())
        try made.close()
    }

    @Test("a prefix learned after a file was read is read again from it; a file that is gone is listed, and a copy given later completes it")
    func learnedLater() throws {
        let root = try Fixture.tempDir("learned")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        let scope = Scope(prefixes: [], originASNs: [131279])
        // The withdrawal at 16:15:30 is in rrc00's 16:15 file; the announcements
        // that teach the prefixes come at 16:40 and in the RIB dumps.
        let withdrawals = try #require(written.paths.first { $0.hasSuffix("rrc00/2014.12/updates.20141222.1615.gz") })
        let s = try Store.inMemory()
        _ = try Self.ingest([withdrawals], into: s, scope: scope)
        #expect(try s.query("SELECT COUNT(*) FROM events") == [["0"]])
        // The file moves away; the rest arrives.
        let moved = root.appendingPathComponent("moved.gz").path
        try FileManager.default.moveItem(atPath: withdrawals, toPath: moved)
        let second = try Self.ingest(written.paths.filter { $0 != withdrawals }, into: s, scope: scope)
        #expect(second.incomplete == [withdrawals])
        #expect(second.problems.contains { $0.contains("cannot be read again") })
        #expect(try s.query("SELECT COUNT(*) FROM events WHERE kind = 'W' AND file_id = (SELECT id FROM files WHERE path = '\(withdrawals)')") == [["0"]])
        // Given again at its new place: the missing withdrawals are added to the stored file.
        let third = try Self.ingest([moved], into: s, scope: scope)
        #expect(third.completed == 1 && third.incomplete.isEmpty)
        #expect(try s.query("SELECT COUNT(*) FROM events WHERE kind = 'W' AND file_id = (SELECT id FROM files WHERE path = '\(withdrawals)')") == [["16"]])
        // The same events as one run over all the files.
        try FileManager.default.moveItem(atPath: moved, toPath: withdrawals)
        let reference = try Store.inMemory()
        _ = try Self.ingest(written.paths, into: reference, scope: scope)
        #expect(try s.query("SELECT COUNT(*) FROM events") == reference.query("SELECT COUNT(*) FROM events"))
        #expect(try Self.classification(s, scope) == Self.classification(reference, scope))
    }

    /// The MRT bytes of `path`, decompressed.
    static func plain(_ path: String) throws -> [UInt8] { try ArchiveStream(path: path).readAll() }

    @Test("a file that grows or is rewritten is a new version of the same archive file: the more complete one is kept, never both")
    func versions() throws {
        let root = try Fixture.tempDir("versions")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        let victim = try #require(written.paths.first { $0.hasSuffix("rrc00/2014.12/updates.20141222.1615.gz") })
        let complete = try Data(contentsOf: URL(fileURLWithPath: victim))
        let mrt = try Self.plain(victim)
        let ends = MRTCommonHeader.recordEnds(in: mrt)
        let reference = try Store.inMemory()
        _ = try Self.ingest(written.paths, into: reference, scope: .northKorea)
        let content = try reference.logicalContent()

        // A download cut at a record boundary (clean, fewer records), then the whole file.
        let partial = try Compressor.compress(Array(mrt.prefix(ends[ends.count / 2])), as: .gzip)
        try Data(partial).write(to: URL(fileURLWithPath: victim))
        let s = try Store.inMemory()
        _ = try Self.ingest(written.paths, into: s, scope: .northKorea)
        try complete.write(to: URL(fileURLWithPath: victim))
        let second = try Self.ingest(written.paths, into: s, scope: .northKorea)
        #expect(second.replaced == [victim])
        #expect(second.ingested == 1 && second.skipped == written.paths.count - 1)
        #expect(try s.logicalContent() == content)

        // A truncated (damaged) gzip after the whole file: the whole file stays.
        try Data(complete.prefix(complete.count / 2)).write(to: URL(fileURLWithPath: victim))
        let third = try Self.ingest([victim], into: s, scope: .northKorea)
        #expect(third.superseded == [victim])
        #expect(try s.logicalContent() == content)
        // The same two versions the other way round, through another path.
        let copy = root.appendingPathComponent("rrc00/2014.12/copy")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        let other = copy.appendingPathComponent("updates.20141222.1615.gz").path
        try complete.write(to: URL(fileURLWithPath: other))
        let t = try Store.inMemory()
        _ = try Self.ingest(written.paths, into: t, scope: .northKorea)  // the truncated version at `victim`
        #expect(try t.query("SELECT status FROM files WHERE path = '\(victim)'") == [["damaged"]])
        let fourth = try Self.ingest([other], into: t, scope: .northKorea)
        #expect(fourth.replaced == [other])
        #expect(try t.query("SELECT COUNT(*) FROM files WHERE archive_key = 'rrc00/updates/20141222.1615'") == [["1"]])
        #expect(try Self.classification(t, .northKorea) == Self.classification(reference, .northKorea))
        // Events and churn are not counted twice.
        #expect(try t.query("SELECT COUNT(*) FROM events") == reference.query("SELECT COUNT(*) FROM events"))
        #expect(try t.query("SELECT SUM(elements) FROM collector_bins") == reference.query("SELECT SUM(elements) FROM collector_bins"))
    }

    @Test("a cron job every 5 minutes over a folder a mirror is still writing ends with the store of one run over the finished folder")
    func cronOverGrowingFolder() throws {
        let source = try Fixture.tempDir("cron-source")
        let mirror = try Fixture.tempDir("cron-mirror")
        defer {
            try? FileManager.default.removeItem(at: source)
            try? FileManager.default.removeItem(at: mirror)
        }
        let written = try Fixture.write(to: source)
        let relative = written.paths.map { String($0.dropFirst(source.path.count + 1)) }
        let s = try Store.inMemory()
        var rng = SplitMix64(seed: 3)
        for (i, rel) in relative.enumerated() {
            let bytes = try Data(contentsOf: source.appendingPathComponent(rel))
            let target = mirror.appendingPathComponent(rel)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            // The mirror is still writing this file when the job runs: a part of it, then all.
            let cut = Int.random(in: 1..<bytes.count, using: &rng)
            try bytes.prefix(cut).write(to: target)
            _ = try Self.ingest(try InputPaths.expand([mirror.path]), into: s, scope: .northKorea, jobs: i % 2 + 1)
            try bytes.write(to: target)
        }
        _ = try Self.ingest(try InputPaths.expand([mirror.path]), into: s, scope: .northKorea)
        let reference = try Store.inMemory()
        _ = try Self.ingest(try InputPaths.expand([mirror.path]), into: reference, scope: .northKorea)
        #expect(try s.logicalContent() == reference.logicalContent())
        #expect(try s.query("SELECT COUNT(*) FROM files") == [["\(written.paths.count)"]])
    }
}

/// Counts the calls of an ingest's `shouldStop` (one per file started, and
/// one per thread at the end), never stopping it.
final class Started: @unchecked Sendable {
    let lock = NSLock()
    var count = 0
    func next() -> Bool { lock.lock(); count += 1; lock.unlock(); return false }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
