#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MRT
import NKModel

/// Reads an MRT file as `readMRTFile` does, but decodes its records on
/// `workers` threads: the calling thread frames records into batches (about
/// `batchBytes` each) and keeps the state later records depend on (the
/// PEER_INDEX_TABLE, the sessions' OPENs); each batch is decoded by a worker
/// with its own copy of that state, and `work` turns its records into the
/// batch's output; `deliver` gets the outputs on the calling thread, in the
/// order of the file. The report is the one the sequential read makes: the
/// same counts, the same errors in the same order.
///
/// At most `2 × workers + 1` batches are in memory at once.
public func readMRTFileBatched<Output>(path: String, decoder: MRTDecoder, workers: Int, options: MRTReadOptions = MRTReadOptions(),
                                       batchBytes: Int = 1 << 20,
                                       makeOutput: @escaping @Sendable () -> Output,
                                       work: @escaping @Sendable (MRTRecord, inout Output) -> Void,
                                       deliver: (inout Output) -> Void) -> FileReport {
    let file: FileSource
    do {
        file = try FileSource(path: path)
    } catch {
        var report = FileReport(path: path)
        report.fatalError = FileError(path: path, error)
        return report
    }
    var report = FileReport(path: path)
    withRecordReader(source: file, path: path, size: file.size, options: options, report: &report) { reader, report in
        let pool = BatchPool<Output>(workers: max(1, workers), path: path, maxErrors: options.maxRecordsWithErrors,
                                     makeOutput: makeOutput, work: work)
        var state = decoder
        var batch = Batch<Output>(index: 0, decoder: state, capacity: batchBytes)
        frameRecords(&reader, path: path, report: &report) { view, report in
            batch.add(view)
            state.observeState(view)
            if batch.bytes.count >= batchBytes {
                pool.submit(batch, report: &report, deliver: deliver)
                batch = Batch(index: batch.index + 1, decoder: state, capacity: batchBytes)
            }
        }
        if !batch.records.isEmpty { pool.submit(batch, report: &report, deliver: deliver) }
        pool.finish(report: &report, deliver: deliver)
    }
    report.identity = file.identity
    if let before = file.identity, let after = file.currentIdentity(), after != before { report.changedWhileRead = true }
    return report
}

/// Records framed for a worker: their bytes, and what each record was.
/// Where a framed record is in its batch's bytes. Not nested in the generic
/// `Batch`: a type nested there is generic too, and its metadata (and its
/// array's) was looked up at run time for every record added.
struct BatchRecord {
    var header: MRTCommonHeader
    var offset: Int
    var start: Int
    var length: Int
}

final class Batch<Output>: @unchecked Sendable {

    // One thread at a time has a batch (the framing thread, then a worker,
    // then the delivering thread, each handing it over under the pool's
    // lock), so the per-record accesses skip the runtime's exclusivity
    // checks: they were 3 % of the dump's instructions.
    let index: Int
    /// The decoder state (peer index table, sessions) before the batch's first record.
    @exclusivity(unchecked) var decoder: MRTDecoder
    @exclusivity(unchecked) var bytes: [UInt8]
    @exclusivity(unchecked) var records: [BatchRecord] = []
    // Results, filled by a worker.
    @exclusivity(unchecked) var output: Output?
    @exclusivity(unchecked) var decoded = 0
    @exclusivity(unchecked) var errors: [FileError] = []
    @exclusivity(unchecked) var unsupported: [String: Int] = [:]
    var done = false

    init(index: Int, decoder: MRTDecoder, capacity: Int) {
        self.index = index
        self.decoder = decoder
        bytes = []
        bytes.reserveCapacity(capacity + (capacity >> 3))
    }

    func add(_ view: RawRecordView) {
        records.append(BatchRecord(header: view.header, offset: view.offset, start: bytes.count, length: view.body.count))
        bytes.append(contentsOf: view.body)
    }

