// libFuzzer target: arbitrary bytes as a file — compression detection, gzip
// (multi-member) and bzip2 (concatenated) decoding, then MRT framing.
import MRT
import NKArchive

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecompress(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let stream = try? ArchiveStream(bytes: bytes, bufferSize: 4096) else { return 0 }
    var reader = MRTRecordReader(source: stream, chunkSize: 4096)
    var decoder = MRTDecoder()
    var count = 0
    while let result = try? reader.next({ decoder.decode($0) }) {
        if case .success = result { count += 1 }
        // Bound the work per input: decompression bombs must not run forever.
        if stream.decompressedOffset > 64 << 20 { break }
    }
    return 0
}
