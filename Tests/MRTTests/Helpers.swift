@testable import MRT

typealias SeededRNG = SplitMix64

/// Decodes every record of an in-memory MRT stream.
func decodeAll(_ bytes: [UInt8], filter: AttributeFilter? = nil) -> (records: [MRTRecord], failures: [MRTError], fatal: MRTError?) {
    var reader = MRTRecordReader(source: MemoryByteSource(bytes), chunkSize: 64)
    var decoder = MRTDecoder(attributeFilter: filter)
    var records: [MRTRecord] = []
    var failures: [MRTError] = []
    do {
        while let r = try reader.next({ decoder.decode($0) }) {
            switch r {
            case .success(let rec): records.append(rec)
            case .failure(let e): failures.append(e)
            }
        }
    } catch let e as MRTError {
        return (records, failures, e)
    } catch {
        preconditionFailure("a memory source does not fail: \(error)")
    }
    return (records, failures, nil)
}

/// Each record's outcome, in order: its bgpdump lines and problems, or its
/// error's code and offset.
func outcomes(_ bytes: [UInt8]) -> [String] {
    var reader = MRTRecordReader(source: MemoryByteSource(bytes), chunkSize: 64)
    var decoder = MRTDecoder()
    var out: [String] = []
    while let r = try? reader.next({ decoder.decode($0) }) {
        switch r {
        case .success(let rec):
            out.append(rec.elements.map(BGPDumpFormatter.line).joined() + rec.problems.map { "\($0.code)@\($0.offset)" }.joined(separator: ","))
        case .failure(let e):
            out.append("\(e.code)@\(e.offset)")
        }
    }
    return out
}

func elements(_ bytes: [UInt8]) -> [BGPElement] {
    decodeAll(bytes).records.flatMap(\.elements)
}

func recordEnds(_ bytes: [UInt8]) -> [Int] { MRTCommonHeader.recordEnds(in: bytes) }
