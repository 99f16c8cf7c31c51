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
    static func read(_ path: String, pipeline: PipelineChoice) -> (lines: [UInt8], records: Int, decoded: Int, bytes: Int, errors: [String]) {
        var decoder = MRTDecoder()
        var writer = BGPDumpFormatter.Writer()
        var out = TextBuffer()
        let report = readMRTFile(path: path, decoder: &decoder, options: MRTReadOptions(pipeline: pipeline)) { record in
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
            #expect(a.errors == b.errors, "\(name)")
            #expect(a.lines == b.lines, "\(name)")
            if name.hasSuffix("whole") {
                #expect(a.errors.isEmpty && a.bytes == mrt.count, "\(name)")
            } else {
                #expect(!a.errors.isEmpty && a.records > 0, "\(name): \(a.errors)")
            }
            if name.hasSuffix("huge-header") {
                #expect(a.errors.last?.contains("exceeds") == true, "\(name): \(a.errors)")
            }
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
