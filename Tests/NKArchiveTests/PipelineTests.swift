import Foundation
import MRT
import NKArchive
import NKModel
import NKTestSupport
import Testing

/// Decompression on a producer thread must change nothing but the speed, and
/// the record-level bgpdump writer nothing but the speed either.
@Suite("Pipelined decompression and the record writer")
struct PipelineTests {
    /// Everything a read gives: the bgpdump lines (record writer, falling
    /// back to elements), the counts, and every error as text.
    static func read(_ path: String, pipeline: PipelineChoice, parallelBzip2: Bool = false) -> (lines: [UInt8], records: Int, decoded: Int, bytes: Int, errors: [String]) {
        var decoder = MRTDecoder()
        var writer = BGPDumpFormatter.Writer()
        var out = TextBuffer()
        let report = readMRTFile(path: path, decoder: &decoder, options: MRTReadOptions(pipeline: pipeline, parallelBzip2: parallelBzip2)) { record in
            if !writer.appendRecord(record, to: &out) {
                for e in record.elements { writer.append(e, to: &out) }
            }
        }
        return (out.bytes, report.records, report.recordsDecoded, report.bytes, report.allErrors.map(\.description))
    }


    @Test("pipelined and inline reads agree on whole, cut and damaged gzip and bzip2 files",
          .enabled(if: Support.corpusAvailable, TestCorpus.skipMessage))
    func pipelinedEqualsInline() throws {
        let corpus = try #require(Support.corpus).appendingPathComponent("ris")
        let root = try Support.tempDir("pipeline")
        defer { try? FileManager.default.removeItem(at: root) }
        let mrt = try ArchiveStream(path: corpus.appendingPathComponent("updates.20070211.0141.gz").path).readAll()
        #expect(mrt.count > 1 << 20)
        var cases: [(String, [UInt8])] = []
        for compression in [Compression.gzip, .bzip2] {
            let packed = try Compressor.compress(mrt, as: compression)
            cases.append(("\(compression)-whole", packed))
            // Cut in the middle of the compressed data: the records before the cut are read, then the damage is reported.
            cases.append(("\(compression)-cut", Array(packed.prefix(packed.count / 2))))
            // Bytes changed past the first bzip2 block: a CRC or inflate error after the good part.
            var damaged = packed
            for i in stride(from: packed.count * 3 / 4, to: packed.count * 3 / 4 + 64, by: 1) { damaged[i] ^= 0x5A }
            cases.append(("\(compression)-damaged", damaged))
            // A record header in the middle that claims 4 GB: the reader stops
            // there while the producer thread still has data to decompress.
            let ends = MRTCommonHeader.recordEnds(in: mrt)
            var huge = mrt
            let at = ends[ends.count / 2]
            for i in 8..<12 { huge[at + i] = 0xFF }
            cases.append(("\(compression)-huge-header", try Compressor.compress(huge, as: compression)))
        }
        for (name, bytes) in cases {
            let path = root.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let a = Self.read(path, pipeline: .always), b = Self.read(path, pipeline: .never)
            #expect(a.records == b.records && a.decoded == b.decoded && a.bytes == b.bytes, "\(name)")
            // bzip2 through the pipeline is read in blocks (on one worker):
            // the damage's compressed offset names the start of the damaged
            // block, where the sequential decoder names where it noticed.
            if name.hasPrefix("bzip2") {
                #expect(a.errors.map(Self.withoutCompressedOffset) == b.errors.map(Self.withoutCompressedOffset), "\(name): \(a.errors) \(b.errors)")
            } else {
                #expect(a.errors == b.errors, "\(name)")
            }
            #expect(a.lines == b.lines, "\(name)")
            if name.hasSuffix("whole") {
                #expect(a.errors.isEmpty && a.bytes == mrt.count, "\(name)")
            } else {
                #expect(!a.errors.isEmpty && a.records > 0, "\(name): \(a.errors)")
            }
            if name.hasSuffix("huge-header") {
                #expect(a.errors.last?.contains("exceeds") == true, "\(name): \(a.errors)")
            }
            // bzip2 blocks decoded on every core: the same bytes, records and
            // errors as on one worker, and as the sequential decoder's but for
            // the compressed offset (never past the sequential one).
            if name.hasPrefix("bzip2") {
                let p = Self.read(path, pipeline: .always, parallelBzip2: true)
                #expect(p.errors == a.errors, "\(name): \(p.errors) \(a.errors)")
                #expect(p.records == b.records && p.decoded == b.decoded && p.bytes == b.bytes && p.lines == b.lines, "\(name) in parallel")
                #expect(p.errors.map(Self.withoutCompressedOffset) == b.errors.map(Self.withoutCompressedOffset), "\(name): \(p.errors) \(b.errors)")
                #expect(zip(p.errors, b.errors).allSatisfy { (Self.compressedOffset($0.0) ?? 0) <= (Self.compressedOffset($0.1) ?? 0) }, "\(name)")
            }
        }
    }

