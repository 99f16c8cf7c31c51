import Foundation
import MRT
import NKArchive
import NKStore
import NKTestSupport
import Testing

/// `nkwatch ingest` as a user and a cron job run it.
@Suite("nkwatch ingest command line")
struct IngestCLITests {
    /// 24 RIS-style update files of 5 minutes: background churn from 6 peers and
    /// North Korea's /24s going down and up.
    static func writeArchive(_ root: URL) throws -> [String] {
        let dir = root.appendingPathComponent("rrc00/2014.12")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var paths: [String] = []
        let t0: UInt32 = 1_419_264_000
        for f in 0..<24 {
            var w = MRTWriter()
            let start = t0 + UInt32(f) * 300
            for s in stride(from: 0, to: 300, by: 2) {
                for peer in 0..<6 {
                    let session = MRTWriter.Session(peerASN: 3300 + UInt32(peer), localASN: 12654, peerIP: .v4(0x0A00_0000 + UInt32(peer)), localIP: .v4(1))
                    let bg = Prefix(address: .v4(0x0B00_0000 + UInt32((s * 7 + peer) % 250) << 8), length: 24)!
                    var a = AttributeSet(origin: .igp, asPath: ASPath(segments: [ASPathSegment(type: .sequence, asns: [3300 + UInt32(peer), 64500])]), nextHop: .v4(0x0A00_0000 + UInt32(peer)))
                    w.writeUpdate(MRTWriter.Time(start + UInt32(s)), session: session, attributes: a, announced: [NLRIEntry(prefix: bg)])
                    if s == 100 {
                        let nk = Prefix("175.45.\(176 + f % 4).0/24")!
                        if f % 3 == 0 {
                            w.writeUpdate(MRTWriter.Time(start + 100), session: session, withdrawn: [NLRIEntry(prefix: nk)])
                        } else {
                            a.asPath = ASPath(segments: [ASPathSegment(type: .sequence, asns: [3300 + UInt32(peer), 4837, 131279])])
                            w.writeUpdate(MRTWriter.Time(start + 100), session: session, attributes: a, announced: [NLRIEntry(prefix: nk)])
                        }
                    }
                }
            }
            let h = 16 + f / 12, m = (f % 12) * 5
            let url = dir.appendingPathComponent("updates.20141222.\(h)\(m < 10 ? "0" : "")\(m).gz")
            try Data(try Compressor.compress(w.bytes, as: .gzip)).write(to: url)
            paths.append(url.path)
        }
        return paths
    }

    static func consistent(_ store: Store) throws -> Bool {
        try store.query("SELECT COUNT(*) FROM files f WHERE f.events != (SELECT COUNT(*) FROM events e WHERE e.file_id = f.id)") == [["0"]]
    }

