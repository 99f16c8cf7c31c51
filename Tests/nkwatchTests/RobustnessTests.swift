import Foundation
import MRT
import NKArchive
import NKStore
import NKTestSupport
import Testing

/// Hostile and damaged archives: bounded time and memory, nothing lost, and a
/// store that readers can use while an ingest writes.
@Suite("Robustness")
struct RobustnessTests {
    /// Runs nkwatch under /usr/bin/time; returns (status, peak RSS in MB, seconds, stderr).
    static func measured(_ args: [String]) throws -> (Int32, Double, Double, String) {
        let out = try CLITests.tempDir().appendingPathComponent("time.txt").path
        let r = try CLITests.run(["-f", "%M %e", "-o", out, CLITests.binary] + args, executable: "/usr/bin/time")
        let parts = (try String(contentsOfFile: out, encoding: .utf8)).split(whereSeparator: \.isWhitespace)
        let kb = Double(parts.dropLast().last ?? "0") ?? 0, secs = Double(parts.last ?? "0") ?? 0
        return (r.status, kb / 1024, secs, r.stderr)
    }

    static func be32(_ v: Int) -> [UInt8] { [UInt8((v >> 24) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    static var hostile: [(String, [UInt8])] {
        var w = MRTWriter()
        w.writePeerIndexTable(timestamp: 1, collectorBGPID: .v4(1), peers: [PeerEntry(peerType: 0, bgpID: .v4(1), ip: .v4(2), asn: 3)])
        let peerTable = w.take()
        let rib: [UInt8] = [0, 0, 0, 1, 0, 13, 0, 2] + be32(4 + 1 + 1 + 2 + 8) + [0, 0, 0, 0, 8, 10, 0xFF, 0xFF] + [0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
        let bigPeers: [UInt8] = [0, 0, 0, 1, 0, 13, 0, 1] + be32(8 + 4) + [1, 2, 3, 4, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0]
        let huge: [UInt8] = [0, 0, 0, 1, 0, 16, 0, 4] + be32((16 << 20) - 1) + Array(repeating: 0xAB, count: 4096)
        let attrOverflow: [UInt8] = {
            // A BGP4MP_MESSAGE_AS4 UPDATE whose AS_PATH claims 65 535 bytes (extended length).
            var bgp: [UInt8] = Array(repeating: 0xFF, count: 16)
            let body: [UInt8] = [0, 0, 0, 8, 0x50, 2, 0xFF, 0xFF, 2, 1, 0, 0] + [24, 10, 0, 0]
            bgp += [UInt8((19 + body.count) >> 8), UInt8((19 + body.count) & 0xFF), 2] + body
            let rec: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 10, 0, 0, 1, 10, 0, 0, 2] + bgp
            return [0, 0, 0, 1, 0, 16, 0, 4] + be32(rec.count) + rec
        }()
        return [("rib-entry-count", peerTable + rib), ("peer-count", bigPeers), ("huge-length", huge),
                ("attribute-overflow", attrOverflow), ("zeros", Array(repeating: 0, count: 4 << 20))]
    }

    @Test("hostile inputs: a typed error, exit 3, in bounded time and memory", arguments: hostile.map(\.0))
    func hostileInputs(name: String) throws {
        let bytes = try #require(Self.hostile.first { $0.0 == name }).1
        let path = try CLITests.tempFile(name + ".mrt", bytes)
        let (status, mb, secs, stderr) = try Self.measured(["dump", path])
        #expect(status == 3 || (name == "zeros" && status == 0), "\(stderr)")
        #expect(mb < 100, "peak RSS \(mb) MB")
        #expect(secs < 20, "\(secs) s")
        if status == 3 { #expect(stderr.contains(path) && stderr.contains("byte offset")) }
    }

    @Test("a gzip bomb of zeros is read in bounded memory")
    func gzipBomb() throws {
        let zeros = [UInt8](repeating: 0, count: 16 << 20)
        let path = try CLITests.tempFile("bomb.gz", try Compressor.compress(zeros, as: .gzip, level: 9))
        let (_, mb, secs, _) = try Self.measured(["dump", "--quiet", path])
        #expect(mb < 100, "peak RSS \(mb) MB")
        #expect(secs < 60)
    }

    @Test("peak memory stays flat from 1x to 4x the input")
    func flatMemory() throws {
        let one = try Data(contentsOf: CLITests.repoRoot.appendingPathComponent("SampleData/kp-2014-12/route-views2/bgpdata/2014.12/RIBS/rib.20141222.1600.bz2"))
        var plain: [UInt8] = []
        let s = try ArchiveStream(bytes: Array(one))
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try buf.withUnsafeMutableBytes { try s.read(into: $0) }
            if n == 0 { break }
            plain += buf[0..<n]
        }
        let p1 = try CLITests.tempFile("x1.mrt", plain)
        let p4 = try CLITests.tempFile("x4.mrt", plain + plain + plain + plain)
        let (_, m1, _, _) = try Self.measured(["dump", p1])
        let (_, m4, _, _) = try Self.measured(["dump", p4])
        #expect(m4 < m1 * 1.25 + 5, "1x: \(m1) MB, 4x: \(m4) MB")
    }

    /// An update file with `n` in-scope events: 20 peers announcing North
    /// Korea's /24s over and over with changing paths, one prefix per record,
    /// over a day, with ten outages (the same at any `n`), after a RIB dump in
    /// which they all carry them.
    static func inScopeEvents(_ n: Int, dir: URL) throws -> [String] {
        let t0: UInt32 = 1_419_206_400
        let kp = (176...179).map { Prefix("175.45.\($0).0/24")! }
        let peers = (0..<20).map { (i: Int) -> PeerEntry in
            let n = UInt32(i)
            return PeerEntry(peerType: 2, bgpID: .v4(n + 1), ip: .v4(0x0A00_0000 + n + 1), asn: 3300 + n)
        }
        func attrs(_ p: PeerEntry, via: UInt32 = 4837) -> AttributeSet {
            AttributeSet(origin: .igp, asPath: ASPath(segments: [ASPathSegment(type: .sequence, asns: [p.asn, via, 131279])]), nextHop: p.ip)
        }
        var rib = MRTWriter()
        rib.writePeerIndexTable(timestamp: t0, collectorBGPID: .v4(1), peers: peers)
        for (i, p) in kp.enumerated() {
            rib.writeRIB(timestamp: t0, sequence: UInt32(i), prefix: p, entries: peers.indices.map { MRTWriter.RIBEntryValue(peerIndex: UInt16($0), originatedTime: t0, attributes: attrs(peers[$0])) })
        }
        let ribPath = dir.appendingPathComponent("rrc00/2014.12/bview.20141222.0000.gz")
        try FileManager.default.createDirectory(at: ribPath.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(try Compressor.compress(rib.take(), as: .gzip)).write(to: ribPath)
        var w = MRTWriter()
        for i in 0..<n {
            let peer = peers[i % 20], prefix = kp[(i / 20) % 4]
            let s = MRTWriter.Session(peerASN: peer.asn, localASN: 12654, peerIP: peer.ip, localIP: .v4(1))
            let offset = UInt32(i * 86_000 / n)
            let time = MRTWriter.Time(t0 + offset)
            let phase = i % (n / 10)
            if phase >= 100 && phase < 200 {
                w.writeUpdate(time, session: s, withdrawn: [NLRIEntry(prefix: prefix)])
            } else {
                w.writeUpdate(time, session: s, attributes: attrs(peer, via: (i / 20) % 2 == 0 ? 9929 : 4837), announced: [NLRIEntry(prefix: prefix)])
            }
        }
        let updates = dir.appendingPathComponent("rrc00/2014.12/updates.20141222.0000.gz")
        try Data(try Compressor.compress(w.take(), as: .gzip)).write(to: updates)
        return [ribPath.path, updates.path]
    }

    @Test("ingest and classify memory stays flat in the number of events of a file")
    func memoryFlatInEvents() throws {
        var peaks: [(ingest: Double, classify: Double)] = []
        for n in [60_000, 240_000] {
            let dir = try CLITests.tempDir()
            defer { try? FileManager.default.removeItem(at: dir) }
            let files = try Self.inScopeEvents(n, dir: dir)
            let store = dir.appendingPathComponent("s.sqlite").path
            let (s1, ingest, _, e1) = try Self.measured(["ingest", "--quiet", "--jobs", "1", "--store", store] + files)
            #expect(s1 == 0, "\(e1)")
            #expect(try Store.open(path: store, mode: .read).query("SELECT COUNT(*) FROM events WHERE kind != 'B'") == [["\(n)"]])
            let (s2, classify, _, e2) = try Self.measured(["classify", "--format", "json", "--store", store])
            #expect(s2 == 0, "\(e2)")
            peaks.append((ingest, classify))
        }
        #expect(peaks[1].ingest < peaks[0].ingest * 1.25 + 8, "ingest: \(peaks[0].ingest) MB for 60 000 events, \(peaks[1].ingest) MB for 240 000")
        #expect(peaks[1].classify < peaks[0].classify * 1.25 + 8, "classify: \(peaks[0].classify) MB, \(peaks[1].classify) MB")
    }

    @Test("every corpus file cut at record boundaries and inside records keeps exactly the intact records",
          .enabled(if: IngestCLITests.corpus != nil, TestCorpus.skipMessage))
    func corpusTruncation() throws {
        let corpus = try #require(IngestCLITests.corpus).appendingPathComponent("ris")
        for name in try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted() {
            let s = try ArchiveStream(path: corpus.appendingPathComponent(name).path)
            var plain: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 1 << 16)
            while plain.count < 300_000 {
                let n = try buf.withUnsafeMutableBytes { try s.read(into: $0) }
                if n == 0 { break }
                plain += buf[0..<n]
            }
            let ends = MRTCommonHeader.recordEnds(in: plain)
            guard ends.count >= 1 else { continue }
            let picks = [ends[0], ends[ends.count / 2], ends[ends.count - 1]]
            for cut in Set(picks.flatMap { [$0, $0 - 1, $0 - 7] }).filter({ $0 > 0 }).sorted() {
                var decoder = MRTDecoder()
                let path = try CLITests.tempFile("cut.mrt", Array(plain.prefix(cut)))
                let report = readMRTFile(path: path, decoder: &decoder) { _ in }
                let intact = ends.filter { $0 <= cut }.count
                #expect(report.records == intact, "\(name) cut at \(cut)")
                if ends.contains(cut) || cut >= plain.count {
                    #expect(report.fatalError == nil, "\(name) cut at \(cut)")
                } else {
                    #expect(report.fatalError?.offset == (ends.last { $0 <= cut } ?? 0), "\(name) cut at \(cut)")
                }
            }
        }
    }

    @Test("readers work while an ingest creates the store and while it writes (WAL); a reader never sees a half-made store")
    func readerDuringIngest() throws {
        let dir = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("s.sqlite").path
        let rrc00 = CLITests.repoRoot.appendingPathComponent("SampleData/kp-2014-12/rrc00").path

        // 1. Readers race an ingest that creates the store. Before the store
        // exists they are told so (exit 2); once it exists they read it. A
        // reader that opened the file while the writer was still creating it
        // used to call it "not an nkwatch store": readers now wait for the
        // writer's creation lock.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLITests.binary)
        p.arguments = ["ingest", "--quiet", "--jobs", "1", "--store", store, rrc00]
        p.standardError = FileHandle.nullDevice
        try p.run()
        var statuses = Set<Int32>(), messages = Set<String>()
        while p.isRunning {
            let r = try CLITests.run(["timeline", "--format", "csv", "--store", store])
            statuses.insert(r.status)
            if r.status != 0 { messages.insert(r.stderr) }
        }
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        // Before the store exists: "no store" (2); created but its scope not
        // yet recorded: "no ingested data yet" (2); while only RIB dumps are
        // in it (no update file yet for the range): "no data" (3).
        #expect(statuses.isSubset(of: [0, 2, 3]), "\(statuses) \(messages)")
        #expect(messages.allSatisfy { $0.contains("no store at") || $0.contains("holds no nkwatch data yet") || $0.contains("holds no ingested data yet")
            || $0.contains("no data from") }, "\(messages)")
        let before = try CLITests.run(["timeline", "--format", "csv", "--store", store])
        #expect(before.status == 0)

        // 2. A writer that holds the store open (an ingest waiting for its
        // standard input) does not stop readers: known to overlap, not by luck.
        let w = Process()
        w.executableURL = URL(fileURLWithPath: CLITests.binary)
        w.arguments = ["ingest", "--quiet", "--collector", "rrc01", "--store", store, "-"]
        let input = Pipe()
        w.standardInput = input
        w.standardError = FileHandle.nullDevice
        try w.run()
        // The writer has the store open once its write-ahead log exists.
        var waited = 0
        while !FileManager.default.fileExists(atPath: store + "-wal") && w.isRunning && waited < 3000 {
            usleep(10_000)
            waited += 1
        }
        #expect(FileManager.default.fileExists(atPath: store + "-wal"), "the writer never opened the store")
        for _ in 0..<3 {
            let r = try CLITests.run(["timeline", "--format", "csv", "--store", store])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout == before.stdout)
        }
        #expect(w.isRunning)
        let file = CLITests.repoRoot.appendingPathComponent("SampleData/kp-2014-12/rrc01/2014.12/updates.20141222.1615.gz")
        input.fileHandleForWriting.write(try Data(contentsOf: file))
        try input.fileHandleForWriting.close()
        w.waitUntilExit()
        #expect(w.terminationStatus == 0)
        let after = try CLITests.run(["timeline", "--format", "csv", "--store", store])
        #expect(after.status == 0, "\(after.stderr)")
        let files = try CLITests.run(["-c", "sqlite3 '\(store)' 'SELECT COUNT(*) FROM files'"], executable: "/bin/sh")
        #expect(Int(files.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) == 1456)
    }
}
