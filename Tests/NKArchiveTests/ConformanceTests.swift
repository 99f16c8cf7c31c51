import Foundation
import MRT
import NKArchive
import NKTestSupport
import Testing

/// The decoder against bgpdump on real RIS dumps: `nkwatch dump FILE` must be
/// byte-identical to `expected/FILE.bgpdump-m.gz` for every file.
@Suite("Conformance with bgpdump on the RIS corpus")
struct ConformanceTests {
    static let files: [String] = {
        guard let c = Support.corpus else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: c.appendingPathComponent("ris").path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }()

    @Test("the corpus holds the 12 dumps", .enabled(if: Support.corpusAvailable, TestCorpus.skipMessage))
    func corpusIsComplete() {
        #expect(Self.files.count == 12)
    }

    @Test("nkwatch dump equals bgpdump -m", .enabled(if: Support.corpusAvailable, TestCorpus.skipMessage),
          arguments: files)
    func matchesBGPDump(file: String) throws {
        let corpus = try #require(Support.corpus)
        let (ours, report) = Support.dumpLines(corpus.appendingPathComponent("ris/\(file)").path)
        let expected = try Support.gunzip(corpus.appendingPathComponent("expected/\(file).bgpdump-m.gz"))
        let a = ours.split(separator: "\n", omittingEmptySubsequences: false)
        let b = expected.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(a.count == b.count, "line count \(a.count) vs \(b.count)")
        if let i = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) {
            Issue.record("first difference at line \(i + 1):\n  nkwatch: \(a[i])\n  bgpdump: \(b[i])")
        }
        #expect(ours == expected)
        // Only the file with a damaged NLRI reports a problem, and it keeps its record.
        if file == "updates.nlri_mask_trailing_bits.gz" {
            #expect(report.recordErrors.map { $0.recordError?.code } == [MRTError.Code.shortBody])
            #expect(report.recordsDecoded == 1)
        } else {
            #expect(report.isClean, "\(report.allErrors)")
        }
    }
}