    @Test("SIGKILL at random moments while files grow and change, then a re-run: exactly the store of an uninterrupted run over the final files")
    func killAndResume() throws {
        let root = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: root) }
        let paths = try Self.writeArchive(root)
        let archive = root.appendingPathComponent("rrc00").path
        // The final state of the files: each grows from a cut copy (a mirror
        // still writing) to its whole self between kills.
        let whole = try paths.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let a = root.appendingPathComponent("a.sqlite").path, b = root.appendingPathComponent("b.sqlite").path
        let started = Date()
        let full = try CLITests.run(["ingest", "--quiet", "--store", a, archive])
        #expect(full.status == 0, "\(full.stderr)")
        // Kill moments spread over the time a whole run takes (ingest is fast:
        // a fixed window would often miss it), until five runs died midway.
        let window = max(2_000, UInt32(Date().timeIntervalSince(started) * 1e6 * 0.9))
        var rng = SystemRandomNumberGenerator()
        for (i, p) in paths.enumerated() where i % 3 == 0 {
            try whole[i].prefix(whole[i].count / 2).write(to: URL(fileURLWithPath: p))
        }
        var killedMidway = 0, round = 0
        for _ in 0..<40 where killedMidway < 5 {
            round += 1
            // Between runs, some cut files are completed.
            for (i, p) in paths.enumerated() where i % 3 == 0 && (i / 3) % 4 == round % 4 {
                try whole[i].write(to: URL(fileURLWithPath: p))
            }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLITests.binary)
            p.arguments = ["ingest", "--quiet", "--jobs", "2", "--store", b, archive]
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32.random(in: 1_000...window, using: &rng))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            if p.terminationReason == .uncaughtSignal { killedMidway += 1 }
            if FileManager.default.fileExists(atPath: b), let s = try? Store.open(path: b, mode: .read) {
                #expect(try Self.consistent(s))
            }
        }
        for (i, p) in paths.enumerated() { try whole[i].write(to: URL(fileURLWithPath: p)) }
        let resume = try CLITests.run(["ingest", "--quiet", "--store", b, archive])
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(killedMidway > 0)
        let sa = try Store.open(path: a, mode: .read), sb = try Store.open(path: b, mode: .read)
        #expect(try sa.logicalContent() == sb.logicalContent())
        #expect(try sa.tableCounts()["files"] == 24)
    }

    @Test("Ctrl-C (SIGINT) during an ingest: it commits the file in hand, starts no other, exits 130 saying so; the same command again gives the store of an uninterrupted run")
    func interrupted() throws {
        let root = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try Self.writeArchive(root)
        let archive = root.appendingPathComponent("rrc00").path
        // The first file ingested is a FIFO: the ingest is known to be in the
        // middle of its work (reading it) when the signal comes, whatever the load.
        let early = root.appendingPathComponent("early/rrc00/2014.12")
        try FileManager.default.createDirectory(at: early, withIntermediateDirectories: true)
        let fifo = early.appendingPathComponent("updates.20141222.1555.gz").path
        #expect(mkfifo(fifo, 0o644) == 0)
        var w = MRTWriter()
        let session = MRTWriter.Session(peerASN: 3300, localASN: 12654, peerIP: .v4(0x0A00_0000), localIP: .v4(1))
        w.writeUpdate(MRTWriter.Time(1_419_263_800), session: session,
                      attributes: AttributeSet(origin: .igp, asPath: ASPath(segments: [ASPathSegment(type: .sequence, asns: [3300, 4837, 131279])]), nextHop: .v4(0x0A00_0000)),
                      announced: [NLRIEntry(prefix: Prefix("175.45.176.0/24")!)])
        let bytes = Data(try Compressor.compress(w.bytes, as: .gzip))
        let b = root.appendingPathComponent("b.sqlite").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLITests.binary)
        p.arguments = ["ingest", "--jobs", "1", "--store", b, fifo, archive]
        let err = Pipe()
        p.standardError = err
        try p.run()
        // Opening the FIFO for writing returns once the ingest opened it.
        let writer = try #require(FileHandle(forWritingAtPath: fifo))
        kill(p.processIdentifier, SIGINT)
        writer.write(bytes)
        try writer.close()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 130, "\(message)")
        #expect(message.contains("interrupted: 1 file committed to \(b); run the same command again to finish"), "\(message)")
        let partial = try Store.open(path: b, mode: .read)
        #expect(try partial.tableCounts()["files"] == 1)
        #expect(try Self.consistent(partial))
        // Again, with the FIFO's bytes now a file: the store of one whole run.
        try FileManager.default.removeItem(atPath: fifo)
        try bytes.write(to: URL(fileURLWithPath: fifo))
        let again = try CLITests.run(["ingest", "--quiet", "--store", b, fifo, archive])
        #expect(again.status == 0, "\(again.stderr)")
        let a = root.appendingPathComponent("a.sqlite").path
        #expect(try CLITests.run(["ingest", "--quiet", "--store", a, fifo, archive]).status == 0)
        let sa = try Store.open(path: a, mode: .read), sb = try Store.open(path: b, mode: .read)
        #expect(try sa.logicalContent() == sb.logicalContent())
        #expect(try sb.tableCounts()["files"] == 25)
    }

    @Test("a second Ctrl-C ends the ingest at once: exit 130, the progress line cleared, nothing half-written")
    func interruptedTwice() throws {
        let root = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("rrc00/2014.12")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // A FIFO no one writes to: the ingest is held reading it when both signals come.
        let fifo = dir.appendingPathComponent("updates.20141222.1555.gz").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let store = root.appendingPathComponent("s.sqlite").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLITests.binary)
        p.arguments = ["ingest", "--jobs", "1", "--store", store, fifo]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let writer = try #require(FileHandle(forWritingAtPath: fifo))
        kill(p.processIdentifier, SIGINT)
        // The first signal is taken before the second comes.
        usleep(200_000)
        kill(p.processIdentifier, SIGINT)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        try writer.close()
        #expect(p.terminationStatus == 130, "\(message)")
        #expect(message.hasSuffix("\r\u{1B}[K"), "\(message.debugDescription)")
        #expect(!message.contains("committed"))
        if FileManager.default.fileExists(atPath: store), !Store.isAbsent(path: store) {
            #expect(try Store.open(path: store, mode: .read).tableCounts()["files"] == 0)
        }
    }

    @Test("JSON summary, re-run skips everything, and the store is plain SQLite")
    func summaryAndRerun() throws {
        let root = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: root) }
        let paths = try Self.writeArchive(root)
        let store = root.appendingPathComponent("s.sqlite").path
        let r = try CLITests.run(["ingest", "--format", "json", "--store", store] + paths)
        #expect(r.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["schema"] as? String == "nkwatch.ingest/v1")
        #expect(json["files"] as? Int == 24)
        #expect(json["ingested"] as? Int == 24)
        #expect(json["elements"] as? Int == 24 * 150 * 6 + 24 * 6)
        #expect(json["events"] as? Int == 24 * 6)
        #expect(json["scope_prefixes"] as? [String] == ["175.45.176.0/22"])
        let again = try CLITests.run(["ingest", "--format", "json", "--store", store, root.appendingPathComponent("rrc00/2014.12/updates.2014122*.gz").path])
        let j2 = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(j2["skipped"] as? Int == 24)
        #expect(j2["ingested"] as? Int == 0)
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") {
            let q = try CLITests.run(["-c", "/usr/bin/sqlite3 \(store) 'select count(*) from files; select count(*) from events'"], executable: "/bin/sh")
            #expect(q.stdout == "24\n144\n")
        }
    }

    @Test("a file that is not an nkwatch store is refused and left untouched; so is a newer schema")
    func foreignStores() throws {
        let root = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: root) }
        let paths = try Self.writeArchive(root)
        let text = root.appendingPathComponent("notes.sqlite")
        try Data("my notes\n".utf8).write(to: text)
        let r = try CLITests.run(["ingest", "--store", text.path, paths[0]])
        #expect(r.status == 2)
        #expect(r.stderr.contains("is not an nkwatch store"))
        #expect(try Data(contentsOf: text) == Data("my notes\n".utf8))
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") {
            let other = root.appendingPathComponent("other.sqlite").path
            _ = try CLITests.run(["-c", "/usr/bin/sqlite3 \(other) 'create table t(x); insert into t values (1)'"], executable: "/bin/sh")
            let before = try Data(contentsOf: URL(fileURLWithPath: other))
            let o = try CLITests.run(["ingest", "--store", other, paths[0]])
            #expect(o.status == 2)
            #expect(o.stderr.contains("is not an nkwatch store"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == before)
            let mine = root.appendingPathComponent("mine.sqlite").path
            #expect(try CLITests.run(["ingest", "--quiet", "--store", mine, paths[0]]).status == 0)
            _ = try CLITests.run(["-c", "/usr/bin/sqlite3 \(mine) \"update meta set value = '99' where key = 'schema_version'\""], executable: "/bin/sh")
            let n = try CLITests.run(["ingest", "--store", mine, paths[1]])
            #expect(n.status == 2)
            #expect(n.stderr.contains("newer nkwatch"))
            // An empty SQLite file (a store killed while it was being
            // created) holds nothing to protect: it becomes a store.
            let empty = root.appendingPathComponent("empty.sqlite").path
            _ = try CLITests.run(["-c", "/usr/bin/sqlite3 \(empty) 'PRAGMA journal_mode=WAL'"], executable: "/bin/sh")
            #expect(try Data(contentsOf: URL(fileURLWithPath: empty)).count > 0)
            #expect(try CLITests.run(["ingest", "--quiet", "--store", empty, paths[0]]).status == 0)
        }
        // A different scope than the store was made with.
        let s = root.appendingPathComponent("kp.sqlite").path
        #expect(try CLITests.run(["ingest", "--quiet", "--store", s, paths[0]]).status == 0)
        let m = try CLITests.run(["ingest", "--store", s, "--prefix", "41.0.0.0/8", paths[1]])
        #expect(m.status == 2)
        #expect(m.stderr.contains("another scope"))
    }

    @Test("a new store that cannot be created (its folder is missing, or is a file): exit 4 naming it, at once, nothing created; the files decoded meanwhile are not lost, the next run reads them")
    func newStoreNotCreated() throws {
        let root = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: root) }
        let paths = try Self.writeArchive(root)
        let notAFolder = root.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: notAFolder)
        for store in [root.appendingPathComponent("missing/s.sqlite").path, notAFolder.path + "/s.sqlite"] {
            let start = Date()
            let r = try CLITests.run(["ingest", "--store", store] + paths)
            #expect(r.status == 4, "\(r.stderr)")
            #expect(r.stderr.contains(store), "\(r.stderr)")
            #expect(Date().timeIntervalSince(start) < 20)
            #expect(!FileManager.default.fileExists(atPath: store))
        }
        let good = root.appendingPathComponent("s.sqlite").path
        let ok = try CLITests.run(["ingest", "--format", "json", "--store", good] + paths)
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("\"ingested\":\(paths.count)"))
    }

    static var corpus: URL? { TestCorpus.location }

    @Test("the whole RIS corpus into one store: per-file element counts equal bgpdump's line counts",
          .enabled(if: corpus != nil, TestCorpus.skipMessage))
    func corpusIngest() throws {
        let corpus = try #require(Self.corpus)
        let root = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = root.appendingPathComponent("corpus.sqlite").path
        let r = try CLITests.run(["ingest", "--quiet", "--store", store, corpus.appendingPathComponent("ris").path])
        // One corpus file has a damaged NLRI: ingested, marked damaged, exit 3.
        #expect(r.status == 3)
        let s = try Store.open(path: store)
        let rows = try s.query("SELECT path, elements, status FROM files ORDER BY path")
        #expect(rows.count == 12)
        for row in rows {
            let path = try #require(row[0])
            let name = URL(fileURLWithPath: path).lastPathComponent
            let expected = try CLITests.run(["-c", "zcat \(corpus.appendingPathComponent("expected/\(name).bgpdump-m.gz").path) | wc -l"], executable: "/bin/sh")
            #expect(row[1] == expected.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "\(name)")
            #expect(row[2] == (name == "updates.nlri_mask_trailing_bits.gz" ? "damaged" : "ok"), "\(name)")
        }
    }
}
