import Foundation
import MRT
import NKArchive
import NKModel
import NKStore
import NKWatchCore
import NKTestSupport
import Testing

/// Ingest's fast path (records read in place, settled when nothing in them is
/// in scope) must store exactly what the full decoder stores.
@Suite("Ingest fast path equals the full decoder")
struct FastPathTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var corpus: URL? { TestCorpus.ris }

    /// Scopes that send few, some, and many records to the full decoder.
    static let scopes: [Scope] = [
        .northKorea,
        Scope(prefixes: [], originASNs: []),
        Scope(prefixes: [Prefix("12.0.0.0/8")!, Prefix("193.0.0.0/8")!, Prefix("2001:600::/23")!], originASNs: [3356, 174, 701, 1299]),
        Scope(prefixes: [Prefix("0.0.0.0/1")!], originASNs: [6939]),
    ]

    static func compare(_ path: String, scopes: [Scope] = scopes, sourceLocation: SourceLocation = #_sourceLocation) {
        for scope in scopes {
            let ingester = FileIngester(scope: scope)
            let (fast, fastReport) = ingester.ingest(path: path, fastPath: true)
            let (full, fullReport) = ingester.ingest(path: path, fastPath: false)
            let same = fast == full
            #expect(same, """
                \(path) with scope \(scope): fast path \(fast?.file.elements ?? -1) elements, \(fast?.events.count ?? -1) events, \
                \(fast?.ribTables.count ?? -1) RIB tables, \(fast?.file.errors.count ?? -1) errors; full decoder \(full?.file.elements ?? -1), \
                \(full?.events.count ?? -1), \(full?.ribTables.count ?? -1), \(full?.file.errors.count ?? -1)
                """, sourceLocation: sourceLocation)
            #expect(fastReport.records == fullReport.records && fastReport.recordsDecoded == fullReport.recordsDecoded,
                    "\(path)", sourceLocation: sourceLocation)
            #expect(fastReport.allErrors.map(\.description) == fullReport.allErrors.map(\.description), "\(path)", sourceLocation: sourceLocation)
        }
    }

    @Test("every corpus dump, under four scopes", .enabled(if: corpus != nil, TestCorpus.skipMessage))
    func corpusFiles() throws {
        let dir = try #require(Self.corpus)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names.count == 12)
        for name in names { Self.compare(dir.appendingPathComponent(name).path) }
    }

    @Test("the generated archive: RIB dumps and updates with the scope's prefixes, state changes, two collectors")
    func fixture() throws {
        let root = try Fixture.tempDir("fastpath")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        for path in written.paths { Self.compare(path) }
        // The scope really is found: events from both paths.
        let f = try #require(FileIngester(scope: .northKorea).ingest(path: written.paths[0]).0)
        #expect(f.file.kind == .rib && !f.events.isEmpty && !f.ribTables.isEmpty)
    }

    @Test("other producers: BIRD's ADD-PATH UPDATEs in plain subtypes, OpenBGPD's TABLE_DUMP, under scopes that hold their prefixes and not")
    func otherProducers() throws {
        let root = try Fixture.tempDir("fastpath-producers")
        defer { try? FileManager.default.removeItem(at: root) }
        let scopes = Self.scopes + [Scope(prefixes: [Prefix("172.17.0.0/16")!], originASNs: []), Scope(prefixes: [Prefix("fd01::/16")!], originASNs: [])]
        for (name, bytes) in [("bird.mrt", SampleArchives.birdAddPath()), ("openbgpd.mrt", SampleArchives.openBGPDTableDump())] {
            let path = root.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            Self.compare(path, scopes: scopes)
        }
        // The scope finds BIRD's real prefixes, not the plain misreading.
        let f = try #require(FileIngester(scope: scopes[scopes.count - 2]).ingest(path: root.appendingPathComponent("bird.mrt").path).0)
        #expect(Set(f.events.map(\.prefix.description)) == ["172.17.0.0/24"])
    }

    @Test("SampleData: every MRT sample and every 25th file of kp-2014-12")
    func sampleData() throws {
        let mrt = Self.repoRoot.appendingPathComponent("SampleData/mrt")
        for name in try FileManager.default.contentsOfDirectory(atPath: mrt.path).sorted() where !name.hasSuffix(".md") {
            Self.compare(mrt.appendingPathComponent(name).path)
        }
        let kp = Self.repoRoot.appendingPathComponent("SampleData/kp-2014-12")
        let files = try InputPaths.expand([kp.path])
        #expect(files.count > 3000)
        var events = 0
        for (i, path) in files.enumerated() where i % 25 == 0 || path.contains("bview") || path.contains("rib.") {
            Self.compare(path, scopes: [.northKorea])
            events += FileIngester(scope: .northKorea).ingest(path: path).0?.events.count ?? 0
        }
        #expect(events > 0)
    }

    @Test("damaged records: 300 single-byte changes to a real update dump and to a generated RIB dump")
    func damaged() throws {
        let root = try Fixture.tempDir("fastpath-damage")
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try Fixture.write(to: root)
        var sources: [[UInt8]] = []
        let rib = try ArchiveStream(path: written.paths[0])
        sources.append(try rib.readAll())
        if let dir = Self.corpus {
            sources.append(try ArchiveStream(path: dir.appendingPathComponent("updates.20020722.2238.gz").path).readAll())
        }
        var rng = SplitMix64(seed: 7)
        for (n, original) in sources.enumerated() {
            for i in 0..<(300 / sources.count) {
                var bytes = original
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[at] = UInt8.random(in: 0...255, using: &rng)
                let path = root.appendingPathComponent("damaged-\(n)-\(i).mrt").path
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                Self.compare(path, scopes: [.northKorea, Self.scopes[2]])
            }
        }
    }
}
