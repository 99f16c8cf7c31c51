import Foundation
import MRT
import NKArchive
import NKModel
import NKStore
import Testing

/// The store under faults, and hostile directory trees (issue: "Trustworthy
/// ingest").
@Suite("The store under faults, and walking inputs")
struct StoreFaultTests {
    /// Runs as an unprivileged user: root ignores file permissions, so the
    /// read-only cases need another user (setpriv from util-linux). Nil when
    /// that is not possible.
    static var unprivileged: [String]? {
        if geteuid() != 0 { return [] }
        return FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
            ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : nil
    }

    static func runUnprivileged(_ args: [String]) throws -> CLITests.Result {
        let prefix = try #require(unprivileged)
        if prefix.isEmpty { return try CLITests.run(args) }
        return try CLITests.run(Array(prefix.dropFirst()) + [CLITests.binary] + args, executable: prefix[0])
    }

    static func sh(_ script: String) throws -> CLITests.Result { try CLITests.run(["-c", script], executable: "/bin/sh") }

    static func files(in dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    /// A store of the 24-file archive in a directory of its own.
    static func store() throws -> (root: URL, archive: String, store: String) {
        let root = try CLITests.tempDir()
        _ = try IngestCLITests.writeArchive(root)
        let dir = root.appendingPathComponent("stores")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = dir.appendingPathComponent("kp.sqlite").path
        let r = try CLITests.run(["ingest", "--quiet", "--store", store, root.appendingPathComponent("rrc00").path])
        #expect(r.status == 0, "\(r.stderr)")
        return (root, root.appendingPathComponent("rrc00").path, store)
    }

    @Test("a store in a read-only directory, read-only itself, is read by timeline, classify and report; nothing is created beside it",
          .enabled(if: unprivileged != nil, "needs a non-root user (setpriv) for permissions to apply"))
    func readOnlyStore() throws {
        let (root, _, store) = try Self.store()
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = URL(fileURLWithPath: store).deletingLastPathComponent()
        // The writer left one file: no -wal, no -shm.
        #expect(Self.files(in: dir) == ["kp.sqlite"])
        let expected = try CLITests.run(["classify", "--format", "json", "--store", store])
        #expect(expected.status == 0)
        chmod(store, 0o444)
        chmod(dir.path, 0o555)
        defer { chmod(dir.path, 0o755) }
        for command in [["classify", "--format", "json"], ["timeline", "--width", "100"], ["report"]] {
            let r = try Self.runUnprivileged(command + ["--store", store])
            #expect(r.status == 0, "\(command[0]): \(r.stderr)")
            #expect(!r.stderr.contains("readonly"), "\(command[0]): \(r.stderr)")
            if command[0] == "classify" { #expect(r.stdout == expected.stdout) }
        }
        #expect(Self.files(in: dir) == ["kp.sqlite"])
        // Writing where it cannot: exit 4, one clear line.
        let w = try Self.runUnprivileged(["ingest", "--quiet", "--store", store, root.appendingPathComponent("rrc00").path])
        #expect(w.status == 4, "\(w.stderr)")
        #expect(w.stderr.contains("kp.sqlite"))
    }

    @Test("a write-ahead log left by a killed writer, in a read-only directory: exit 4 and a message that says what to do",
          .enabled(if: unprivileged != nil, "needs a non-root user (setpriv) for permissions to apply"))
    func leftoverWAL() throws {
        let (root, _, store) = try Self.store()
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = URL(fileURLWithPath: store).deletingLastPathComponent()
        // A writer that dies with data in its WAL.
        let py = try Self.sh("""
            python3 -c "import sqlite3, os; c = sqlite3.connect('\(store)'); c.execute('PRAGMA journal_mode=WAL'); \
            c.execute(\\"INSERT INTO meta VALUES ('note', 'x')\\"); c.commit(); os._exit(0)"
            """)
        #expect(py.status == 0, "\(py.stderr)")
        #expect(Self.files(in: dir).contains("kp.sqlite-wal"))
        chmod(dir.path, 0o555)
        defer { chmod(dir.path, 0o755) }
        let r = try Self.runUnprivileged(["classify", "--store", store])
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stderr.contains("-wal") && r.stderr.contains("cannot be replayed"))
        chmod(dir.path, 0o755)
        // Where it can write, the log is replayed and the store read.
        #expect(try CLITests.run(["classify", "--store", store]).status == 0)
    }

    @Test("two ingests creating the same new store wait for each other; both succeed", .timeLimit(.minutes(5)))
    func concurrentCreation() throws {
        let root = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: root) }
        let paths = try IngestCLITests.writeArchive(root)
        let reference = root.appendingPathComponent("ref.sqlite").path
        #expect(try CLITests.run(["ingest", "--quiet", "--store", reference] + paths).status == 0)
        let expected = try Store.open(path: reference, mode: .read).logicalContent()
        for i in 0..<10 {
            let store = root.appendingPathComponent("race\(i).sqlite").path
            let runs = try (0..<2).map { k -> (Process, Pipe) in
                let p = Process()
                p.executableURL = URL(fileURLWithPath: CLITests.binary)
                p.arguments = ["ingest", "--quiet", "--store", store] + (k == 0 ? Array(paths.prefix(14)) : Array(paths.suffix(14)))
                let err = Pipe()
                p.standardError = err
                try p.run()
                return (p, err)
            }
            let messages = runs.map { String(decoding: $0.1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
            for (p, _) in runs { p.waitUntilExit() }
            #expect(runs.map(\.0.terminationStatus) == [0, 0], "try \(i): \(messages)")
            #expect(try Store.open(path: store, mode: .read).logicalContent() == expected, "try \(i)")
        }
    }

    @Test("while a writer has the store open, another process cannot switch it out of WAL mode (the creation lock's descriptor keeps SQLite's locks)")
    func writerKeepsItsLocks() throws {
        let root = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("held.sqlite").path
        let store = try Store.open(path: path)
        try store.useScope(.northKorea)
        // What a second writer's close does: checkpoint and leave WAL mode.
        // With this process's shared lock dropped (closing any descriptor of
        // the file does that), it would succeed under our open connections.
        let other = try Self.sh("""
            python3 -c "
            import sqlite3
            c = sqlite3.connect('\(path)', timeout=0)
            try:
                print(c.execute('PRAGMA journal_mode=DELETE').fetchone()[0])
            except sqlite3.OperationalError as e:
                print('refused: %s' % e)
            "
            """)
        let answer = other.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(answer == "wal" || answer == "refused: database is locked", "stdout: \(other.stdout) stderr: \(other.stderr)")
        try store.close()
        let after = try Self.sh("""
            python3 -c "import sqlite3; c = sqlite3.connect('\(path)'); print(c.execute('PRAGMA journal_mode').fetchone()[0])"
            """)
        #expect(after.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "delete")
    }

    @Test("a damaged store is never written to: ingest, timeline and classify exit 4")
    func damagedStore() throws {
        let (dir, archive, store) = try Self.store()
        defer { try? FileManager.default.removeItem(at: dir) }
        // One bad page: the root page of the files table gets a page type that does not exist.
        let reader = try Store.open(path: store, mode: .read)
        let root = try #require(Int(try reader.query("SELECT rootpage FROM sqlite_master WHERE name = 'files'").first?.first.flatMap { $0 } ?? ""))
        let pageSize = try #require(Int(try reader.query("PRAGMA page_size").first?.first.flatMap { $0 } ?? ""))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: store))
        for i in 0..<8 { bytes[(root - 1) * pageSize + i] = 0xA5 }
        try bytes.write(to: URL(fileURLWithPath: store))
        let before = try Data(contentsOf: URL(fileURLWithPath: store))
        let extra = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: extra) }
        let r = try CLITests.run(["ingest", "--store", store, archive])
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stderr.contains("damaged"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
        for command in ["classify", "timeline"] {
            let a = try CLITests.run([command, "--store", store])
            #expect(a.status == 4, "\(command): \(a.status) \(a.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
    }

    @Test("a full disk stops the ingest at once with one message and exit 4; what was committed stays whole")
    func diskFull() throws {
        let root = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: root) }
        let paths = try IngestCLITests.writeArchive(root)
        let store = root.appendingPathComponent("full.sqlite").path
        // A file-size limit on the process (384 blocks of 512 bytes: 192 KiB,
        // room for the new store but not for what the files add): writes
        // past it fail as on a full disk.
        let r = try Self.sh("ulimit -f 384; exec '\(CLITests.binary)' ingest --quiet --jobs 1 --store '\(store)' \(paths.map { "'\($0)'" }.joined(separator: " "))")
        #expect(r.status == 4, "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("full"))
        // The store opens and is consistent.
        let s = try Store.open(path: store, mode: .read)
        #expect(try IngestCLITests.consistent(s))
    }

    @Test("symbolic links back to a parent are followed once; an unreadable folder is skipped and reported; the rest is read")
    func walkingTrees() throws {
        let root = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: root) }
        let paths = try IngestCLITests.writeArchive(root)
        let dir = root.appendingPathComponent("rrc00/2014.12")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("loop").path, withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("again").path, withDestinationPath: "../..")
        let store = root.appendingPathComponent("s.sqlite").path
        let r = try CLITests.run(["ingest", "--format", "json", "--store", store, root.appendingPathComponent("rrc00").path])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["files"] as? Int == paths.count)
        let d = try CLITests.run(["dump", root.appendingPathComponent("rrc00").path])
        #expect(d.status == 0)
        if let prefix = Self.unprivileged {
            // A folder nobody may read, as a user to whom that applies.
            let locked = root.appendingPathComponent("rrc00/locked")
            try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: paths[0], toPath: locked.appendingPathComponent("updates.20141222.1600.gz").path)
            chmod(locked.path, 0o000)
            defer { chmod(locked.path, 0o755) }
            let out = try CLITests.tempDir()
            chmod(out.path, 0o777)
            let u = try CLITests.run(Array(prefix.dropFirst()) + [CLITests.binary, "ingest", "--format", "json", "--store",
                                                                  out.appendingPathComponent("u.sqlite").path, root.appendingPathComponent("rrc00").path],
                                     executable: prefix.first ?? CLITests.binary)
            #expect(u.status == 3, "\(u.stderr)")
            #expect(u.stderr.contains("locked") && u.stderr.contains("permission denied"))
            let uj = try #require(try JSONSerialization.jsonObject(with: Data(u.stdout.utf8)) as? [String: Any])
            #expect(uj["ingested"] as? Int == paths.count)
        }
    }

    @Test("names that are not UTF-8, in a folder and given directly; extensionless MRT found by content; an empty folder is an error")
    func namesAndContent() throws {
        let root = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: root) }
        let paths = try IngestCLITests.writeArchive(root)
        let odd = root.appendingPathComponent("odd")
        try FileManager.default.createDirectory(at: odd, withIntermediateDirectories: true)
        // "café" in Latin-1, and a router's dump with no extension (plain MRT).
        let latin1: [UInt8] = Array(odd.path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".gz".utf8)
        let raw = try Data(contentsOf: URL(fileURLWithPath: paths[0]))
        let ok = latin1.withUnsafeBufferPointer { b -> Bool in
            var z = Array(b).map { CChar(bitPattern: $0) } + [0]
            let fd = open(&z, O_WRONLY | O_CREAT, 0o644)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            return raw.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) } == raw.count
        }
        #expect(ok)
        let plain = try ArchiveStream(path: paths[1]).readAll()
        try Data(plain).write(to: odd.appendingPathComponent("bird-dump"))
        try Data("not a dump\n".utf8).write(to: odd.appendingPathComponent("NOTES"))
        let store = root.appendingPathComponent("s.sqlite").path
        let r = try CLITests.run(["ingest", "--format", "json", "--store", store, odd.path])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["files"] as? Int == 2)
        #expect(json["ingested"] as? Int == 2)
        // Given directly, by its bytes.
        let direct = try CLITests.run(["dump", String(decoding: latin1, as: UTF8.self)])
        #expect(direct.status == 3)   // the decoded name is not the file's name
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "exec \"$0\" dump \"$(printf '\(odd.path)/caf\\351.gz')\" | wc -l", CLITests.binary]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        let count = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int(count) ?? 0 > 0)
        // Nothing to read: an empty folder, a folder of notes.
        let empty = root.appendingPathComponent("empty"), notes = root.appendingPathComponent("notes")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: notes, withIntermediateDirectories: true)
        try Data("read me\n".utf8).write(to: notes.appendingPathComponent("README.md"))
        try Data("not a dump\n".utf8).write(to: notes.appendingPathComponent("NOTES"))
        for target in [empty.path, notes.path] {
            let e = try CLITests.run(["ingest", "--store", root.appendingPathComponent("e.sqlite").path, target])
            #expect(e.status == 3, "\(e.stderr)")
            #expect(e.stderr.contains("nothing to read"))
        }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("e.sqlite").path))
        // Nor is an existing store written to (its check runs while the
        // inputs are listed, and writes nothing).
        let kept = root.appendingPathComponent("kept.sqlite").path
        #expect(try CLITests.run(["ingest", "--quiet", "--store", kept, odd.path]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: kept))
        let e = try CLITests.run(["ingest", "--store", kept, empty.path])
        #expect(e.status == 3, "\(e.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: kept)) == before)
        #expect(!FileManager.default.fileExists(atPath: kept + "-wal"))
    }
}
