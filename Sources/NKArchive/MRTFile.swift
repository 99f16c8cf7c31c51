import Foundation
import MRT
import NKModel

/// What reading one input found.
public struct FileReport: Sendable {
    public var path: String
    public var compression: Compression = .none
    public var records = 0
    public var recordsDecoded = 0
    /// Records skipped because they were damaged; decoding went on after them.
    public var recordErrors: [FileError] = []
    /// The error that stopped reading the input early (truncation, damaged
    /// compression, a record header that cannot be trusted), if any.
    public var fatalError: FileError?
    /// Records of types nkwatch does not decode, by "TYPE/SUBTYPE".
    public var unsupported: [String: Int] = [:]
    /// Decompressed (MRT) bytes read.
    public var bytes = 0
    /// Raw (compressed) bytes read: the whole input, when it was hashed.
    public var rawBytes = 0
    /// SHA-256 of the raw bytes, when asked for: of exactly the bytes decoded.
    public var sha256: String?
    /// The file's identity when it was opened (nil for standard input).
    public var identity: FileIdentity?
    /// True when the file changed (size, time, inode) while it was read: what
    /// was decoded and hashed is one version of it, maybe incomplete.
    public var changedWhileRead = false
    /// First and last record time, when any record was read.
    public var firstTimestamp: UInt32?
    public var lastTimestamp: UInt32?

    public init(path: String) { self.path = path }

    /// True when every byte of the input was read and decoded.
    public var isClean: Bool { recordErrors.isEmpty && fatalError == nil }
    public var allErrors: [FileError] { recordErrors + (fatalError.map { [$0] } ?? []) }
    /// Nothing could be read: a missing, empty or non-MRT input.
    public var isUnreadable: Bool { records == 0 && fatalError != nil }
    /// A compressed archive file damaged before its first record: nothing
    /// to decode, but the file is there, and its time is a data gap.
    public var isDamagedBeforeFirstRecord: Bool {
        guard records == 0, compression != .none, let code = fatalError?.sourceError?.code else { return false }
        return code == .damagedStream || code == .truncatedStream
    }
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

/// How to read an MRT input.
public struct MRTReadOptions: Sendable {
    /// Record errors kept in the report (the count of records goes on).
    public var maxRecordsWithErrors = 1000
    public var pipeline = PipelineChoice.automatic
    /// Hash the raw bytes (SHA-256) as they are read, and read to the end
    /// even when decoding stops early, so the hash covers the whole input.
    public var hash = false
    /// Decode bzip2 blocks on every core where the pipeline applies and there
    /// is more than one core; otherwise on one worker thread. Both go through
    /// `ParallelBzip2Source` (nkwatch's block decoder, libbz2 for a block it
    /// refuses); without the pipeline, libbz2 decodes the stream in order.
    public var parallelBzip2 = true

