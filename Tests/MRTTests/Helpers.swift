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
        return (records, failures, MRTError(.io, offset: -1, "\(error)"))
    }
    return (records, failures, nil)
}

func elements(_ bytes: [UInt8]) -> [BGPElement] {
    decodeAll(bytes).records.flatMap(\.elements)
}

func recordEnds(_ bytes: [UInt8]) -> [Int] { MRTCommonHeader.recordEnds(in: bytes) }
