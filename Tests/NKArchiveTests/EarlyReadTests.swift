import Foundation
import MRT
@testable import NKArchive
import NKModel
import NKTestSupport
import Testing

/// A read begun early (`EarlyRead`, which `ingest` uses for its first file
/// while it opens the store) must give exactly what a read from scratch
/// gives; a read never taken is stopped.
@Suite("Reads begun early")
struct EarlyReadTests {
    /// Updates from 50 peers, enough to span many pipeline buffers.
    static func updates(_ n: Int) -> [UInt8] {
        var w = MRTWriter()
        for i in 0..<n {
            let peer = UInt32(i % 50)
            let s = MRTWriter.Session(peerASN: 64_500 + peer, localASN: 12654, peerIP: .v4(0x0A00_0001 + peer), localIP: .v4(1))
            let prefix = Prefix(address: .v4(0x0B00_0000 | UInt32(i % 65_536) << 8), length: 24)!
            let path = ASPath(segments: [ASPathSegment(type: .sequence, asns: [64_500 + peer, UInt32(3000 + i % 97), UInt32(20_000 + i % 1_009)])])
            w.writeUpdate(MRTWriter.Time(1_419_206_400 + UInt32(i / 10)), session: s,
                          attributes: AttributeSet(origin: .igp, asPath: path, nextHop: .v4(0x0A00_0001 + peer)),
                          announced: [NLRIEntry(prefix: prefix)])
        }
        return w.take()
    }

    /// Everything a read reports, and the bgpdump lines of its elements.
    static func read(_ path: String, _ options: MRTReadOptions) -> [String] {
        var decoder = MRTDecoder()
        var lines: [String] = []
        let r = readMRTFile(path: path, decoder: &decoder, options: options) { record in
            for e in record.elements { lines.append(BGPDumpFormatter.line(e)) }
        }
        return ["\(r.compression) records \(r.records) decoded \(r.recordsDecoded) bytes \(r.bytes) raw \(r.rawBytes) sha \(r.sha256 ?? "-")",
                "errors: " + r.allErrors.map(\.description).joined(separator: "; "), "changed \(r.changedWhileRead)"] + lines
    }

    @Test("gzip and bzip2, whole and cut short, hashed or not: the same report and elements as a read from scratch, and the early read is taken")
    func sameAsFromScratch() throws {
        let root = try Support.tempDir("early")
        defer { try? FileManager.default.removeItem(at: root) }
        let mrt = Self.updates(20_000)
        var paths: [String] = []
        for compression in [Compression.gzip, .bzip2] {
            let packed = try Compressor.compress(mrt, as: compression)
            for (name, bytes) in [("whole", packed), ("cut", Array(packed.prefix(packed.count * 2 / 3)))] {
                let url = root.appendingPathComponent("\(name).\(compression == .gzip ? "gz" : "bz2")")
                try Support.write(bytes, to: url)
                paths.append(url.path)
            }
        }
        for path in paths {
            for options in [MRTReadOptions(pipeline: .always, hash: true), MRTReadOptions(pipeline: .always, hash: false, parallelBzip2: false)] {
                let scratch = Self.read(path, options)
                #expect(scratch.count > 3)
                EarlyRead.start(path: path, options: options)
                let early = Self.read(path, options)
                #expect(early == scratch, "\(path)")
                // It was taken: nothing is left under way.
                #expect(EarlyRead.take(path: path, options: options) == nil)
            }
        }
        // A read begun with other options is not taken; the read is made from scratch.
        let other = MRTReadOptions(pipeline: .always, hash: false)
        let expected = Self.read(paths[0], other)
        EarlyRead.start(path: paths[0], options: MRTReadOptions(pipeline: .always, hash: true))
        #expect(Self.read(paths[0], other) == expected)
        // One begun and never taken is stopped and forgotten.
        EarlyRead.start(path: paths[1], options: other)
        EarlyRead.discardAll()
        #expect(EarlyRead.take(path: paths[1], options: other) == nil)
        #expect(Self.read(paths[1], other).first?.hasPrefix("gzip records") == true)
    }

    @Test("nothing is begun for what would not decompress on a thread of its own, nor for what is not a regular file: a small file, plain MRT, a missing file, a FIFO (whose opening would wait for a writer)")
    func nothingToGain() throws {
        let root = try Support.tempDir("early-none")
        defer { try? FileManager.default.removeItem(at: root) }
        let small = root.appendingPathComponent("small.gz"), plain = root.appendingPathComponent("plain.mrt")
        try Support.write(try Compressor.compress(Self.updates(100), as: .gzip), to: small)
        try Support.write(Self.updates(5_000), to: plain)
        let options = MRTReadOptions(hash: true)
        let fifo = root.appendingPathComponent("fifo.gz").path
        #expect(mkfifo(fifo, 0o644) == 0)
        for path in [small.path, plain.path, root.appendingPathComponent("missing.gz").path, fifo, "-"] {
            EarlyRead.start(path: path, options: options)
            #expect(EarlyRead.take(path: path, options: options) == nil, "\(path)")
        }
    }
}