    public init(maxRecordsWithErrors: Int = 1000, pipeline: PipelineChoice = .automatic, hash: Bool = false, parallelBzip2: Bool = true) {
        self.maxRecordsWithErrors = maxRecordsWithErrors
        self.pipeline = pipeline
        self.hash = hash
        self.parallelBzip2 = parallelBzip2
    }
}

/// Reads an MRT input record by record: detects the compression, frames,
/// decodes, and calls `body` for each decoded record. Damaged records are
/// reported and skipped; damage that stops the stream is reported with every
/// record before it kept. Never throws: every problem ends up in the report.
///
/// `prefilter`, when given, sees each framed record first; when it returns
/// true it has taken the record in full (it counts as decoded, without
/// problems) and the decoder does not see it. It gets the decoder in place
/// (not a copy per record) to read its session state; it must not change it.
public func readMRTFile(path: String, decoder: inout MRTDecoder, options: MRTReadOptions = MRTReadOptions(),
                        prefilter: ((RawRecordView, inout MRTDecoder) -> Bool)? = nil,
                        _ body: (MRTRecord) -> Void) -> FileReport {
    let file: FileSource
    let early = EarlyRead.take(path: path, options: options)
    do {
        if let taken = early?.file { file = taken } else { file = try FileSource(path: path) }
    } catch {
        var report = FileReport(path: path)
        report.fatalError = FileError(path: path, error)
        return report
    }
    var report = readMRT(source: file, path: path, size: file.size, decoder: &decoder, options: options, prefilter: prefilter, prepared: early, body)
    report.identity = file.identity
    if let before = file.identity, let after = file.currentIdentity(), after != before { report.changedWhileRead = true }
    return report
}

/// `readMRTFile` over any source of raw (compressed or plain) bytes.
public func readMRT(source raw: any ByteSource, path: String, size: Int?, decoder: inout MRTDecoder,
                    options: MRTReadOptions = MRTReadOptions(),
                    prefilter: ((RawRecordView, inout MRTDecoder) -> Bool)? = nil,
                    _ body: (MRTRecord) -> Void) -> FileReport {
    readMRT(source: raw, path: path, size: size, decoder: &decoder, options: options, prefilter: prefilter, prepared: nil, body)
}

/// `readMRT`, from a read already under way when `prepared` is given.
func readMRT(source raw: any ByteSource, path: String, size: Int?, decoder: inout MRTDecoder, options: MRTReadOptions,
             prefilter: ((RawRecordView, inout MRTDecoder) -> Bool)?, prepared: PreparedRead?,
             _ body: (MRTRecord) -> Void) -> FileReport {
    var report = FileReport(path: path)
    withRecordReader(source: raw, path: path, size: size, options: options, report: &report, prepared: prepared) { reader, report in
        let maxErrors = options.maxRecordsWithErrors
        func decode(_ view: RawRecordView, _ report: inout FileReport) {
            switch decoder.decode(view) {
            case .success(let record):
                report.recordsDecoded += 1
                for problem in record.problems where report.recordErrors.count < maxErrors {
                    report.recordErrors.append(FileError(path: path, problem))
                }
                if let what = record.body.unsupportedName { report.unsupported[what, default: 0] += 1 }
                body(record)
            case .failure(let e):
                if report.recordErrors.count < maxErrors {
                    report.recordErrors.append(FileError(path: path, e))
                }
            }
        }
        // The prefilter is unwrapped once, not per record.
        if let prefilter {
            frameRecords(&reader, path: path, report: &report) { view, report in
                if prefilter(view, &decoder) {
                    report.recordsDecoded += 1
                } else {
                    decode(view, &report)
                }
            }
        } else {
            frameRecords(&reader, path: path, report: &report) { view, report in decode(view, &report) }
        }
    }
    return report
}

/// The reading of raw bytes set up: hashing, decompression (on threads of
/// its own when it pays), and the decompressed bytes to frame. Decompression
/// on its own threads starts when it is made.
final class PreparedRead: @unchecked Sendable {
    /// The file, when it was opened for this read (`EarlyRead`).
    let file: FileSource?
    let hashing: HashingSource?
    let compression: Compression
    /// Taken once by the record reader; the decompressing threads stop and
    /// are joined when it is released.
    private var source: (any ByteSource)?
    /// Decompression runs on threads of its own (a pipeline or bzip2 blocks on every core).
    let concurrent: Bool

    init(raw: any ByteSource, file: FileSource? = nil, size: Int?, options: MRTReadOptions) throws {
        self.file = file
        let source: any ByteSource
        if options.hash {
            let h = try HashingSource(raw)
            hashing = h
            source = h
        } else {
            hashing = nil
            source = raw
        }
        let stream = try ArchiveStream(source: source, inputSize: size)
        compression = stream.compression
        let cores = Cores.available
        if stream.compression == .bzip2, options.pipeline.applies(to: stream) {
            // Blocks on every core, or on one worker (when files share the
            // cores): either way through nkwatch's block decoder, about twice
            // libbz2's speed.
            let workers = options.parallelBzip2 && cores > 1 ? cores : 1
            self.source = ParallelBzip2Source(source: source, prefix: stream.takeUnconsumedInput(), workers: workers)
            concurrent = true
        } else if options.pipeline.applies(to: stream) {
            self.source = PipelinedByteSource(stream)
            concurrent = true
        } else {
            self.source = stream
            concurrent = false
        }
    }

    /// The decompressed bytes, for the one record reader.
    func takeSource() -> any ByteSource {
        defer { source = nil }
        return source!
    }
}

/// Reads begun before they are asked for: `ingest` starts decompressing its
/// first file on the pipeline's threads while it opens the store and learns
/// the scope, and `readMRTFile` then takes the read under way instead of
/// opening the file again. The bytes, errors and report are the same; only
/// the start is earlier. A read never taken costs a few buffers and is
/// stopped by `discardAll`.
public enum EarlyRead {
    private final class Started: @unchecked Sendable {
        let lock = NSLock()
        var reads: [String: (PreparedRead, MRTReadOptions)] = [:]
    }
    private static let started = Started()

