#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBZip2
import CFastCRC
import CZlib
#if ISAL
import CISAL
#endif
import MRT
import NKModel

/// Compressed (or plain) bytes from a `ByteSource` read as a stream of
/// decompressed bytes, with bounded memory. gzip members and bzip2 streams
/// that follow one another are read as one stream, as `zcat` and `bzcat` do.
/// Damage is reported with the decompressed and compressed byte offsets
/// after every byte before it has been delivered.
///
/// Not `Sendable`: it owns its source and a C decompressor state.
public final class ArchiveStream: ByteSource {
    /// Where the compressed bytes come from.
    public private(set) var source: any ByteSource
    public private(set) var compression: Compression = .none
    /// Compressed bytes consumed so far.
    public var compressedOffset: Int { fileOffset - inAvailable }
    /// Decompressed bytes delivered so far.
    public private(set) var decompressedOffset = 0
    /// The size of the input when known (a regular file, memory), else nil.
    public let inputSize: Int?

    private var inBuffer: UnsafeMutableRawBufferPointer
    private var inStart = 0
    private var inEnd = 0
    private var inAvailable: Int { inEnd - inStart }
    private var fileOffset = 0
    private var fileEOF = false
    private var finished = false
    private var pendingError: ArchiveError?
    private var zstream: UnsafeMutablePointer<z_stream>?
    #if ISAL
    /// igzip's state, in place of `zstream` (the ISAL trait).
    private var igzip: UnsafeMutablePointer<inflate_state>?
    #endif
    private var bzstream: UnsafeMutablePointer<bz_stream>?
    private var inMember = false
    /// Compressed offset where the current member began.
    private var memberStart = 0
    /// zlib: this member's CRC-32 and length are checked here (`nk_crc32`,
    /// carry-less multiplication), not by zlib, whose table CRC costs a
    /// tenth of the inflate thread's time. Members with a header CRC stay
    /// zlib's to check, and so does every member without PCLMULQDQ.
    private var checksOwnCRC = false
    private var memberCRC: UInt32 = 0
    private var memberLength: UInt32 = 0
    /// The last compressed bytes consumed before the input buffer was last
    /// emptied (up to 8): a member's trailer may straddle two reads.
    private var carry: UnsafeMutableRawBufferPointer
    private var carryCount = 0

    /// Reads compressed bytes from `source` (of `inputSize` bytes, when known).
    public init(source: any ByteSource, inputSize: Int?, bufferSize: Int = 256 << 10) throws {
        self.source = source
        self.inputSize = inputSize
        inBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        carry = UnsafeMutableRawBufferPointer.allocate(byteCount: 8, alignment: 8)
        try start()
    }

    /// Reads compressed (or plain) bytes held in memory.
    public convenience init(bytes: [UInt8], bufferSize: Int = 64 << 10) throws {
        try self.init(source: MemoryByteSource(bytes), inputSize: bytes.count, bufferSize: bufferSize)
    }

    /// Opens `path`; "-" is standard input.
    public convenience init(path: String, bufferSize: Int = 256 << 10) throws {
        let file = try FileSource(path: path)
        try self.init(source: file, inputSize: file.size, bufferSize: bufferSize)
    }

    private func start() throws {
        try refill()
        compression = Compression.detect(UnsafeRawBufferPointer(rebasing: inBuffer[inStart..<inEnd]))
        switch compression {
        case .gzip:
            #if ISAL
            let state = UnsafeMutablePointer<inflate_state>.allocate(capacity: 1)
            isal_inflate_init(state)
            state.pointee.crc_flag = UInt32(ISAL_GZIP)
            igzip = state
            inMember = true
            return
            #endif
            let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            z.initialize(to: z_stream())
            // 15 + 16: a gzip wrapper is required.
            guard inflateInit2_(z, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                z.deallocate()
                throw ArchiveError(.libraryFailed, "zlib could not be initialised")
            }
            zstream = z
            beginZlibMember(z)
            inMember = true
        case .bzip2:
            let b = UnsafeMutablePointer<bz_stream>.allocate(capacity: 1)
            b.initialize(to: bz_stream())
            guard BZ2_bzDecompressInit(b, 0, 0) == BZ_OK else {
                b.deallocate()
                throw ArchiveError(.libraryFailed, "libbz2 could not be initialised")
            }
            bzstream = b
            inMember = true
        case .none:
            break
        }
    }

    deinit {
        if let z = zstream { inflateEnd(z); z.deallocate() }
        #if ISAL
        igzip?.deallocate()
        #endif
        if let b = bzstream { BZ2_bzDecompressEnd(b); b.deallocate() }
        inBuffer.deallocate()
        carry.deallocate()
    }

