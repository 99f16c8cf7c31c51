import Foundation
import NKStore
import Testing

@Suite("nkwatch merge: shards give the store of one ingest")
struct MergeTests {
    static let sample = CLITests.repoRoot.appendingPathComponent("SampleData/kp-2014-12")
    static let collectors = ["rrc00", "rrc01", "route-views2"]

    /// The sample's archive files of `collector` dumped on `day` (19…23 Dec), or on every day.
    static func files(_ collector: String, day: Int? = nil) throws -> [String] {
        let root = sample.appendingPathComponent(collector)
        let all = (FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".gz") || $0.hasSuffix(".bz2") }
        return all.filter { day == nil || $0.contains(".201412\(day!).") }.sorted().map { root.appendingPathComponent($0).path }
    }

    static func ingest(_ files: [String], into store: String, scope: [String]) throws {
        let r = try CLITests.run(["ingest", "--quiet", "--store", store] + scope + files)
        #expect(r.status == 0, "\(r.stderr)")
    }

    static func classify(_ store: String, scope: [String]) throws -> String {
        let r = try CLITests.run(["classify", "--format", "json", "--store", store] + scope)
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout
    }

    static func content(_ store: String) throws -> [String] {
        let s = try Store.open(path: store, mode: .read)
        defer { try? s.close() }
        return try s.logicalContent()
    }

    /// Partitions of the sample's files into shards.
    static func partitions() throws -> [(name: String, shards: [[String]])] {
        let byCollector = try collectors.map { try files($0) }
        let two = [byCollector[0], byCollector[1] + byCollector[2]]
        // Seven: the 19th, 20th and 21st (all collectors), the 22nd by
        // collector, and the 23rd.
        var seven: [[String]] = []
        for day in [19, 20, 21] { seven.append(try collectors.flatMap { try files($0, day: day) }) }
        for c in collectors { seven.append(try files(c, day: 22)) }
        seven.append(try collectors.flatMap { try files($0, day: 23) })
        return [("2 shards", two), ("3 shards by collector", byCollector), ("7 shards by day and collector", seven)]
    }

    @Test("the sample in 2, 3 and 7 shards, merged in several orders and with an overlapping shard: the classification of one ingest, byte for byte, and the same store content")
    func shards() throws {
        let dir = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let single = dir.appendingPathComponent("single.sqlite").path
        try Self.ingest(Self.collectors.map { Self.sample.appendingPathComponent($0).path }, into: single, scope: [])
        let expected = try Self.classify(single, scope: [])
        let expectedContent = try Self.content(single).filter { !$0.hasPrefix("meta|") }
        #expect(expected.contains("\"hard_outage\""))
        for (k, (name, parts)) in try Self.partitions().enumerated() {
            #expect(parts.reduce(0) { $0 + $1.count } == 3449, "\(name)")
            let shards = try parts.enumerated().map { i, files in
                let path = dir.appendingPathComponent("p\(k)-shard\(i).sqlite").path
                try Self.ingest(files, into: path, scope: [])
                return path
            }
            for (o, order) in [shards, shards.reversed(), Array(shards.dropFirst()) + [shards[0]]].enumerated() {
                let out = dir.appendingPathComponent("p\(k)-merged\(o).sqlite").path
                let r = try CLITests.run(["merge", "--store", out, "--format", "json"] + order)
                #expect(r.status == 0, "\(name): \(r.stderr)")
                let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
                #expect(j["schema"] as? String == "nkwatch.merge/v1")
                #expect(j["shards"] as? Int == parts.count && j["inserted"] as? Int == 3449 && j["duplicates"] as? Int == 0, "\(name): \(r.stdout)")
                #expect(try Self.classify(out, scope: []) == expected, "\(name), order \(o)")
                #expect(try Self.content(out).filter { !$0.hasPrefix("meta|") } == expectedContent, "\(name), order \(o)")
            }
        }
        // Overlapping shards, and merging into a store that holds some files
        // already: each file once.
        let a = dir.appendingPathComponent("a.sqlite").path, b = dir.appendingPathComponent("b.sqlite").path
        try Self.ingest(try Self.files("rrc00") + Self.files("rrc01"), into: a, scope: [])
        try Self.ingest(try Self.files("rrc01") + Self.files("route-views2"), into: b, scope: [])
        let out = dir.appendingPathComponent("overlap.sqlite").path
        try Self.ingest(try Self.files("rrc00", day: 22), into: out, scope: [])
        let r = try CLITests.run(["merge", "--store", out, a, b])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("merged 2 stores (") && r.stderr.contains("already there"), "\(r.stderr)")
        #expect(try Self.classify(out, scope: []) == expected)
        #expect(try Self.content(out).filter { !$0.hasPrefix("meta|") } == expectedContent)
    }

    @Test("an origin-ASN scope in shards by day (each learns its own prefixes): merged in reverse, files are read again for what other shards learned; the same classification and store content")
    func originASN() throws {
        let dir = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scope = ["--origin-asn", "131279"]
        let single = dir.appendingPathComponent("single.sqlite").path
        try Self.ingest(Self.collectors.map { Self.sample.appendingPathComponent($0).path }, into: single, scope: scope)
        let expected = try Self.classify(single, scope: scope)
        // The update files of 22 Dec 16:15–16:30 hold the withdrawals and no
        // announcement by AS131279: alone, they teach their shard nothing and
        // it stores none of their events.
        let quiet = { (f: String) in f.contains("updates.20141222.1615.") || f.contains("updates.20141222.162") }
        let withdrawals = dir.appendingPathComponent("withdrawals.sqlite").path
        let withdrawalFiles = try Self.collectors.flatMap { try Self.files($0, day: 22) }.filter(quiet)
        #expect(withdrawalFiles.count == 7)
        try Self.ingest(withdrawalFiles, into: withdrawals, scope: scope)
        #expect(try Self.content(withdrawals).filter { $0.hasPrefix("event|") || $0.hasPrefix("learned|") }.isEmpty)
        var shards = [withdrawals]
        for day in 19...23 {
            let path = dir.appendingPathComponent("day\(day).sqlite").path
            try Self.ingest(try Self.collectors.flatMap { try Self.files($0, day: day) }.filter { !quiet($0) }, into: path, scope: scope)
            shards.append(path)
        }
        let out = dir.appendingPathComponent("merged.sqlite").path
        let r = try CLITests.run(["merge", "--store", out, "--format", "json"] + shards.reversed())
        #expect(r.status == 0, "\(r.stderr)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(j["read_again"] as? Int == 7 && j["inserted"] as? Int == 3449, "\(r.stdout)")
        #expect(try Self.classify(out, scope: scope) == expected)
        #expect(try Self.content(out).filter { !$0.hasPrefix("meta|") } == (try Self.content(single)).filter { !$0.hasPrefix("meta|") })
    }

    @Test("refused: shards of different scopes (exit 2, naming both), a file that is not a store (2), a missing shard (3), the output among the shards (2), no shard (2)")
    func refusals() throws {
        let dir = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let kp = dir.appendingPathComponent("kp.sqlite").path, other = dir.appendingPathComponent("other.sqlite").path
        let some = try Array(Self.files("rrc00", day: 22).prefix(20))
        try Self.ingest(some, into: kp, scope: [])
        try Self.ingest(some, into: other, scope: ["--prefix", "10.0.0.0/8"])
        let out = dir.appendingPathComponent("out.sqlite").path
        var r = try CLITests.run(["merge", "--store", out, kp, other])
        #expect(r.status == 2)
        #expect(r.stderr.contains("other.sqlite holds data for another scope") && r.stderr.contains("cannot be merged"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let text = dir.appendingPathComponent("notes.txt").path
        try "hello".write(toFile: text, atomically: true, encoding: .utf8)
        r = try CLITests.run(["merge", "--store", out, kp, text])
        #expect(r.status == 2 && r.stderr.contains("not an nkwatch store"), "\(r.stderr)")
        r = try CLITests.run(["merge", "--store", out, kp, dir.appendingPathComponent("missing.sqlite").path])
        #expect(r.status == 3 && r.stderr.contains("missing.sqlite: no such store"), "\(r.stderr)")
        r = try CLITests.run(["merge", "--store", kp, kp, other])
        #expect(r.status == 2 && r.stderr.contains("is the output store itself"), "\(r.stderr)")
        r = try CLITests.run(["merge", "--store", out])
        #expect(r.status == 2)
    }
}
