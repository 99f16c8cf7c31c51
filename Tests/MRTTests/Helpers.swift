@testable import MRT

/// SplitMix64: a small deterministic generator for reproducible random tests.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

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