    /// Starts reading `path` as `readMRTFile(path:options:)` would, when it
    /// is a regular file whose decompression runs on threads of its own (otherwise there is nothing
    /// to gain, and nothing is kept). Problems are left for the real read to
    /// report.
    public static func start(path: String, options: MRTReadOptions) {
        // Regular files only: opening a FIFO waits for its writer, and standard
        // input is not ours to start reading.
        guard path != "-", FileSource.identity(ofPath: path) != nil, let file = try? FileSource(path: path),
              let prepared = try? PreparedRead(raw: file, file: file, size: file.size, options: options), prepared.concurrent else { return }
        started.lock.lock()
        let replaced = started.reads.updateValue((prepared, options), forKey: path)
        started.lock.unlock()
        _ = replaced // released (and its threads joined) here, outside the lock
    }

    /// The read of `path` under way with the same options, if any; it is no longer kept.
    static func take(path: String, options: MRTReadOptions) -> PreparedRead? {
        started.lock.lock()
        let entry = started.reads.removeValue(forKey: path)
        started.lock.unlock()
        guard let (prepared, began) = entry, began.hash == options.hash, began.pipeline == options.pipeline,
              began.parallelBzip2 == options.parallelBzip2 else { return nil }
        return prepared
    }

    /// Stops every read started and not taken.
    public static func discardAll() {
        started.lock.lock()
        let all = started.reads
        started.reads = [:]
        started.lock.unlock()
        _ = all
    }
}

/// Sets up the reading of `raw` (or takes the one `prepared` set up): hashing,
/// decompression (on its own thread when it pays), framing; runs `read` with
/// the record reader; then finishes the hash over every raw byte.
func withRecordReader(source raw: any ByteSource, path: String, size: Int?, options: MRTReadOptions, report: inout FileReport,
                      prepared: PreparedRead? = nil, _ read: (inout MRTRecordReader, inout FileReport) -> Void) {
    var hashing: HashingSource?
    do {
        do {
            let setUp = try prepared ?? PreparedRead(raw: raw, size: size, options: options)
            hashing = setUp.hashing
            report.compression = setUp.compression
            var reader = MRTRecordReader(source: setUp.takeSource())
            read(&reader, &report)
        }
        // The pipeline's threads have been joined: the raw source is ours again.
        if let h = hashing {
            try h.drain()
        }
    } catch {
        if report.fatalError == nil { report.fatalError = fileError(error, path: path, at: report.bytes) }
    }
    if let h = hashing {
        report.rawBytes = h.bytesRead
        report.sha256 = h.finish()
    }
}

/// A thrown error as a `FileError`.
func fileError(_ error: any Error, path: String, at offset: Int) -> FileError {
    switch error {
    case let e as MRTError: return FileError(path: path, e)
    case let e as ArchiveError: return FileError(path: path, e)
    case let e as FileError: return e
    default: return FileError(path: path, ArchiveError(.readFailed, offset: offset, "\(error)"))
    }
}

/// Frames every record of `reader`, counting them and their times in
/// `report`, and hands each to `take`; records the error that stops the
/// stream. Shared by the sequential and the batched reads.
func frameRecords(_ reader: inout MRTRecordReader, path: String, report: inout FileReport,
                  _ take: (RawRecordView, inout FileReport) -> Void) {
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
                take(view, &report)
                return true
            }
            guard let go = more, go else { break }
        } catch var e as ArchiveError {
            if reader.droppedBytes > 0 {
                e.detail += "; \(reader.droppedBytes) bytes of an incomplete record at stream offset \(reader.offset) were dropped"
            }
            report.fatalError = FileError(path: path, e)
            break
        } catch {
            report.fatalError = fileError(error, path: path, at: reader.offset)
            break
        }
    }
    report.bytes = reader.offset
    // No record and no error: not a byte arrived (a shorter input is a
    // truncated header). A compressed stream that decodes cleanly to nothing
    // is a dump with no records (a quiet collector's update file); an empty
    // raw file is not.
    if !sawAny && report.fatalError == nil && report.compression == .none {
        report.fatalError = FileError(path: path, MRTError(.notMRT, offset: 0, "the file holds no MRT records (it is empty)"))
    }
}