    /// Decodes every record, in order, with `work` making the output.
    ///
    /// The decoder and the counts live on this thread's stack while it
    /// works and go back into the batch at the end, rather than being
    /// written in the batch object for every record: batches are allocated
    /// one after the other, and the one beside it may be another worker's.
    func run(path: String, maxErrors: Int, initial: Output, work: (MRTRecord, inout Output) -> Void) {
        var out = initial
        var decoder = self.decoder
        var decoded = 0
        var errors: [FileError] = []
        var unsupported: [String: Int] = [:]
        bytes.withUnsafeBytes { raw in
            for r in records {
                let view = RawRecordView(header: r.header, offset: r.offset, body: UnsafeRawBufferPointer(rebasing: raw[r.start..<(r.start + r.length)]))
                switch decoder.decode(view) {
                case .success(let record):
                    decoded += 1
                    for problem in record.problems where errors.count < maxErrors { errors.append(FileError(path: path, problem)) }
                    if let what = record.body.unsupportedName { unsupported[what, default: 0] += 1 }
                    work(record, &out)
                case .failure(let e):
                    if errors.count < maxErrors { errors.append(FileError(path: path, e)) }
                }
            }
        }
        self.decoded = decoded
        self.errors = errors
        self.unsupported = unsupported
        output = out
        bytes = []
    }
}

/// Worker threads and the batches in flight, handed back in order.
final class BatchPool<Output>: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [Batch<Output>] = []
    /// Submitted and not yet delivered, in order.
    private var inFlight: [Batch<Output>] = []
    private var closing = false
    private var threads: [JoinableThread] = []
    private let limit: Int
    private let path: String
    private let maxErrors: Int

    init(workers: Int, path: String, maxErrors: Int, makeOutput: @escaping @Sendable () -> Output,
         work: @escaping @Sendable (MRTRecord, inout Output) -> Void) {
        limit = 2 * workers + 1
        self.path = path
        self.maxErrors = maxErrors
        for _ in 0..<workers {
            threads.append(JoinableThread { [self] in
                while let b = self.take() {
                    b.run(path: path, maxErrors: maxErrors, initial: self.spareOutput() ?? makeOutput(), work: work)
                    self.condition.lock()
                    b.done = true
                    self.condition.broadcast()
                    self.condition.unlock()
                }
            })
        }
    }

    /// Outputs handed back after delivery, for the next batches: memory stays
    /// at what the batches in flight need, however long the file.
    private var spare: [Output] = []

    private func spareOutput() -> Output? {
        condition.lock()
        defer { condition.unlock() }
        return spare.popLast()
    }

    private func take() -> Batch<Output>? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !closing { condition.wait() }
        return queue.isEmpty ? nil : queue.removeFirst()
    }

    /// Queues `batch`; first waits while too many are in flight, delivering
    /// the finished ones in order.
    func submit(_ batch: Batch<Output>, report: inout FileReport, deliver: (inout Output) -> Void) {
        condition.lock()
        inFlight.append(batch)
        queue.append(batch)
        condition.broadcast()
        condition.unlock()
        drain(report: &report, deliver: deliver, untilBelow: limit)
    }

    /// Waits for every batch and delivers them; stops the workers and waits
    /// for their end.
    func finish(report: inout FileReport, deliver: (inout Output) -> Void) {
        drain(report: &report, deliver: deliver, untilBelow: 1)
        condition.lock()
        closing = true
        condition.broadcast()
        condition.unlock()
        for t in threads { t.join() }
    }

    private func drain(report: inout FileReport, deliver: (inout Output) -> Void, untilBelow n: Int) {
        while true {
            condition.lock()
            // Deliver what is done at the head; wait only when there are too many.
            while let first = inFlight.first, !first.done, inFlight.count >= n { condition.wait() }
            guard let first = inFlight.first, first.done else {
                condition.unlock()
                return
            }
            inFlight.removeFirst()
            condition.unlock()
            report.recordsDecoded += first.decoded
            for e in first.errors where report.recordErrors.count < maxErrors { report.recordErrors.append(e) }
            for (what, k) in first.unsupported { report.unsupported[what, default: 0] += k }
            if var out = first.output {
                deliver(&out)
                first.output = nil
                condition.lock()
                spare.append(out)
                condition.unlock()
            }
        }
    }

    deinit {
        condition.lock()
        closing = true
        condition.broadcast()
        condition.unlock()
    }
}
