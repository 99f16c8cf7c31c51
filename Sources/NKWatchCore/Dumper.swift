import MRT
import NKArchive

/// `nkwatch dump`'s output formats.
public enum DumpFormat: String, Sendable, CaseIterable {
    /// Exactly what `bgpdump -m` prints (docs/formats.md lists the deliberate differences).
    case bgpdump
    /// One JSON object per element (`nkwatch.element/v1`).
    case jsonl
}

/// The dump pipeline: file → records → filtered elements → lines, written
/// into a buffer that the caller empties.
public struct Dumper {
    public let format: DumpFormat
    public let filter: ElementFilter
    var bgpdump = BGPDumpFormatter.Writer()
    var elements: [BGPElement] = []
    var json: [UInt8] = []

    /// The buffer is handed to `flush` once it holds this many bytes.
    public static let flushThreshold = 1 << 16

    public init(format: DumpFormat, filter: ElementFilter) {
        self.format = format
        self.filter = filter
        elements.reserveCapacity(4096)
    }

    /// Decodes `path` and appends its lines to `out`; `flush` is called
    /// whenever `out` holds `flushThreshold` bytes or more, and at the end.
    public mutating func dump(path: String, into out: inout TextBuffer, flush: (inout TextBuffer) -> Void) -> FileReport {
        var decoder = MRTDecoder(attributeFilter: filter.attributeFilter)
        // Unfiltered bgpdump lines come straight from the record.
        let direct = format == .bgpdump && filter.isEmpty
        let format = self.format, filter = self.filter
        var bgpdump = self.bgpdump, elements = self.elements, json = self.json
        defer {
            self.bgpdump = bgpdump
            self.elements = elements
            self.json = json
        }
        let report = readMRTFile(path: path, decoder: &decoder) { record in
            if direct && bgpdump.appendRecord(record, to: &out) {
                if out.count >= Self.flushThreshold { flush(&out) }
                return
            }
            elements.removeAll(keepingCapacity: true)
            record.appendElements(to: &elements)
            for e in elements where filter.accepts(e) {
                switch format {
                case .bgpdump: bgpdump.append(e, to: &out)
                case .jsonl:
                    json.removeAll(keepingCapacity: true)
                    JSONLinesFormatter.append(e, to: &json)
                    out.put(json)
                }
            }
            if out.count >= Self.flushThreshold { flush(&out) }
        }
        flush(&out)
        return report
    }
}
