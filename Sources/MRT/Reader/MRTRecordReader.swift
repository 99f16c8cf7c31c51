/// Where bytes come from: a file, standard input, memory, a decompressor
/// over any of these, an HTTP body.
public protocol ByteSource {
    /// Fills `buffer` with up to `buffer.count` bytes and returns how many it
    /// wrote; 0 means the end of the data. Throws the source's own error on
    /// failure or damage, after every good byte before it has been returned
    /// by earlier calls.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A byte source over bytes already in memory.
public struct MemoryByteSource: ByteSource {
    let data: [UInt8]
    var position = 0
    public init(_ data: [UInt8]) { self.data = data }
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, data.count - position)
        if n <= 0 { return 0 }
        data.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }
}

/// One framed record: its header, its body bytes (borrowed, valid only inside
/// the callback that receives it) and its offset in the stream.
public struct RawRecordView {
    public let header: MRTCommonHeader
    /// Offset of the record's first header byte in the decompressed stream.
    public let offset: Int
    /// The body, exactly `header.length` bytes.
    public let body: UnsafeRawBufferPointer
    /// Offset of the body's first byte.
    public var bodyOffset: Int { offset + header.wireHeaderLength }

    public init(header: MRTCommonHeader, offset: Int, body: UnsafeRawBufferPointer) {
        self.header = header
        self.offset = offset
        self.body = body
    }
}

/// Frames MRT records from a byte source: an explicit two-state machine
/// (waiting for a header / waiting for a body of n bytes) over one growable
/// buffer. Bytes are never copied per record; bodies are lent to a callback.
/// Leftover bytes at the end of input are an error, not silence.
///
/// Not generic over the source on purpose: the source is called once per
/// chunk, while `next` runs once per record, and a generic reader used from
/// another module runs unspecialized, looking up its type metadata each time.
public struct MRTRecordReader {
    /// Records longer than this are refused before anything is allocated for them.
    public static var maxRecordLength: Int { 16 << 20 }

    var source: any ByteSource
    var buffer: [UInt8]
    var start = 0          // first unconsumed byte in buffer
    var end = 0            // one past the last valid byte in buffer
    var streamOffset = 0   // stream offset of buffer[start]
    var sourceDone = false
    var failed = false
    public private(set) var recordsRead = 0
    /// When the source failed: bytes of an incomplete record that had
    /// arrived before the failure and were not delivered.
    public private(set) var droppedBytes = 0
    /// Checked against the first record's header before its length is
    /// trusted: lets a caller refuse a file that is not MRT at all.
    public var firstHeaderCheck: ((MRTCommonHeader) -> MRTError?)?

    /// `chunkSize` is the first buffer size; it grows (doubling) only for
    /// records that need more. The buffer is not zero-filled.
    public init(source: some ByteSource, chunkSize: Int = 256 << 10) {
        self.source = source
        let n = max(chunkSize, 64)
        self.buffer = [UInt8](unsafeUninitializedCapacity: n) { _, count in count = n }
    }

    /// Offset in the stream of the next unread byte.
    public var offset: Int { streamOffset }

