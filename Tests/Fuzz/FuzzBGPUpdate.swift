// libFuzzer target: arbitrary bytes as the body of a BGP UPDATE (withdrawn
// routes, path attributes, NLRI), over 2- and 4-octet and ADD-PATH sessions.
import MRT

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBGPUpdate(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: min(size, 65_000)))
    for subtype: UInt8 in [1, 4, 9] {
        let length = 19 + body.count
        var record: [UInt8] = subtype == 1 ? [0, 1, 0, 2] : [0, 0, 0, 1, 0, 0, 0, 2]
        record += [0, 0, 0, 1, 10, 0, 0, 1, 10, 0, 0, 2] + Array(repeating: 0xFF, count: 16)
        record += [UInt8(length >> 8), UInt8(length & 0xFF), 2] + body
        let header: [UInt8] = [0, 0, 0, 1, 0, 16, 0, subtype, UInt8(record.count >> 24), UInt8((record.count >> 16) & 0xFF),
                               UInt8((record.count >> 8) & 0xFF), UInt8(record.count & 0xFF)]
        var reader = MRTRecordReader(source: MemoryByteSource(header + record), chunkSize: 256)
        var decoder = MRTDecoder()
        var out: [UInt8] = []
        while let result = try? reader.next({ decoder.decode($0) }) {
            if case .success(let r) = result { for e in r.elements { BGPDumpFormatter.append(e, to: &out) } }
        }
    }
    return 0
}
