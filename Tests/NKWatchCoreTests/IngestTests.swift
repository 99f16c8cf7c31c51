import Foundation
import MRT
import NKArchive
import NKAnalysis
import NKModel
import NKStore
@testable import NKWatchCore
import Testing

@Suite("Ingest into the store")
struct IngestTests {
    static func ingest(_ paths: [String], into store: Store, scope: Scope = .northKorea, jobs: Int = 2) throws -> IngestSummary {
        try Ingestor(scope: scope, jobs: jobs).run(paths: paths, store: store)
    }

    @Test("two collectors: files, collectors, peers, RIB table sizes, in-scope events, state changes, bins")
    func twoCollectors() throws {
        let root = try Fixture.tempDir("ingest")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        let store = try Store.inMemory()
        let summary = try Self.ingest(written.paths, into: store)
        #expect(summary.files == 2 + 4 + 12)
        #expect(summary.ingested == 18)
        #expect(summary.damaged == 0 && summary.unreadable == 0 && summary.skipped == 0)
        #expect(summary.elements == written.elements.values.reduce(0, +))
        #expect(summary.events == written.kpEvents.values.reduce(0, +))
        #expect(summary.gaps == 0)
        let counts = try store.tableCounts()
        #expect(counts["collectors"] == 2)
        #expect(counts["peers"] == 7)
        #expect(counts["rib_tables"] == 7)
        #expect(counts["peer_states"] == 4)
        // Each RIB table: 40 IPv4 background + 4 target prefixes, 1 IPv6.
        let sizes = try store.query("SELECT DISTINCT ipv4_prefixes, ipv6_prefixes FROM rib_tables")
        #expect(sizes == [["44", "1"]])
        let collectors = try store.query("SELECT name, project FROM collectors ORDER BY name")
        #expect(collectors == [["route-views2", "routeviews"], ["rrc00", "ris"]])
        let kinds = try store.query("SELECT c.name, f.kind, COUNT(*), MIN(f.coverage_start), MAX(f.coverage_end) FROM files f JOIN collectors c ON c.id = f.collector_id GROUP BY c.name, f.kind ORDER BY c.name, f.kind")
        #expect(kinds == [["route-views2", "rib", "1", "1419264000", "1419264001"],
                          ["route-views2", "updates", "4", "1419264000", "1419267600"],
                          ["rrc00", "rib", "1", "1419264000", "1419264001"],
                          ["rrc00", "updates", "12", "1419264000", "1419267600"]])
        // The withdrawal of 175.45.178.0/24 by every peer at 16:15:30.
        let w = try store.query("SELECT COUNT(*) FROM events WHERE kind = 'W' AND prefix = '175.45.178.0/24' AND time_us = 1419264930000000")
        #expect(w == [["7"]])
        let a = try store.query("SELECT as_path, origin_asn, next_hop FROM events e JOIN peers p ON p.id = e.peer_id WHERE kind = 'A' AND p.asn = 3357 AND prefix = '175.45.176.0/24'")
        #expect(a == [["3357 4837 131279", "131279", "10.0.0.1"]])
        // Collector health: every 5-minute bin of the hour has elements at both collectors.
        let bins = try store.query("SELECT COUNT(*) FROM collector_bins")
        #expect(bins == [["24"]])
    }

    @Test("re-ingest changes nothing; shuffled order and one job give the same store")
    func idempotentAndOrderIndependent() throws {
        let root = try Fixture.tempDir("order")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        let a = try Store.inMemory()
        _ = try Self.ingest(written.paths, into: a)
        let first = try a.logicalContent()
        let again = try Self.ingest(written.paths, into: a)
        #expect(again.skipped == written.paths.count)
        #expect(again.ingested == 0)
        #expect(try a.logicalContent() == first)
        var rng = SystemRandomNumberGenerator()
        for jobs in [1, 2] {
            let b = try Store.inMemory()
            _ = try Self.ingest(written.paths.shuffled(using: &rng), into: b, jobs: jobs)
            #expect(try b.logicalContent() == first)
        }
        // Files added later (a cron job) end the same as all at once.
        let c = try Store.inMemory()
        _ = try Self.ingest(Array(written.paths.suffix(7)), into: c)
        _ = try Self.ingest(Array(written.paths.prefix(11)), into: c)
        #expect(try c.logicalContent() == first)
    }

    @Test("a missing update file is a gap of exactly its interval")
    func missingFileIsGap() throws {
        let root = try Fixture.tempDir("gap")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root, skip: ["rrc00/updates.20141222.1625.gz"])
        let store = try Store.inMemory()
        let summary = try Self.ingest(written.paths, into: store)
        #expect(summary.gaps == 1)
        #expect(try store.gaps() == [CollectorInterval(collector: "rrc00", start: Timestamp(seconds: 1_419_265_500), end: Timestamp(seconds: 1_419_265_800))])
    }

    @Test("a quiet collector: empty update files (a compressed stream with no record) are files covering their time, even with the same bytes")
    func emptyUpdateFiles() throws {
        let root = try Fixture.tempDir("empty")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        let empty = try Compressor.compress([], as: .gzip)
        let dir = root.appendingPathComponent("rrc00/2014.12")
        var paths = written.paths
        for t in ["1700", "1705", "1710"] {
            let path = dir.appendingPathComponent("updates.20141222.\(t).gz").path
            try Data(empty).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let store = try Store.inMemory()
        let summary = try Self.ingest(paths, into: store)
        #expect(summary.problems.isEmpty, "\(summary.problems)")
        #expect(try store.query("SELECT COUNT(*), SUM(records), MIN(coverage_end - coverage_start) FROM files WHERE path LIKE '%.170_.gz' OR path LIKE '%.1710.gz'")
            == [["3", "0", "300"]])
        #expect(try store.gaps().filter { $0.collector == "rrc00" }.isEmpty)
    }

    @Test("a RIB dump damaged before its first record is recorded as damaged: its time is reported, nothing is invented")
    func ribDamagedAtOnce() throws {
        let root = try Fixture.tempDir("ribcut")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        let rib = try #require(written.paths.first { $0.contains("/bview.") || $0.contains("/rib.") })
        let bytes = try Data(contentsOf: URL(fileURLWithPath: rib))
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: rib))
        let store = try Store.inMemory()
        let summary = try Self.ingest(written.paths, into: store)
        #expect(summary.damaged == 1)
        let row = try store.query("SELECT kind, status, records FROM files WHERE path = '\(rib)'")
        #expect(row == [["rib", "damaged", "0"]])
        // Not a file: an empty raw file or one that is not MRT at all.
        try Data().write(to: URL(fileURLWithPath: root.appendingPathComponent("rrc00/2014.12/updates.20141222.1800.gz").path))
        let again = try Self.ingest([root.appendingPathComponent("rrc00/2014.12/updates.20141222.1800.gz").path], into: store)
        #expect(again.ingested == 0)
    }

    @Test("a truncated file is ingested up to the damage, marked damaged, and the rest of its time is a gap")
    func truncatedFile() throws {
        let root = try Fixture.tempDir("trunc")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        let victim = try #require(written.paths.first { $0.hasSuffix("updates.20141222.1615.bz2") })
        let full = try Data(contentsOf: URL(fileURLWithPath: victim))
        let stream = try ArchiveStream(path: victim)
        var plain: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try buf.withUnsafeMutableBytes { try stream.read(into: $0) }
            if n == 0 { break }
            plain += buf[0..<n]
        }
        _ = full
        // Keep the records up to 16:20 and half of the next one.
        let ends = MRTCommonHeader.recordEnds(in: plain)
        var keep = 0
        for (i, e) in ends.enumerated() {
            let start = i == 0 ? 0 : ends[i - 1]
            let t = UInt32(plain[start]) << 24 | UInt32(plain[start + 1]) << 16 | UInt32(plain[start + 2]) << 8 | UInt32(plain[start + 3])
            if t >= 1_419_265_200 { keep = i; break }
            _ = e
        }
        let cut = Array(plain.prefix(ends[keep - 1] + 20))
        try Data(try Compressor.compress(cut, as: .bzip2)).write(to: URL(fileURLWithPath: victim))
        let store = try Store.inMemory()
        let summary = try Self.ingest(written.paths, into: store)
        #expect(summary.damaged == 1)
        let row = try store.query("SELECT status, records, coverage_start, coverage_end, errors FROM files WHERE path = '\(victim)'")
        #expect(row.first?[0] == "damaged")
        #expect(row.first?[1] == "\(keep)")
        #expect(row.first?[2] == "1419264900")
        #expect(row.first?[4]?.contains("the data ends inside a record") == true)
        // The withdrawal at 16:15:30 came before the damage and is kept.
        let w = try store.query("SELECT COUNT(*) FROM events e JOIN files f ON f.id = e.file_id WHERE f.path = '\(victim)' AND e.kind = 'W'")
        #expect(w == [["12"]])
        let gaps = try store.gaps()
        #expect(gaps.count == 1)
        #expect(gaps.first?.collector == "route-views2")
        #expect(gaps.first?.end == Timestamp(seconds: 1_419_265_800))
        #expect((gaps.first?.start.seconds ?? 0) <= 1_419_265_200)
    }

    @Test("scope by prefix, by origin ASN, and by country file")
    func scopes() throws {
        let root = try Fixture.tempDir("scope")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        // A background /16 only: its RIB entries and announcements.
        let p = try Self.inMemoryIngest(written.paths, Scope(prefixes: [Prefix("10.3.0.0/16")!], originASNs: []))
        #expect(try p.query("SELECT DISTINCT prefix FROM events") == [["10.3.0.0/16"]])
        // A covering less-specific keeps the target reachable, so it is in scope too.
        let cover = try Self.inMemoryIngest(written.paths, Scope(prefixes: [Prefix("175.45.178.0/23")!], originASNs: []))
        #expect(try cover.query("SELECT DISTINCT prefix FROM events ORDER BY prefix") == [["175.45.178.0/24"], ["175.45.179.0/24"]])
        // Origin ASN alone: announcements and RIB entries with that origin, and
        // withdrawals of the prefixes it announced in the RIB dumps.
        let asn = try Self.inMemoryIngest(written.paths, Scope(prefixes: [], originASNs: [131279]))
        #expect(try asn.query("SELECT kind, COUNT(*) FROM events GROUP BY kind ORDER BY kind") == [["A", "28"], ["B", "28"], ["W", "28"]])
        // Country: KP from an APNIC delegated-extended extract.
        let text = """
        2|apnic|20141222|3|19830613|20141219|+1000
        apnic|*|ipv4|*|2|summary
        apnic|KP|ipv4|175.45.176.0|1024|20091217|allocated|A9166C7B
        apnic|KP|asn|131279|1|20091217|allocated|A9166C7B
        apnic|KR|ipv4|1.11.0.0|65536|20100126|allocated|A91DB4DD
        """
        let kp = try Delegations.scope(country: "kp", text: text)
        #expect(kp.prefixes.map(\.description) == ["175.45.176.0/22"])
        #expect(kp.originASNs == [131279])
        #expect(kp.country == "KP")
        let c = try Self.inMemoryIngest(written.paths, kp)
        #expect(try c.query("SELECT COUNT(*) FROM events") == [["\(written.kpEvents.values.reduce(0, +))"]])
        #expect(try c.scope()?.country == "KP")
    }

    static func inMemoryIngest(_ paths: [String], _ scope: Scope) throws -> Store {
        let s = try Store.inMemory()
        _ = try ingest(paths, into: s, scope: scope)
        return s
    }

    @Test("delegated-extended IPv4 counts become CIDR blocks")
    func cidrs() throws {
        let s = try Delegations.scope(country: "XX", text: "r|XX|ipv4|10.0.0.0|768|0|assigned\nr|XX|ipv6|2001:db8::|32|0|allocated\nr|XX|ipv4|1.2.3.0|256|0|reserved")
        #expect(s.prefixes.map(\.description) == ["10.0.0.0/23", "10.0.2.0/24", "2001:db8::/32"])
    }

}

