import MRT

/// A problem with one input file: its path and the MRT error (byte offset and cause).
public struct FileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var error: MRTError
    public init(path: String, error: MRTError) {
        self.path = path
        self.error = error
    }
    public var description: String { "\(path == "-" ? "<stdin>" : path): \(error)" }
}

/// What reading one file found.
public struct FileReport: Sendable {
    public var path: String
    public var compression: Compression = .none
    public var records = 0
    public var recordsDecoded = 0
    public var elements = 0
    /// Records skipped because they were damaged; decoding went on after them.
    public var recordErrors: [FileError] = []
    /// The error that stopped reading the file early (truncation, damaged
    /// compression, a record header that cannot be trusted), if any.
    public var fatalError: FileError?
    /// Records of types nkwatch does not decode, by "TYPE/SUBTYPE".
    public var unsupported: [String: Int] = [:]
    /// Uncompressed bytes read.
    public var bytes = 0
    /// First and last record time (seconds), when any record was read.
    public var firstTimestamp: UInt32?
    public var lastTimestamp: UInt32?

    public init(path: String) { self.path = path }

    /// True when every byte of the file was read and decoded.
    public var isClean: Bool { recordErrors.isEmpty && fatalError == nil }
    public var allErrors: [FileError] { recordErrors + (fatalError.map { [$0] } ?? []) }
}

/// Type codes RFC 6396 defines (including the deprecated ones, §5).
let knownMRTTypes: Set<UInt16> = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 32, 33, 48, 49]

/// When decompression runs on a thread of its own (`PipelinedByteSource`).
public enum PipelineChoice: Sendable {
    /// Compressed input of at least `minimumCompressedSize` bytes, or of
    /// unknown size (standard input).
    case automatic
    case always
    case never

    /// Below this, starting a thread costs more than the overlap saves.
    public static let minimumCompressedSize = 256 << 10

    func applies(to stream: ArchiveStream) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .automatic:
            guard stream.compression != .none else { return false }
            return (stream.inputSize ?? Int.max) >= Self.minimumCompressedSize
        }
    }
}

/// Reads an MRT file record by record: detects the compression, frames,
/// decodes, and calls `body` for each decoded record. Damaged records are
/// reported and skipped; damage that stops the stream is reported with every
/// record before it kept. Never throws: every problem ends up in the report.
///
/// `prefilter`, when given, sees each framed record first; when it returns
/// true it has taken the record in full (it counts as decoded, without
/// problems) and the decoder does not see it.
public func readMRTFile(path: String, decoder: inout MRTDecoder, maxRecordsWithErrors: Int = 1000,
                        pipeline: PipelineChoice = .automatic,
                        prefilter: ((RawRecordView, MRTDecoder) -> Bool)? = nil,
                        _ body: (MRTRecord) -> Void) -> FileReport {
    var report = FileReport(path: path)
    let stream: ArchiveStream
    do {
        stream = try ArchiveStream(path: path)
    } catch let e as MRTError {
        report.fatalError = FileError(path: path, error: e)
        return report
    } catch {
        report.fatalError = FileError(path: path, error: MRTError(.io, offset: 0, "\(error)"))
        return report
    }
    report.compression = stream.compression
    if pipeline.applies(to: stream) {
        var reader = MRTRecordReader(source: PipelinedByteSource(stream))
        readRecords(&reader, path: path, decoder: &decoder, report: &report, maxRecordsWithErrors: maxRecordsWithErrors,
                    prefilter: prefilter, body)
    } else {
        var reader = MRTRecordReader(source: ArchiveByteSource(stream))
        readRecords(&reader, path: path, decoder: &decoder, report: &report, maxRecordsWithErrors: maxRecordsWithErrors,
                    prefilter: prefilter, body)
    }
    return report
}

private func readRecords(_ reader: inout MRTRecordReader, path: String, decoder: inout MRTDecoder,
                                           report: inout FileReport, maxRecordsWithErrors: Int,
                                           prefilter: ((RawRecordView, MRTDecoder) -> Bool)?,
                                           _ body: (MRTRecord) -> Void) {
    reader.firstHeaderCheck = { header in
        knownMRTTypes.contains(header.type.rawValue) ? nil : MRTError(
            .notMRT, offset: 0, "not an MRT file: the first record has type \(header.type.rawValue), which RFC 6396 does not define")
    }
    var sawAny = false
    while true {
        do {
            let more: Bool? = try reader.next { view -> Bool in
                sawAny = true
                report.records += 1
                if report.firstTimestamp == nil { report.firstTimestamp = view.header.timestamp }
                report.lastTimestamp = view.header.timestamp
                if let prefilter, prefilter(view, decoder) {
                    report.recordsDecoded += 1
                    return true
                }
                switch decoder.decode(view) {
                case .success(let record):
                    report.recordsDecoded += 1
                    for problem in record.problems where report.recordErrors.count < maxRecordsWithErrors {
                        report.recordErrors.append(FileError(path: path, error: problem))
                    }
                    if case .unsupported(let what) = record.body { report.unsupported[what, default: 0] += 1 }
                    body(record)
                case .failure(let e):
                    if report.recordErrors.count < maxRecordsWithErrors {
                        report.recordErrors.append(FileError(path: path, error: e))
                    }
                }
                return true
            }
            guard let go = more, go else { break }
        } catch let e as MRTError {
            report.fatalError = FileError(path: path, error: e)
            break
        } catch {
            report.fatalError = FileError(path: path, error: MRTError(.io, offset: reader.offset, "\(error)"))
            break
        }
    }
    report.bytes = reader.offset
    // No record and no error: not a byte arrived (a shorter input is a
    // truncated header).
    if !sawAny && report.fatalError == nil {
        report.fatalError = FileError(path: path, error: MRTError(.notMRT, offset: 0, "the file holds no MRT records (it is empty)"))
    }
}
