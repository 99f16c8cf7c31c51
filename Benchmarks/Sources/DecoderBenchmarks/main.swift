import Benchmark
import Foundation
import MRT
import NKArchive
import NKWatchCore

// One real update dump, decompressed into memory once: the RIS corpus's
// updates.20160811.1600 when ../shared/corpus is beside the repository,
// else the generated SampleData/mrt/bgp4mp.mrt.gz.
let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
let corpusFile = repo.deletingLastPathComponent().appendingPathComponent("shared/corpus/ris/updates.20160811.1600.gz")
let source = FileManager.default.fileExists(atPath: corpusFile.path)
    ? corpusFile : repo.appendingPathComponent("SampleData/mrt/bgp4mp.mrt.gz")
let compressed = try [UInt8](Data(contentsOf: source))

func inflate(_ bytes: [UInt8]) throws -> [UInt8] { try ArchiveStream(bytes: bytes).readAll() }

let plain = try inflate(compressed)
let plainFile = FileManager.default.temporaryDirectory.appendingPathComponent("nkwatch-bench-\(getpid()).mrt")
try Data(plain).write(to: plainFile)
defer { try? FileManager.default.removeItem(at: plainFile) }
print("input: \(source.lastPathComponent), \(compressed.count) bytes compressed, \(plain.count) uncompressed")

/// Keeps a result alive so that the optimizer cannot drop the work.
@inline(never)
func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

var records = 0, lines = 0
benchmark("inflate (zlib through ArchiveStream)") {
    blackHole(try inflate(compressed).count)
}

benchmark("frame records") {
    var reader = MRTRecordReader(source: MemoryByteSource(plain))
    var n = 0
    while try reader.next({ _ in true }) != nil { n += 1 }
    records = n
    blackHole(n)
}

benchmark("frame + decode records") {
    var reader = MRTRecordReader(source: MemoryByteSource(plain))
    var decoder = MRTDecoder()
    var n = 0
    while let ok = try reader.next({ view -> Bool in
        if case .success = decoder.decode(view) { return true }
        return false
    }) { if ok { n += 1 } }
    blackHole(n)
}

benchmark("frame + decode + bgpdump text") {
    var reader = MRTRecordReader(source: MemoryByteSource(plain))
    var decoder = MRTDecoder()
    var writer = BGPDumpFormatter.Writer()
    var out = TextBuffer()
    var bytes = 0
    while try reader.next({ view -> Bool in
        if case .success(let record) = decoder.decode(view) {
            if !writer.appendRecord(record, to: &out) {
                for e in record.elements { writer.append(e, to: &out) }
            }
        }
        if out.count > 1 << 16 { bytes += out.count; out.removeAll() }
        return true
    }) != nil {}
    bytes += out.count
    blackHole(bytes)
}

benchmark("ingest fast path (one file, North Korea scope)") {
    let (f, _) = FileIngester(scope: .northKorea).ingest(path: plainFile.path, sha256: "", size: plain.count)
    lines = f.elements
    blackHole(f.elements)
}

benchmark("ingest, every record through the full decoder") {
    let (f, _) = FileIngester(scope: .northKorea).ingest(path: plainFile.path, sha256: "", size: plain.count, fastPath: false)
    blackHole(f.elements)
}

let set = PrefixSet([Prefix("175.45.176.0/22")!, Prefix("2001:db8::/32")!, Prefix("10.0.0.0/8")!])
let probes = (0..<4096).map { i in Prefix(address: .v4(UInt32(truncatingIfNeeded: i &* 2_654_435_761)), length: UInt8(8 + i % 25))! }
benchmark("prefix set overlap, 4096 lookups") {
    var hits = 0
    for p in probes where set.overlaps(p) { hits += 1 }
    blackHole(hits)
}

Benchmark.main()
print("records per pass: \(records); elements per pass: \(lines)")
