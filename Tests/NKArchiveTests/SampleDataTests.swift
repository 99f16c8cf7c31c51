import Foundation
import MRT
import NKArchive
import Testing

/// SampleData/mrt holds the writer's sample archives, compressed as the real
/// archives are. They must stay exactly what the writer produces; run the
/// tests with NKWATCH_REGENERATE=1 to write them again.
@Suite("SampleData/mrt")
struct SampleDataTests {
    static func fileName(_ sample: SampleArchives.Sample) -> String {
        // RIS-style names are gzip, RouteViews-style bzip2, as the real archives.
        sample.name.hasPrefix("bgp4mp") ? sample.name + ".gz" : sample.name + ".bz2"
    }

    @Test("the committed samples are the writer's output and decode cleanly", arguments: SampleArchives.all().map(\.name))
    func samples(name: String) throws {
        let sample = try #require(SampleArchives.all().first { $0.name == name })
        let url = Support.repoRoot.appendingPathComponent("SampleData/mrt/\(Self.fileName(sample))")
        if ProcessInfo.processInfo.environment["NKWATCH_REGENERATE"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Support.write(try Compressor.compress(sample.bytes, as: sample.name.hasPrefix("bgp4mp") ? .gzip : .bzip2), to: url)
        }
        let stream = try ArchiveStream(path: url.path)
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = try buf.withUnsafeMutableBytes { try stream.read(into: $0) }
            if n == 0 { break }
            bytes += buf[0..<n]
        }
        #expect(bytes == sample.bytes)
        let (lines, report) = Support.dumpLines(url.path)
        #expect(report.isClean)
        #expect(!lines.isEmpty)
    }
}
