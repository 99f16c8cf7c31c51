import Foundation
import MRT
import NKModel
import NKArchive

/// `nkwatch dump`'s output formats.
public enum DumpFormat: String, Sendable, CaseIterable {
    /// Exactly what `bgpdump -m` prints (docs/formats.md lists the deliberate differences).
    case bgpdump
    /// One JSON object per element (`nkwatch.element/v1`).
    case jsonl
}

/// What one thread needs to turn records into lines: the output and the
/// formatters' scratch space.
public struct DumpOutput: @unchecked Sendable {
    public var text: TextBuffer
    var bgpdump = BGPDumpFormatter.Writer()
    var elements: [BGPElement] = []
    var json: [UInt8] = []

    init(capacity: Int) {
        text = TextBuffer(capacity: capacity)
        elements.reserveCapacity(4096)
    }
}

/// The dump pipeline: file → records → filtered elements → lines. Large
/// files are decoded and formatted in batches on every core, the lines
/// written in the order of the file (`readMRTFileBatched`); small ones on the
/// calling thread. Both give the same bytes.
public struct Dumper {
    public let format: DumpFormat
    public let filter: ElementFilter
    /// Threads that decode and format (1: the calling thread only).
    public var workers: Int
    var output = DumpOutput(capacity: 1 << 10)

    /// The buffer is handed to `flush` once it holds this many bytes.
    public static let flushThreshold = 1 << 16
    /// Inputs at least this large (on disk) are read in batches on `workers` threads.
    public static let batchedMinimumSize = 1 << 20
    /// MRT bytes per batch: the text of one is about 4 times as much, and
    /// `2 × workers + 1` batches are in flight.
    public static let batchBytes = 128 << 10

    public init(format: DumpFormat, filter: ElementFilter, workers: Int = Cores.available) {
        self.format = format
        self.filter = filter
        self.workers = max(1, workers)
    }

    /// Appends `record`'s lines to `out`.
    static func format(_ record: MRTRecord, format: DumpFormat, filter: ElementFilter, into out: inout DumpOutput) {
        // Unfiltered bgpdump lines come straight from the record.
        if format == .bgpdump && filter.isEmpty && out.bgpdump.appendRecord(record, to: &out.text) { return }
        out.elements.removeAll(keepingCapacity: true)
        record.appendElements(to: &out.elements)
        for e in out.elements where filter.accepts(e) {
            switch format {
            case .bgpdump: out.bgpdump.append(e, to: &out.text)
            case .jsonl:
                out.json.removeAll(keepingCapacity: true)
                JSONLinesFormatter.append(e, to: &out.json)
                out.text.put(out.json)
            }
        }
    }

    /// Decodes `path` and appends its lines to `out`; `flush` is called
    /// whenever `out` holds `flushThreshold` bytes or more, and at the end.
    public mutating func dump(path: String, into out: inout TextBuffer, flush: (inout TextBuffer) -> Void) -> FileReport {
        let decoder = MRTDecoder(attributeFilter: filter.attributeFilter)
        let format = self.format, filter = self.filter
        // One worker: no thread decodes bzip2 blocks either.
        let options = MRTReadOptions(parallelBzip2: workers > 1)
        if workers > 1, path != "-", (FileSource.identity(ofPath: path)?.size ?? 0) >= Int64(Self.batchedMinimumSize) {
            flush(&out)
            let report = readMRTFileBatched(path: path, decoder: decoder, workers: workers, options: options,
                                            batchBytes: Self.batchBytes, makeOutput: { DumpOutput(capacity: Self.batchBytes * 4) },
                                            work: { record, o in Self.format(record, format: format, filter: filter, into: &o) },
                                            deliver: { o in flush(&o.text); o.text.removeAll() })
            return report
        }
        var decoder2 = decoder
        var o = output
        swap(&o.text, &out)
        defer {
            swap(&o.text, &out)
            output = o
        }
        let report = readMRTFile(path: path, decoder: &decoder2, options: options) { record in
            Self.format(record, format: format, filter: filter, into: &o)
            if o.text.count >= Self.flushThreshold { flush(&o.text) }
        }
        flush(&o.text)
        return report
    }
}