    /// Ensures at least `count` bytes are buffered; false at the end of input.
    mutating func fill(_ count: Int) throws -> Bool {
        while end - start < count {
            if sourceDone { return false }
            if buffer.count - start < count || end == buffer.count {
                let live = end - start
                if start > 0 {
                    buffer.withUnsafeMutableBytes { b in
                        if live > 0 { b.baseAddress!.copyMemory(from: b.baseAddress! + start, byteCount: live) }
                    }
                    start = 0
                    end = live
                }
                if end == buffer.count {
                    // Grow by doubling only as data really arrives: a length
                    // field never decides an allocation by itself.
                    let grown = min(count, buffer.count * 2)
                    buffer.append(contentsOf: repeatElement(0, count: grown - buffer.count))
                }
            }
            let n = try buffer.withUnsafeMutableBytes { b in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: b[end...]))
            }
            if n == 0 { sourceDone = true } else { end += n }
        }
        return true
    }

    /// Reads the next record and lends it to `body`. Returns nil at a clean end
    /// of input. Throws an `MRTError` for a truncated or oversized record, or
    /// the source's own error when it fails (see `droppedBytes`); after a
    /// throw the reader returns nil.
    public mutating func next<R>(_ body: (RawRecordView) -> R) throws -> R? {
        if failed { return nil }
        do {
            guard try fill(12) else {
                if end - start > 0 {
                    failed = true
                    throw MRTError(.truncatedHeader, offset: streamOffset,
                                   "the data ends inside an MRT header (\(end - start) of 12 bytes present)")
                }
                return nil
            }
            var header = buffer.withUnsafeBytes { b -> MRTCommonHeader in
                var r = ByteReader(UnsafeRawBufferPointer(rebasing: b[start..<(start + 12)]))
                return MRTCommonHeader(timestamp: r.readUInt32() ?? 0, type: MRTType(rawValue: r.readUInt16() ?? 0),
                                       subtype: r.readUInt16() ?? 0, length: r.readUInt32() ?? 0)
            }
            if recordsRead == 0, let check = firstHeaderCheck, let problem = check(header) {
                failed = true
                throw problem
            }
            guard let wireLength = Int(exactly: header.length), wireLength <= Self.maxRecordLength else {
                failed = true
                throw MRTError(.recordTooLarge, offset: streamOffset, record: header.recordName,
                               "record length \(header.length) exceeds the \(Self.maxRecordLength)-byte limit (damaged header?)")
            }
            var headerLength = 12
            if header.type.hasExtendedTimestamp {
                guard wireLength >= 4 else {
                    failed = true
                    throw MRTError(.badLength, offset: streamOffset, record: header.recordName,
                                   "extended-timestamp record length \(wireLength) is shorter than its 4-byte microsecond field")
                }
                headerLength = 16
            }
            guard try fill(12 + wireLength) else {
                failed = true
                throw MRTError(.truncatedRecord, offset: streamOffset, record: header.recordName,
                               "the data ends inside a record: \(12 + wireLength) bytes declared, \(end - start) present")
            }
            if headerLength == 16 {
                header.microseconds = buffer.withUnsafeBytes { b in
                    var r = ByteReader(UnsafeRawBufferPointer(rebasing: b[(start + 12)..<(start + 16)]))
                    return r.readUInt32() ?? 0
                }
                header.length = UInt32(wireLength - 4)
            }
            let recordOffset = streamOffset
            let total = 12 + wireLength
            let bodyStart = start + headerLength
            let result = buffer.withUnsafeBytes { b in
                body(RawRecordView(header: header, offset: recordOffset,
                                       body: UnsafeRawBufferPointer(rebasing: b[bodyStart..<(start + total)])))
            }
            start += total
            streamOffset += total
            recordsRead += 1
            return result
        } catch let e as MRTError {
            failed = true
            throw e
        } catch {
            // The source failed: its error goes up unchanged.
            failed = true
            droppedBytes = end - start
            throw error
        }
    }
}

extension MRTCommonHeader {
    /// The offsets at which each record of an in-memory MRT stream ends, read
    /// from the length fields alone (nothing is decoded). Stops at the first
    /// header that does not fit; for tests and tools that cut streams at
    /// record boundaries.
    public static func recordEnds(in bytes: [UInt8]) -> [Int] {
        var ends: [Int] = []
        var p = 0
        while p + 12 <= bytes.count {
            let length = Int(bytes[p + 8]) << 24 | Int(bytes[p + 9]) << 16 | Int(bytes[p + 10]) << 8 | Int(bytes[p + 11])
            guard p + 12 + length <= bytes.count else { break }
            p += 12 + length
            ends.append(p)
        }
        return ends
    }
}
