import Foundation
import MRT
import NKArchive
import NKModel
import Testing

/// `nkwatch dump` run as a user runs it: exact output, exit codes, messages.
@Suite("nkwatch dump command line")
struct CLITests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The nkwatch binary built beside this test bundle.
    static var binary: String {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("nkwatch").path,
                          Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("nkwatch").path,
                          repoRoot.appendingPathComponent(".build/debug/nkwatch").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[2]
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ args: [String], stdin: Data? = nil, executable: String? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable ?? binary)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let inPipe = Pipe()
        p.standardInput = stdin == nil ? FileHandle.nullDevice : inPipe
        try p.run()
        if let stdin {
            inPipe.fileHandleForWriting.write(stdin)
            try inPipe.fileHandleForWriting.close()
        }
        // Both pipes drain at once: a child that fills one while the other
        // is being read to its end would otherwise wait forever.
        nonisolated(unsafe) var e = Data()
        let stderrDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            e = err.fileHandleForReading.readDataToEndOfFile()
            stderrDone.signal()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        stderrDone.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nkwatch-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func tempFile(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = try tempDir().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// 200 updates for the four North Korean /24s, one record each.
    static let updates: [UInt8] = {
        var w = MRTWriter()
        let s = MRTWriter.Session(peerASN: 4837, localASN: 12654, peerIP: .v4(0xCA61_0001), localIP: .v4(0xC100_0001))
        let kp = (176...179).map { Prefix("175.45.\($0).0/24")! }
        for i in 0..<200 {
            let attrs = AttributeSet(origin: .igp, asPath: ASPath(segments: [ASPathSegment(type: .sequence, asns: [4837, 131279])]), nextHop: .v4(0xCA61_0001))
            if i % 2 == 0 {
                w.writeUpdate(MRTWriter.Time(1_419_264_900 + UInt32(i)), session: s, attributes: attrs, announced: [NLRIEntry(prefix: kp[i % 4])])
            } else {
                w.writeUpdate(MRTWriter.Time(1_419_264_900 + UInt32(i)), session: s, withdrawn: [NLRIEntry(prefix: kp[i % 4])])
            }
        }
        return w.bytes
    }()

    static let expectedLines: [String] = {
        var out: [UInt8] = []
        var reader = MRTRecordReader(source: MemoryByteSource(updates))
        var d = MRTDecoder()
        while let r = try? reader.next({ d.decode($0) }), let rec = try? r.get() {
            for e in rec.elements { BGPDumpFormatter.append(e, to: &out) }
        }
        return String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
    }()

    @Test("plain, gzip and bzip2 give the same lines; the format comes from the bytes, not the name")
    func compressions() throws {
        for c in Compression.allCases {
            let path = try Self.tempFile("updates.misleading.txt", try Compressor.compress(Self.updates, as: c))
            let r = try Self.run(["dump", path])
            #expect(r.status == 0, "\(c): \(r.stderr)")
            #expect(r.stdout.split(separator: "\n").map(String.init) == Self.expectedLines)
            #expect(r.stdout.hasPrefix("BGP4MP|1419264900|A|202.97.0.1|4837|175.45.176.0/24|4837 131279|IGP|202.97.0.1|0|0||NAG||\n"))
        }
    }

    @Test("gzip members and bzip2 streams that follow one another are read as one stream")
    func concatenated() throws {
        let half = recordBoundary(Self.updates, near: Self.updates.count / 2)
        for c in [Compression.gzip, .bzip2] {
            let bytes = try Compressor.compress(Array(Self.updates[..<half]), as: c) + Compressor.compress(Array(Self.updates[half...]), as: c)
            let r = try Self.run(["dump", try Self.tempFile("multi", bytes)])
            #expect(r.status == 0)
            #expect(r.stdout.split(separator: "\n").count == 200)
        }
    }

    @Test("standard input")
    func stdin() throws {
        let r = try Self.run(["dump", "-"], stdin: Data(try Compressor.compress(Self.updates, as: .gzip)))
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\n").count == 200)
    }

    @Test("truncated at every tenth record boundary and inside records: readable records printed, exit 3 with file and offset")
    func truncated() throws {
        let ends = recordEnds(Self.updates)
        for cut in [ends[9], ends[9] + 5, ends[99] + 30, 7] {
            let path = try Self.tempFile("cut.mrt", Array(Self.updates.prefix(cut)))
            let r = try Self.run(["dump", path])
            let intact = ends.filter { $0 <= cut }.count
            #expect(r.stdout.split(separator: "\n").map(String.init) == Array(Self.expectedLines.prefix(intact)))
            if ends.contains(cut) {
                #expect(r.status == 0)
            } else {
                #expect(r.status == 3)
                #expect(r.stderr.contains(path))
                #expect(r.stderr.contains("byte offset \(ends.last { $0 <= cut } ?? 0)"))
                #expect(r.stderr.contains("the data ends inside"))
            }
        }
    }

    @Test("damaged gzip and bzip2 in the middle: the records before the damage are printed, exit 3", arguments: [Compression.gzip, .bzip2])
    func damagedCompression(c: Compression) throws {
        let half = recordBoundary(Self.updates, near: Self.updates.count / 2)
        let firstHalf = recordEnds(Array(Self.updates[..<half])).count
        let first = try Compressor.compress(Array(Self.updates[..<half]), as: c)
        var second = try Compressor.compress(Array(Self.updates[half...]), as: c)
        // The compressed stream cut short.
        let r1 = try Self.run(["dump", try Self.tempFile("t", first + second.prefix(second.count / 2))])
        #expect(r1.status == 3)
        #expect(r1.stderr.contains("compressed byte offset"))
        let got = r1.stdout.split(separator: "\n").map(String.init)
        #expect(got.count >= firstHalf)
        #expect(got == Array(Self.expectedLines.prefix(got.count)))
        // Corrupt bytes in the middle of the second stream.
        for i in (second.count / 2)..<(second.count / 2 + 16) { second[i] ^= 0x55 }
        let path = try Self.tempFile("c", first + second)
        let r2 = try Self.run(["dump", path])
        #expect(r2.status == 3)
        #expect(r2.stderr.contains(path))
        let got2 = r2.stdout.split(separator: "\n").map(String.init)
        #expect(got2.count >= firstHalf)
        #expect(Array(got2.prefix(firstHalf)) == Array(Self.expectedLines.prefix(firstHalf)))
    }

    @Test("empty and non-MRT files are errors with exit 3")
    func emptyAndText() throws {
        let e = try Self.run(["dump", try Self.tempFile("empty.gz", [])])
        #expect(e.status == 3)
        #expect(e.stderr.contains("empty"))
        let t = try Self.run(["dump", try Self.tempFile("notes.txt", Array("This is not an MRT file at all.\n".utf8))])
        #expect(t.status == 3)
        #expect(t.stderr.contains("not an MRT file"))
        #expect(t.stdout.isEmpty)
        let m = try Self.run(["dump", "/nonexistent/updates.gz"])
        #expect(m.status == 3)
        #expect(m.stderr.contains("/nonexistent/updates.gz"))
    }

    @Test("a bad record in the middle is reported and skipped; the rest is printed")
    func badRecordInMiddle() throws {
        var bytes = Self.updates
        let ends = recordEnds(bytes)
        // Break the BGP marker of record 50.
        bytes[ends[49] + 12 + 20] = 0
        let path = try Self.tempFile("bad.mrt", bytes)
        let r = try Self.run(["dump", path])
        #expect(r.status == 3)
        #expect(r.stderr.contains("\(path): byte offset \(ends[49] + 12 + 20), BGP4MP/MESSAGE_AS4 record: BGP marker byte 0 is not 0xFF"))
        var expected = Self.expectedLines
        expected.remove(at: 50)
        #expect(r.stdout.split(separator: "\n").map(String.init) == expected)
    }

    @Test("filters: prefix, type, peer, time; JSON lines")
    func filters() throws {
        let path = try Self.tempFile("u.mrt", Self.updates)
        let w = try Self.run(["dump", "--type", "W", "--prefix", "175.45.177.0/24", path])
        #expect(w.status == 0)
        #expect(w.stdout.split(separator: "\n").count == 50)
        let none = try Self.run(["dump", "--prefix", "175.45.180.0/22", path])
        #expect(none.stdout.isEmpty)
        let covering = try Self.run(["dump", "--prefix", "175.45.176.0/22", "--type", "A", "--origin-asn", "131279", path])
        #expect(covering.stdout.split(separator: "\n").count == 100)
        let time = try Self.run(["dump", "--from", "2014-12-22T16:15:10Z", "--to", "2014-12-22T16:15:20Z", path])
        #expect(time.stdout.split(separator: "\n").count == 10)
        let peer = try Self.run(["dump", "--peer-asn", "3356", path])
        #expect(peer.stdout.isEmpty)
        let json = try Self.run(["dump", "--format", "jsonl", "--type", "A", "--from", "1419264900", "--to", "1419264901", path])
        #expect(json.stdout == #"{"type":"A","timestamp":1419264900,"record":"BGP4MP/MESSAGE_AS4","peer_ip":"202.97.0.1","peer_asn":4837,"prefix":"175.45.176.0/24","next_hop":"202.97.0.1","as_path":"4837 131279","origin_asn":131279,"origin":"IGP"}"# + "\n")
    }

    @Test("usage errors exit 2 with one clear line")
    func usage() throws {
        let r = try Self.run(["dump", "--prefix", "175.45.176.0/33", "x"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("is not a prefix"))
        let n = try Self.run(["dump"])
        #expect(n.status == 2)
    }

    @Test("help explains the command with examples")
    func help() throws {
        let r = try Self.run(["dump", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Examples:"))
        #expect(r.stdout.contains("--format <format>"))
    }

    func recordBoundary(_ bytes: [UInt8], near: Int) -> Int {
        recordEnds(bytes).min { abs($0 - near) < abs($1 - near) } ?? 0
    }
}

func recordEnds(_ bytes: [UInt8]) -> [Int] { MRTCommonHeader.recordEnds(in: bytes) }