@Suite("Store to analysis")
struct LoaderTests {
    @Test("the fixture's outage is found from the store, exact to the second, and the session reset is discounted")
    func fromStore() throws {
        let root = try Fixture.tempDir("analysis")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        let store = try Store.inMemory()
        _ = try Ingestor(scope: .northKorea, jobs: 2).run(paths: written.paths, store: store)
        let input = try AnalysisLoader.input(store: store, scope: .northKorea, from: nil, to: nil, binSeconds: 300)
        #expect(input.from == Timestamp(seconds: 1_419_264_000))
        #expect(input.to == Timestamp(seconds: 1_419_267_600))
        #expect(input.peers.count == 7)
        #expect(input.ribs.count == 2)
        #expect(input.announced == Set(Fixture.kp))
        var p = Parameters()
        p.minPeers = 3
        let r = try AnalysisLoader.analyze(store: store, scope: .northKorea, parameters: p)
        #expect(r.blocks == Fixture.kp)
        #expect(r.episodes.count == 1)
        let e = try #require(r.episodes.first)
        #expect(e.start == Timestamp(seconds: 1_419_264_930))
        #expect(e.end == Timestamp(seconds: 1_419_266_410))
        #expect(e.kind == .full)
        #expect(e.label == .isolatedBlip)
        #expect(e.peersDownShare == 1)
        #expect(e.peersKnown == 7)
        #expect(r.discounted.filter { $0.kind == .sessionReset }.count == 2)
        #expect(r.eligiblePeers == 7)
    }
}
