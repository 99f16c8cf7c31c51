// libFuzzer target: arbitrary bytes as an MRT stream — framing, every record
// type's decoder, attributes, flattening and both text formats.
import MRT

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMRTRecords(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var reader = MRTRecordReader(source: MemoryByteSource(bytes), chunkSize: 256)
    var decoder = MRTDecoder()
    var out: [UInt8] = []
    var elements: [BGPElement] = []
    while true {
        guard let result = try? reader.next({ decoder.decode($0) }) else { break }
        if case .success(let record) = result {
            elements.removeAll(keepingCapacity: true)
            record.appendElements(to: &elements)
            for e in elements {
                BGPDumpFormatter.append(e, to: &out)
                JSONLinesFormatter.append(e, to: &out)
            }
            out.removeAll(keepingCapacity: true)
        }
    }
    return 0
}