    /// At the start of a zlib member: decides who checks its CRC-32 and length.
    private func beginZlibMember(_ z: UnsafeMutablePointer<z_stream>) {
        // FLG is the member's fourth byte; FHCRC (bit 1) asks for a header CRC.
        checksOwnCRC = inAvailable >= 4 && inBuffer[inStart + 3] & 0x02 == 0 && nk_crc32_uses_clmul() != 0
        inflateValidate(z, checksOwnCRC ? 0 : 1)
        memberCRC = 0
        memberLength = 0
    }

    /// The last `n` (≤ 8) compressed bytes consumed, the oldest in the top byte.
    private func consumedTrailer(_ n: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<n {
            // The k-th byte back from the read position.
            let back = k + 1
            let byte = back <= inStart ? inBuffer[inStart - back] : (back - inStart <= carryCount ? carry[carryCount - (back - inStart)] : 0)
            v |= UInt64(byte) << UInt64(8 * k)
        }
        return v
    }

    /// Reads more compressed input if the buffer is empty. Sets `fileEOF` at the end.
    private func refill() throws {
        if inStart == inEnd {
            if inEnd > 0 { keepCarry() }
            inStart = 0
            inEnd = 0
        }
        guard !fileEOF, inEnd < inBuffer.count else { return }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: inBuffer[inEnd...]))
        if n == 0 { fileEOF = true }
        inEnd += n
        fileOffset += n
    }

    /// Keeps the last bytes of the emptied input buffer in `carry`.
    private func keepCarry() {
        let fromBuffer = min(8, inEnd)
        let fromCarry = min(8 - fromBuffer, carryCount)
        if fromCarry > 0 && carryCount > fromCarry {
            carry.baseAddress!.copyMemory(from: carry.baseAddress! + carryCount - fromCarry, byteCount: fromCarry)
        }
        (carry.baseAddress! + fromCarry).copyMemory(from: inBuffer.baseAddress! + inEnd - fromBuffer, byteCount: fromBuffer)
        carryCount = fromCarry + fromBuffer
    }

    /// Hands over the compressed bytes read so far and not yet decompressed
    /// (before the first `read`, everything read to detect the format), for
    /// a decoder of its own (`ParallelBzip2Source`); this stream must not be
    /// read afterwards.
    public func takeUnconsumedInput() -> [UInt8] {
        let bytes = Array(inBuffer[inStart..<inEnd])
        inStart = inEnd
        finished = true
        return bytes
    }

    /// Every remaining decompressed byte (tests, tools, small inputs).
    public func readAll() throws -> [UInt8] {
        var out: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try read(into: buffer)
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    /// Fills `out` with decompressed bytes; 0 at the end. See `ByteSource`.
    public func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        if let e = pendingError { pendingError = nil; finished = true; throw e }
        if finished || out.count == 0 { return 0 }
        let produced: Int
        switch compression {
        case .none: produced = try readPlain(into: out)
        case .gzip: produced = try readGzip(into: out)
        case .bzip2: produced = try readBzip2(into: out)
        }
        if produced == 0, let e = pendingError { pendingError = nil; throw e }
        decompressedOffset += produced
        return produced
    }

    private func readPlain(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        if inAvailable == 0 { try refill() }
        let n = min(out.count, inAvailable)
        if n == 0 { finished = true; return 0 }
        out.baseAddress!.copyMemory(from: inBuffer.baseAddress! + inStart, byteCount: n)
        inStart += n
        return n
    }

    /// Ends the stream with `error`: bytes already produced in this call are
    /// returned first and the error is thrown by the next call.
    private func stop(_ error: ArchiveError, produced: Int) throws -> Int {
        finished = true
        if produced == 0 { throw error }
        pendingError = error
        return produced
    }

    /// `produced`: bytes this call already wrote, so that the offset is the
    /// exact decompressed offset of the damage, however the output is chunked.
    /// `before`: the damage is that many bytes before the compressed read position.
    private func damaged(_ what: String, truncated: Bool = false, produced: Int = 0, before: Int = 0) -> ArchiveError {
        let at = compressedOffset - before
        return ArchiveError(truncated ? .truncatedStream : .damagedStream, offset: decompressedOffset + produced, compressedOffset: at,
                            "\(compression) stream damaged at compressed byte offset \(at): \(what)")
    }

    /// After the end of a member/stream: decides whether another follows.
    /// Returns true if decoding continues.
    /// `produced`: bytes this call already wrote. Trailing garbage ends the
    /// stream with an error that the next call throws (this one, if it
    /// produced nothing).
    private func startNextMember(magic: [UInt8], produced: Int) throws -> Bool {
        if inAvailable < magic.count { try refill() }
        if inAvailable == 0 && fileEOF { finished = true; return false }
        // Trailing zero padding (tape blocks) is ignored, as gzip does.
        var allZero = true
        for i in inStart..<inEnd where inBuffer[i] != 0 { allZero = false; break }
        if allZero {
            inStart = inEnd
            try refill()
            if inAvailable == 0 && fileEOF { finished = true; return false }
            return try startNextMember(magic: magic, produced: produced)
        }
        let head = Array(inBuffer[inStart..<min(inEnd, inStart + magic.count)])
        guard head == Array(magic.prefix(head.count)) else {
            // The bytes this call produced before the garbage go out first.
            finished = true
            pendingError = ArchiveError(.trailingData, offset: decompressedOffset + produced, compressedOffset: compressedOffset,
                                        "\(inEnd - inStart)+ bytes of trailing garbage after the \(compression) data at compressed byte offset \(compressedOffset)")
            return false
        }
        memberStart = compressedOffset
        return true
    }

    private func readGzip(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        #if ISAL
        if let state = igzip { return try readIgzip(state, into: out) }
        #endif
        guard let z = zstream else { return 0 }
        z.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
        z.pointee.avail_out = uInt(min(out.count, Int(UInt32.max)))
        while z.pointee.avail_out > 0 {
            if !inMember {
                guard try startNextMember(magic: [0x1F, 0x8B], produced: out.count - Int(z.pointee.avail_out)) else { break }
                inflateReset(z)
                beginZlibMember(z)
                inMember = true
            }
            if inAvailable == 0 {
                try refill()
                if inAvailable == 0 && fileEOF {
                    let produced = out.count - Int(z.pointee.avail_out)
                    return try stop(damaged("the compressed data ends before the end of the gzip member (truncated file)", truncated: true, produced: produced),
                                    produced: produced)
                }
            }
            z.pointee.next_in = (inBuffer.baseAddress! + inStart).assumingMemoryBound(to: Bytef.self)
            z.pointee.avail_in = uInt(inAvailable)
            let before = inAvailable
            let outBefore = z.pointee.next_out
            let ret = inflate(z, Z_NO_FLUSH)
            inStart += before - Int(z.pointee.avail_in)
            if checksOwnCRC, let start = outBefore {
                let n = z.pointee.next_out - start
                memberCRC = nk_crc32(memberCRC, start, n)
                memberLength &+= UInt32(truncatingIfNeeded: n)
            }
            switch ret {
            case Z_STREAM_END:
                inMember = false
                if checksOwnCRC {
                    // zlib read the trailer without checking it: CRC-32, then
                    // ISIZE, little-endian. Report what zlib would have, where
                    // it would have stopped (after the CRC when it is wrong).
                    let trailer = consumedTrailer(8)
                    let crc = UInt32(truncatingIfNeeded: trailer >> 32).byteSwapped
                    let size = UInt32(truncatingIfNeeded: trailer).byteSwapped
                    if crc != memberCRC || size != memberLength {
                        let produced = out.count - Int(z.pointee.avail_out)
                        let error = crc != memberCRC ? damaged("incorrect data check", produced: produced, before: 4)
                            : damaged("incorrect length check", produced: produced)
                        return try stop(error, produced: produced)
                    }
                }
            case Z_OK, Z_BUF_ERROR:
                continue
            default:
                let msg = z.pointee.msg.map { String(cString: $0) } ?? "zlib error \(ret)"
                let produced = out.count - Int(z.pointee.avail_out)
                return try stop(damaged(msg, produced: produced), produced: produced)
            }
        }
        return out.count - Int(z.pointee.avail_out)
    }

    #if ISAL
    /// `readGzip` with igzip: the same members, bytes, offsets and stream
    /// ends; only the decoder differs. With `ISAL_GZIP` igzip parses each
    /// member's header and checks its CRC-32 and length, and at the end of a
    /// member gives back the input bytes it read ahead.
    private func readIgzip(_ state: UnsafeMutablePointer<inflate_state>, into out: UnsafeMutableRawBufferPointer) throws -> Int {
        state.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
        state.pointee.avail_out = UInt32(min(out.count, Int(UInt32.max)))
        while state.pointee.avail_out > 0 {
            if !inMember {
                guard try startNextMember(magic: [0x1F, 0x8B], produced: out.count - Int(state.pointee.avail_out)) else { break }
                let saveOut = state.pointee.next_out, saveAvail = state.pointee.avail_out
                isal_inflate_reset(state)
                state.pointee.crc_flag = UInt32(ISAL_GZIP)
                state.pointee.next_out = saveOut
                state.pointee.avail_out = saveAvail
                inMember = true
            }
            if inAvailable == 0 {
                try refill()
                if inAvailable == 0 && fileEOF {
                    let produced = out.count - Int(state.pointee.avail_out)
                    return try stop(damaged("the compressed data ends before the end of the gzip member (truncated file)", truncated: true, produced: produced),
                                    produced: produced)
                }
            }
            state.pointee.next_in = (inBuffer.baseAddress! + inStart).assumingMemoryBound(to: UInt8.self)
            state.pointee.avail_in = UInt32(inAvailable)
            let before = inAvailable
            let ret = isal_inflate(state)
            inStart += before - Int(state.pointee.avail_in)
            if ret < 0 {
                var what = Self.igzipError(ret)
                if ret == ISAL_INCORRECT_CHECKSUM && inStart >= 8 {
                    // igzip read the whole trailer; zlib stops after a CRC-32
                    // that does not match, before the length: say which one
                    // failed, at zlib's offset.
                    let t = inBuffer.baseAddress! + inStart - 8
                    let crc = (0..<4).reduce(UInt32(0)) { $0 | UInt32(t.load(fromByteOffset: $1, as: UInt8.self)) << UInt32(8 * $1) }
                    if crc != state.pointee.crc { inStart -= 4 } else { what = "incorrect length check" }
                }
                let produced = out.count - Int(state.pointee.avail_out)
                return try stop(damaged(what, produced: produced), produced: produced)
            }
            if state.pointee.block_state == ISAL_BLOCK_FINISH { inMember = false }
        }
        return out.count - Int(state.pointee.avail_out)
    }

    static func igzipError(_ code: Int32) -> String {
        switch code {
        case ISAL_INVALID_BLOCK: return "invalid deflate block"
        case ISAL_INVALID_SYMBOL: return "invalid deflate symbol"
        case ISAL_INVALID_LOOKBACK: return "invalid distance too far back"
        case ISAL_INVALID_WRAPPER: return "incorrect header check"
        case ISAL_UNSUPPORTED_METHOD: return "unknown compression method"
        case ISAL_INCORRECT_CHECKSUM: return "incorrect data check"
        default: return "igzip error \(code)"
        }
    }
    #endif

    private func readBzip2(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let b = bzstream else { return 0 }
        b.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: CChar.self)
        b.pointee.avail_out = UInt32(min(out.count, Int(UInt32.max)))
        while b.pointee.avail_out > 0 {
            if !inMember {
                guard try startNextMember(magic: [0x42, 0x5A, 0x68], produced: out.count - Int(b.pointee.avail_out)) else { break }
                BZ2_bzDecompressEnd(b)
                let saveOut = b.pointee.next_out, saveAvail = b.pointee.avail_out
                b.initialize(to: bz_stream())
                guard BZ2_bzDecompressInit(b, 0, 0) == BZ_OK else { throw ArchiveError(.libraryFailed, "libbz2 could not be re-initialised") }
                b.pointee.next_out = saveOut
                b.pointee.avail_out = saveAvail
                inMember = true
            }
            if inAvailable == 0 {
                try refill()
                if inAvailable == 0 && fileEOF {
                    let produced = out.count - Int(b.pointee.avail_out)
                    return try stop(damaged("the compressed data ends before the end of the bzip2 stream (truncated file)", truncated: true, produced: produced),
                                    produced: produced)
                }
            }
            b.pointee.next_in = (inBuffer.baseAddress! + inStart).assumingMemoryBound(to: CChar.self)
            b.pointee.avail_in = UInt32(inAvailable)
            let before = inAvailable
            let ret = BZ2_bzDecompress(b)
            inStart += before - Int(b.pointee.avail_in)
            switch ret {
            case BZ_STREAM_END:
                inMember = false
            case BZ_OK:
                continue
            default:
                let what = ret == BZ_DATA_ERROR_MAGIC ? "bad bzip2 magic"
                    : ret == BZ_DATA_ERROR ? "bzip2 data integrity error (CRC or block damage)" : "libbz2 error \(ret)"
                let produced = out.count - Int(b.pointee.avail_out)
                return try stop(damaged(what, produced: produced), produced: produced)
            }
        }
        return out.count - Int(b.pointee.avail_out)
    }
}
