import Foundation
import MRT
import NKArchive
import NKModel
import NKStore
@testable import NKWatchCore
import Testing

/// The merge of origin-ASN shards that learned different prefixes, at the
/// store level: a file keeps what it was read for up to the first merged
/// prefix it was not read for, drops the rest, and is read again.
@Suite("Merging shards that learned different prefixes")
struct MergerTests {
    static let asn: UInt32 = 65001
    static let p1 = Prefix("192.0.2.0/24")!, p2 = Prefix("198.51.100.0/24")!
    static let session = MRTWriter.Session(peerASN: 3356, localASN: 12654, peerIP: .v4(0x0A00_0001), localIP: .v4(1))

    static func attrs(_ origin: UInt32) -> AttributeSet {
        AttributeSet(origin: .igp, asPath: ASPath(segments: [ASPathSegment(type: .sequence, asns: [3356, origin])]), nextHop: .v4(0x0A00_0001))
    }

    /// An rrc00 update file at 2014-12-22 16:MM.
    static func updates(_ dir: URL, minute: Int, _ body: (inout MRTWriter, UInt32) -> Void) throws -> String {
        let folder = dir.appendingPathComponent("rrc00/2014.12")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let t: UInt32 = 1_419_264_000 + UInt32(minute) * 60
        var w = MRTWriter()
        body(&w, t)
        let path = folder.appendingPathComponent(String(format: "updates.20141222.16%02d.gz", minute)).path
        try Data(try Compressor.compress(w.take(), as: .gzip)).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("shard A learned P1, shard B learned P2 (and kept a withdrawal of P2 for it): merged, B's file is narrowed, both are read again, and the store is the one ingest of both files makes")
    func narrowing() throws {
        let dir = try Fixture.tempDir("merger")
        defer { try? FileManager.default.removeItem(at: dir) }
        // File A: P1 announced by the ASN, P2 withdrawn (another origin announced it before).
        let a = try Self.updates(dir, minute: 0) { w, t in
            w.writeUpdate(MRTWriter.Time(t), session: Self.session, attributes: Self.attrs(Self.asn), announced: [NLRIEntry(prefix: Self.p1)])
            w.writeUpdate(MRTWriter.Time(t + 10), session: Self.session, withdrawn: [NLRIEntry(prefix: Self.p2)])
        }
        // File B: P2 announced by the ASN and withdrawn; P1 withdrawn.
        let b = try Self.updates(dir, minute: 5) { w, t in
            w.writeUpdate(MRTWriter.Time(t), session: Self.session, attributes: Self.attrs(Self.asn), announced: [NLRIEntry(prefix: Self.p2)])
            w.writeUpdate(MRTWriter.Time(t + 20), session: Self.session, withdrawn: [NLRIEntry(prefix: Self.p2)])
            w.writeUpdate(MRTWriter.Time(t + 30), session: Self.session, withdrawn: [NLRIEntry(prefix: Self.p1)])
        }
        let scope = Scope(prefixes: [], originASNs: [Self.asn])
        func ingest(_ paths: [String], _ name: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            let store = try Store.open(path: path)
            defer { try? store.close() }
            _ = try Ingestor(scope: scope, jobs: 1).run(paths: paths, store: store)
            return path
        }
        let single = try ingest([a, b], "single.sqlite")
        let shardA = try ingest([a], "a.sqlite"), shardB = try ingest([b], "b.sqlite")
        func content(_ path: String) throws -> [String] {
            let s = try Store.open(path: path, mode: .read)
            defer { try? s.close() }
            return try s.logicalContent().filter { !$0.hasPrefix("meta|") }
        }
        // Each shard learned its own prefix; B holds its withdrawal of P2.
        #expect(try content(shardA).filter { $0.hasPrefix("learned|") } == ["learned|\(Self.p1)"])
        #expect(try content(shardB).filter { $0.hasPrefix("learned|") } == ["learned|\(Self.p2)"])
        #expect(try content(shardB).filter { $0.hasPrefix("event|") && $0.contains("|W|\(Self.p2)|") }.count == 1)
        let expected = try content(single)
        // Both withdrawals of the other prefix are in the single store.
        #expect(expected.filter { $0.hasPrefix("event|") && $0.contains("|W|") }.count == 3)
        for (k, order) in [[shardA, shardB], [shardB, shardA]].enumerated() {
            let out = dir.appendingPathComponent("merged\(k).sqlite").path
            let store = try Store.open(path: out)
            let summary = try Merger(jobs: 1).merge(shards: order, into: store)
            try store.close()
            // The file of the second shard was read for a prefix learned before its own.
            #expect(summary.completion.completed >= 1, "order \(k)")
            #expect(summary.completion.incomplete.isEmpty)
            #expect(try content(out) == expected, "order \(k)")
        }
    }
}