    static func withoutCompressedOffset(_ s: String) -> String {
        s.replacingOccurrences(of: #"compressed byte offset \d+"#, with: "compressed byte offset N", options: .regularExpression)
    }

    static func compressedOffset(_ s: String) -> Int? {
        guard let r = s.range(of: #"compressed byte offset \d+"#, options: .regularExpression) else { return nil }
        return Int(s[r].split(separator: " ").last!)
    }

    @Test("bzip2 on every core: concatenated streams, one-block and many-block streams, trailing zeros and garbage, damage in every block, a false block magic",
          .enabled(if: Support.corpusAvailable, TestCorpus.skipMessage))
    func parallelBzip2() throws {
        let corpus = try #require(Support.corpus).appendingPathComponent("ris")
        let root = try Support.tempDir("bzip2")
        defer { try? FileManager.default.removeItem(at: root) }
        let mrt = try ArchiveStream(path: corpus.appendingPathComponent("updates.20070211.0141.gz").path).readAll()
        let small = try ArchiveStream(path: corpus.appendingPathComponent("updates.20020722.2238.gz").path).readAll()
        let one = try Compressor.compress(mrt, as: .bzip2)
        var cases: [(String, [UInt8])] = [
            ("whole", one),
            ("concatenated", one + (try Compressor.compress(small, as: .bzip2)) + one),
            ("trailing-zeros", one + [UInt8](repeating: 0, count: 300)),
            ("trailing-garbage", one + Array("not bzip2".utf8)),
            ("one-block", try Compressor.compress(small, as: .bzip2)),
        ]
        // Streams whose end-of-stream marker is byte-aligned, so that the
        // marker and its CRC are the file's last 10 bytes (about one stream in 8).
        var aligned = 0
        let ends = MRTCommonHeader.recordEnds(in: small)
        for k in 0..<64 {
            let z = try Compressor.compress(Array(small.prefix(ends[ends.count - 1 - k])), as: .bzip2)
            if Array(z[(z.count - 10)..<(z.count - 4)]) == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90] {
                cases.append(("aligned-end-\(k)", z))
                aligned += 1
            }
        }
        #expect(aligned > 0)
        // A byte changed in each block, and the stream CRC changed.
        for at in stride(from: 40, to: one.count - 20, by: one.count / 7) {
            var d = one
            d[at] ^= 0x10
            cases.append(("damaged-\(at)", d))
        }
        var crc = one
        crc[crc.count - 2] ^= 0x01
        cases.append(("stream-crc", crc))
        // A block magic inside the data by chance: bytes that spell it, stored
        // uncompressed in an MRT record cannot produce it in the compressed
        // stream, so the splitter is tested with the magic planted at a random
        // bit inside a block's Huffman data of a copy (the piece must fail and
        // be joined with the next, or be reported as damage — never mis-split).
        var planted = one
        let at = one.count / 3
        let magic: [UInt8] = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
        for (k, b) in magic.enumerated() { planted[at + k] = b }
        cases.append(("planted-magic", planted))
        for (name, bytes) in cases {
            let path = root.appendingPathComponent(name + ".bz2").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let p = Self.read(path, pipeline: .always, parallelBzip2: true), s = Self.read(path, pipeline: .never)
            if name.hasPrefix("aligned-end") { #expect(s.errors.isEmpty && p.errors.isEmpty, "\(name): \(p.errors)") }
            #expect(p.lines == s.lines && p.records == s.records && p.decoded == s.decoded && p.bytes == s.bytes, "\(name): \(p.bytes) vs \(s.bytes)")
            #expect(p.errors.map(Self.withoutCompressedOffset) == s.errors.map(Self.withoutCompressedOffset), "\(name): \(p.errors) vs \(s.errors)")
        }
    }

    @Test("the record writer writes what the element writer writes, on every corpus dump and sample")
    func recordWriterEqualsElementWriter() throws {
        var paths: [String] = []
        if let corpus = Support.corpus?.appendingPathComponent("ris") {
            paths += try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted().map { corpus.appendingPathComponent($0).path }
        }
        let samples = Support.repoRoot.appendingPathComponent("SampleData/mrt")
        paths += try FileManager.default.contentsOfDirectory(atPath: samples.path).sorted()
            .filter { !$0.hasSuffix(".md") }.map { samples.appendingPathComponent($0).path }
        #expect(paths.count >= 8)
        var records = 0
        for path in paths {
            let (elementLines, _) = Support.dumpLines(path)
            let viaRecords = Self.read(path, pipeline: .automatic)
            #expect(String(decoding: viaRecords.lines, as: UTF8.self) == elementLines, "\(path)")
            records += viaRecords.records
        }
        // The samples alone hold 55 records; the corpus adds over 100 000.
        #expect(records > (Support.corpus == nil ? 50 : 100_000), "\(records) records")
    }
}
