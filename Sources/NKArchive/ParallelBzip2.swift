#if canImport(Glibc)
import Glibc
#endif
import CBZip2
import CFastBzip2
import Foundation
import MRT
import NKModel

/// bzip2 decompressed on every core, as lbzip2 does: a bzip2 stream is a
/// sequence of blocks, each starting at a 48-bit magic (0x314159265359) on
/// any bit boundary and carrying its own CRC, so the blocks can be decoded
/// apart. A splitter thread reads the compressed bytes, finds the blocks,
/// and hands each to a worker, which decodes it with nkwatch's block decoder
/// (Sources/CFastBzip2: table-driven prefix codes, the inverse transform
/// walked in eight chains at once) and checks its CRC; a block that decoder
/// refuses, or whose CRC does not match, is decoded with libbz2 as a stream
/// of its own (the block shifted to a byte boundary, a stream header before
/// it and an end-of-stream marker with the block's CRC after it), so libbz2
/// stays the reference for damage. The output is delivered in order.
///
/// A magic that turns up inside block data by chance (about once in 2^48
/// bits) makes its piece fail to decode: the piece is joined with the next
/// and decoded again. The rules for damage are the sequential decoder's:
/// every good byte before the damage is delivered, then the error, naming
/// the decompressed offset of the damage and the compressed offset of the
/// damaged block. Concatenated streams, the combined CRC of each stream and
/// trailing zeros are handled as `bzcat` handles them.
///
/// Memory: the compressed bytes of the blocks being split, and at most
/// `2 × workers + 2` decoded blocks (a block decodes to at most about 46 MB,
/// usually under 1 MB).
public final class ParallelBzip2Source: ByteSource {
    private let shared: Shared
    private var splitter: pthread_t?
    private var workerThreads: [pthread_t] = []
    // The consumer's position.
    private var next = 0
    private var current: [UInt8] = []
    private var currentStart = 0
    /// Decompressed bytes handed out by `nextPiece` so far.
    private var handedOut = 0
    /// The combined CRC of the current stream's blocks so far.
    private var combined: UInt32 = 0
    private var finished = false
    private var pendingError: ArchiveError?

    /// Reads the raw bzip2 bytes `prefix` (already read from `source`) and
    /// then the rest of `source`, decoding on `workers` threads.
    public init(source: any ByteSource, prefix: [UInt8], workers: Int = Cores.available) {
        shared = Shared(source: source, prefix: prefix, limit: 2 * max(1, workers) + 2)
        let box = Unmanaged.passRetained(shared).toOpaque()
        var t = pthread_t()
        if pthread_create(&t, nil, { raw in
            let s = Unmanaged<Shared>.fromOpaque(raw!).takeRetainedValue()
            s.split()
            return nil
        }, box) == 0 {
            splitter = t
        } else {
            Unmanaged<Shared>.fromOpaque(box).release()
            shared.finishWithError(ArchiveError(.libraryFailed, "cannot start the bzip2 splitter thread"))
        }
        for _ in 0..<max(1, workers) {
            let wbox = Unmanaged.passRetained(shared).toOpaque()
            var w = pthread_t()
            if pthread_create(&w, nil, { raw in
                let s = Unmanaged<Shared>.fromOpaque(raw!).takeRetainedValue()
                s.work()
                return nil
            }, wbox) == 0 {
                workerThreads.append(w)
            } else {
                Unmanaged<Shared>.fromOpaque(wbox).release()
            }
        }
        if workerThreads.isEmpty { shared.inlineWork = true }
    }

    deinit {
        shared.cancel()
        if let t = splitter { pthread_join(t, nil) }
        for w in workerThreads { pthread_join(w, nil) }
    }

    public func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        // An error waits until the bytes decoded before it are all read.
        if currentStart == current.count, let e = pendingError { pendingError = nil; finished = true; throw e }
        if finished || out.count == 0 { return 0 }
        var written = 0
        while written < out.count {
            if currentStart == current.count {
                guard let piece = try nextPiece() else { break }
                current = piece
                currentStart = 0
                if current.isEmpty { continue }
            }
            let n = min(out.count - written, current.count - currentStart)
            current.withUnsafeBytes { (out.baseAddress! + written).copyMemory(from: $0.baseAddress! + currentStart, byteCount: n) }
            currentStart += n
            written += n
        }
        if written == 0 && pendingError == nil { finished = true }
        if written == 0, let e = pendingError { pendingError = nil; finished = true; throw e }
        return written
    }

    /// The next block's output in order; nil at the end (an error to come is
    /// left in `pendingError`).
    private func nextPiece() throws -> [UInt8]? {
        guard pendingError == nil else { return nil }
        guard let job = shared.take(next) else {
            if let e = shared.endError { pendingError = e.offsetBy(handedOut) }
            return nil
        }
        next += 1
        switch job.kind {
        case .error(let e):
            pendingError = e.offsetBy(handedOut)
            return nil
        case .streamEnd(let stored):
            // The stream's combined CRC (the blocks' CRCs, each rotated in).
            defer { combined = 0 }
            if stored != combined {
                pendingError = ArchiveError(.damagedStream, offset: handedOut, compressedOffset: job.byteOffset,
                                            "bzip2 stream damaged at compressed byte offset \(job.byteOffset): bzip2 data integrity error (CRC or block damage)")
                shared.cancel()
                return nil
            }
            return []
        case .block:
            if job.ok {
                combined = ((combined << 1) | (combined >> 31)) ^ job.blockCRC
                handedOut += job.output.count
                return job.output
            }
            // A false magic, or damage: join the following pieces of the same
            // stream until one decodes, else deliver what the piece gave.
            var merged = job
            var joined = 0
            // (At most `limit - 1` ahead: the splitter holds no more.)
            while joined < min(8, shared.limit - 1), merged.bits < 8 * Shared.maxBlockBytes, let following = shared.peek(next + joined), case .block = following.kind,
                  following.stream == job.stream {
                merged = merged.joined(with: following)
                merged.decode()
                joined += 1
                if merged.ok {
                    for _ in 0..<joined { _ = shared.take(next); next += 1 }
                    combined = ((combined << 1) | (combined >> 31)) ^ merged.blockCRC
                    handedOut += merged.output.count
                    return merged.output
                }
            }
            let error = job.failure ?? "bzip2 data integrity error (CRC or block damage)"
            let truncated = job.truncated
            handedOut += job.output.count
            pendingError = ArchiveError(truncated ? .truncatedStream : .damagedStream, offset: handedOut, compressedOffset: job.byteOffset,
                                        truncated ? "bzip2 stream damaged at compressed byte offset \(job.byteOffset): the compressed data ends before the end of the bzip2 stream (truncated file)"
                                            : "bzip2 stream damaged at compressed byte offset \(job.byteOffset): \(error)")
            shared.cancel()
            return job.output
        }
    }

    // MARK: Shared state

    /// One piece of work: a block to decode, or an error at its place in the stream.
    final class Job: @unchecked Sendable {
        enum Kind {
            case block
            case error(ArchiveError)
            /// The end-of-stream marker: the stream's stored combined CRC.
            case streamEnd(storedCRC: UInt32)
        }
        let index: Int
        let kind: Kind
        /// Which stream of a concatenation the block belongs to.
        let stream: Int
        let level: UInt8
        /// The compressed bytes holding the piece, and where in them its bits start and end.
        var bytes: [UInt8]
        var firstBit: Int
        var bits: Int
        /// The piece ends the stream (its end-of-stream marker follows) or the input.
        var endsInput: Bool
        let blockCRC: UInt32
        /// The compressed offset of the piece's first byte.
        let byteOffset: Int
        // Results.
        var output: [UInt8] = []
        var ok = false
        var truncated = false
        var failure: String?
        var done = false

        init(index: Int, kind: Kind, stream: Int = 0, level: UInt8 = 9, bytes: [UInt8] = [], firstBit: Int = 0, bits: Int = 0,
             endsInput: Bool = false, blockCRC: UInt32 = 0, byteOffset: Int = 0) {
            self.index = index
            self.kind = kind
            self.stream = stream
            self.level = level
            self.bytes = bytes
            self.firstBit = firstBit
            self.bits = bits
            self.endsInput = endsInput
            self.blockCRC = blockCRC
            self.byteOffset = byteOffset
        }

        /// This piece and the one after it, as one.
        func joined(with b: Job) -> Job {
            var bytes = self.bytes
            // b's bytes start at the byte holding this piece's last bit.
            let endBit = firstBit + bits
            bytes.removeLast(bytes.count - endBit / 8)
            bytes += b.bytes
            let j = Job(index: index, kind: .block, stream: stream, level: level, bytes: bytes, firstBit: firstBit, bits: bits + b.bits,
                        endsInput: b.endsInput, blockCRC: blockCRC, byteOffset: byteOffset)
            j.closesStream = b.closesStream
            return j
        }

        /// Decodes the piece: with `fast` (nkwatch's block decoder) when it
        /// takes the block and the block's CRC checks, else with libbz2, whose
        /// results for damage are the reference.
        func decode(with fast: FastDecoder? = nil) {
            if !(endsInput && !closesStream), decodeFast(fast ?? FastDecoder()) { return }
            decodeWithLibbz2()
        }

        /// The block through nkwatch's decoder; false (nothing set) when it
        /// does not take the block or the CRC does not match.
        private func decodeFast(_ fast: FastDecoder) -> Bool {
            let out = bytes.withUnsafeBufferPointer { fast.decode($0, firstBit: firstBit, bits: bits, level: Int(level), crc: blockCRC) }
            guard let out else { return false }
            output = out
            ok = true
            return true
        }

        /// Decodes the piece as a one-block bzip2 stream with libbz2.
        private func decodeWithLibbz2() {
            var input: [UInt8] = [0x42, 0x5A, 0x68, 0x30 + level]
            input.reserveCapacity(bits / 8 + 20)
            var acc: UInt64 = 0
            var have = 0
            func put(_ value: UInt64, _ n: Int) {
                acc = (acc << UInt64(n)) | (value & ((1 << UInt64(n)) - 1))
                have += n
                while have >= 8 {
                    input.append(UInt8(truncatingIfNeeded: acc >> UInt64(have - 8)))
                    have -= 8
                }
            }
            // The piece's bits, shifted to a byte boundary: whole bytes at a
            // time (the shift is the same for every byte), the last few bits
            // through `put`.
            let shift = firstBit % 8
            let wholeBytes = bits / 8
            bytes.withUnsafeBufferPointer { b in
                let start = firstBit / 8
                if shift == 0 {
                    input.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<(start + wholeBytes)]))
                } else {
                    let old = input.count
                    input.append(contentsOf: repeatElement(0, count: wholeBytes))
                    input.withUnsafeMutableBufferPointer { o in
                        let l = UInt8(shift), r = UInt8(8 - shift)
                        for k in 0..<wholeBytes {
                            o[old + k] = b[start + k] << l | b[start + k + 1] >> r
                        }
                    }
                }
            }
            var bit = firstBit + wholeBytes * 8
            let end = firstBit + bits
            while bit < end {
                let take = min(end - bit, 8 - bit % 8)
                let byte = UInt64(bytes[bit / 8])
                put(byte >> UInt64(8 - bit % 8 - take), take)
                bit += take
            }
            let truncatedInput = endsInput && !closesStream
            if !truncatedInput {
                put(0x1772_4538_5090, 48)
                put(UInt64(blockCRC), 32)
            }
            if have > 0 { put(0, 8 - have) }
            var strm = bz_stream()
            guard BZ2_bzDecompressInit(&strm, 0, 0) == BZ_OK else { failure = "libbz2 could not be initialised"; return }
            defer { BZ2_bzDecompressEnd(&strm) }
            var out = [UInt8](repeating: 0, count: Int(level) * 100_000 + (1 << 16))
            var produced = 0
            let result: Int32 = input.withUnsafeMutableBytes { inRaw in
                strm.next_in = inRaw.baseAddress!.assumingMemoryBound(to: CChar.self)
                strm.avail_in = UInt32(inRaw.count)
                while true {
                    if produced == out.count { out += [UInt8](repeating: 0, count: out.count) }
                    let ret: Int32 = out.withUnsafeMutableBytes { outRaw in
                        strm.next_out = (outRaw.baseAddress! + produced).assumingMemoryBound(to: CChar.self)
                        strm.avail_out = UInt32(outRaw.count - produced)
                        let before = strm.avail_out
                        let r = BZ2_bzDecompress(&strm)
                        produced += Int(before - strm.avail_out)
                        return r
                    }
                    if ret == BZ_STREAM_END { return ret }
                    if ret != BZ_OK { return ret }
                    if strm.avail_in == 0 && strm.avail_out > 0 { return BZ_UNEXPECTED_EOF }
                }
            }
            out.removeLast(out.count - produced)
            output = out
            switch result {
            case BZ_STREAM_END:
                ok = true
            case BZ_UNEXPECTED_EOF where truncatedInput:
                truncated = true
                failure = "the compressed data ends before the end of the bzip2 stream (truncated file)"
            case BZ_UNEXPECTED_EOF:
                // Cut at a magic inside the block's data: damage, or a false
                // magic (then the joined piece decodes).
                failure = "bzip2 data integrity error (CRC or block damage)"
            default:
                failure = result == BZ_DATA_ERROR_MAGIC ? "bad bzip2 magic" : result == BZ_DATA_ERROR ? "bzip2 data integrity error (CRC or block damage)" : "libbz2 error \(result)"
            }
        }

        /// The piece was cut at a real end-of-stream marker (not at the end of the input).
        var closesStream = false
    }

    /// One thread's block decoder (Sources/CFastBzip2: its tables and the
    /// transform's arrays, about 6 bytes per byte of block size, kept from
    /// block to block).
    public final class FastDecoder {
        let decoder: OpaquePointer?
        public init() { decoder = nk_bz2_decoder_new() }
        deinit { nk_bz2_decoder_free(decoder) }

        /// The block in bits `firstBit ..< firstBit + bits` of `bytes` (from
        /// its magic on), written with block size `level`: its bytes, when the
        /// decoder takes it and the CRC of the bytes is the header's and `crc`
        /// (if given); nil otherwise. The output buffer starts at
        /// `capacity` bytes (by default the block's length and a quarter) and
        /// is made as large as needed.
        public func decode(_ bytes: UnsafeBufferPointer<UInt8>, firstBit: Int, bits: Int, level: Int, crc expected: UInt32? = nil,
                           capacity: Int? = nil) -> [UInt8]? {
            guard let d = decoder, firstBit >= 0, bits >= 0 else { return nil }
            let r = nk_bz2_decode(d, bytes.baseAddress, bytes.count, UInt64(firstBit), UInt64(bits), Int32(level))
            guard r == 0, expected == nil || nk_bz2_stored_crc(d) == expected else { return nil }
            // Undoing the first run-length step rarely adds more than a quarter.
            let length = Int(nk_bz2_block_length(d))
            var capacity = capacity ?? length + length / 4 + 64
            while true {
                var crc: UInt32 = 0
                var result: Int64 = 0
                let out = [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
                    result = nk_bz2_output(d, buf.baseAddress, capacity, &crc)
                    count = result >= 0 && result <= Int64(capacity) ? Int(result) : 0
                }
                if result < 0 { return nil }
                if result > Int64(capacity) { capacity = Int(result); continue }
                return crc == nk_bz2_stored_crc(d) ? out : nil
            }
        }
    }

    final class Shared: @unchecked Sendable {
        static let blockMagic: UInt64 = 0x3141_5926_5359
        static let endMagic: UInt64 = 0x1772_4538_5090
        /// A piece longer than this has no block boundary where one must be.
        static let maxBlockBytes = 1_100_000

        var source: any ByteSource
        let condition = NSCondition()
        let limit: Int
        var jobs: [Int: Job] = [:]
        var queue: [Job] = []
        var submitted = 0
        var splitDone = false
        var cancelled = false
        var endError: ArchiveError?
        var inlineWork = false
        /// The consumer's decoder, when there are no worker threads.
        var inlineDecoder: FastDecoder?

        // The splitter's compressed bytes: buf[0] is at absolute offset `base`.
        var buf: [UInt8]
        var base = 0
        var eof = false

        init(source: any ByteSource, prefix: [UInt8], limit: Int) {
            self.source = source
            self.buf = prefix
            self.limit = limit
        }

        func cancel() {
            condition.lock()
            cancelled = true
            condition.broadcast()
            condition.unlock()
        }

        func finishWithError(_ e: ArchiveError) {
            condition.lock()
            endError = endError ?? e
            splitDone = true
            condition.broadcast()
            condition.unlock()
        }

        /// The job at `index`, once decoded; nil when there is none (the end).
        func take(_ index: Int) -> Job? {
            condition.lock()
            defer { condition.unlock() }
            while true {
                if let j = jobs[index] {
                    if case .block = j.kind, !j.done {
                        if inlineWork {
                            condition.unlock()
                            inlineDecoder = inlineDecoder ?? FastDecoder()
                            j.decode(with: inlineDecoder)
                            condition.lock()
                            j.done = true
                            continue
                        }
                        condition.wait()
                        continue
                    }
                    jobs[index] = nil
                    condition.broadcast()
                    return j
                }
                if splitDone && index >= submitted { return nil }
                condition.wait()
            }
        }

        /// The job at `index` once decoded, left in place.
        func peek(_ index: Int) -> Job? {
            condition.lock()
            defer { condition.unlock() }
            while true {
                if let j = jobs[index] {
                    if case .block = j.kind, !j.done { condition.wait(); continue }
                    return j
                }
                if splitDone && index >= submitted { return nil }
                condition.wait()
            }
        }

        func work() {
            let fast = FastDecoder()
            while true {
                condition.lock()
                while queue.isEmpty && !(splitDone && queue.isEmpty) && !cancelled { condition.wait() }
                if cancelled || queue.isEmpty { condition.unlock(); return }
                let j = queue.removeFirst()
                condition.unlock()
                j.decode(with: fast)
                condition.lock()
                j.done = true
                condition.broadcast()
                condition.unlock()
            }
        }

        private func submit(_ j: Job) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while jobs.count >= limit && !cancelled { condition.wait() }
            if cancelled { return false }
            jobs[j.index] = j
            if case .block = j.kind { queue.append(j) } else { j.done = true }
            submitted = j.index + 1
            condition.broadcast()
            return true
        }

        // MARK: Splitting

        /// Makes sure `n` bytes from absolute offset `at` are in `buf`, if the input has them.
        private func ensure(_ at: Int, _ n: Int) throws -> Bool {
            while base + buf.count < at + n && !eof {
                var chunk = [UInt8](repeating: 0, count: 1 << 18)
                let got = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                if got == 0 { eof = true } else { buf += chunk[0..<got] }
            }
            return base + buf.count >= at + n
        }

        /// Drops compressed bytes before absolute offset `at`.
        private func discard(before at: Int) {
            let n = at - base
            if n > (1 << 20) {
                buf.removeFirst(n)
                base = at
            }
        }

        /// `n` (≤ 57) bits from absolute bit position `bit`; the bytes must be present.
        private func bits(_ bit: Int, _ n: Int) -> UInt64 {
            var v: UInt64 = 0
            let first = bit / 8 - base
            let last = (bit + n - 1) / 8 - base
            for i in first...last { v = (v << 8) | UInt64(buf[i]) }
            let totalBits = (last - first + 1) * 8
            let skipLow = totalBits - (bit % 8) - n
            return (v >> UInt64(skipLow)) & ((1 << UInt64(n)) - 1)
        }

        /// For each byte value, the shifts s (0…7) at which a magic starting s
        /// bits into byte i has that value as byte i + 2: a cheap first test.
        static let candidates: [UInt16] = {
            var t = [UInt16](repeating: 0, count: 256)
            for (m, magic) in [blockMagic, endMagic].enumerated() {
                for s in 0..<8 {
                    // Byte i + 2 holds magic bits (16 - s) ..< (24 - s), counted from the top of the 48.
                    let byte = UInt8(truncatingIfNeeded: magic >> UInt64(48 - (24 - s)))
                    t[Int(byte)] |= 1 << UInt16(s + 8 * m)
                }
            }
            return t
        }()

        /// The first bit position ≥ `from` where a block or end-of-stream
        /// magic starts, reading more input as needed; nil at the end of input
        /// (or past `maxBlockBytes`).
        private func findMagic(from: Int) throws -> (bit: Int, end: Bool)? {
            var i = from / 8 - 2  // byte i: where a magic could start
            if i < from / 8 { i = from / 8 }
            let limitByte = from / 8 + Self.maxBlockBytes
            while i < limitByte {
                guard try ensure(i, 8) else {
                    // Fewer than 8 bytes left: test what remains bit by bit.
                    while base + buf.count - i >= 6 {
                        for s in 0..<8 where i * 8 + s >= from && i * 8 + s + 48 <= (base + buf.count) * 8 {
                            let v = bits(i * 8 + s, 48)
                            if v == Self.blockMagic { return (i * 8 + s, false) }
                            if v == Self.endMagic { return (i * 8 + s, true) }
                        }
                        i += 1
                    }
                    return nil
                }
                // Every position whose 8 bytes are in the buffer, on local
                // pointers (no property access per byte).
                let stop = min(limitByte, base + buf.count - 7)
                let b = base
                var found: (bit: Int, end: Bool)?
                buf.withUnsafeBufferPointer { p in
                    Self.candidates.withUnsafeBufferPointer { t in
                        scan: while i < stop {
                            let mask = t[Int(p[i + 2 - b])]
                            if mask != 0 {
                                var v: UInt64 = 0
                                for k in 0..<8 { v = v << 8 | UInt64(p[i - b + k]) }
                                for s in 0..<8 where mask & (1 << UInt16(s)) != 0 || mask & (1 << UInt16(s + 8)) != 0 {
                                    let at = i * 8 + s
                                    guard at >= from else { continue }
                                    let m = (v >> UInt64(16 - s)) & 0xFFFF_FFFF_FFFF
                                    if m == Self.blockMagic { found = (at, false); break scan }
                                    if m == Self.endMagic { found = (at, true); break scan }
                                }
                            }
                            i += 1
                        }
                    }
                }
                if let found { return found }
            }
            return nil
        }

        func split() {
            do {
                try splitStreams()
            } catch let e as ArchiveError {
                finishWithError(e)
                return
            } catch {
                finishWithError(ArchiveError(.readFailed, "\(error)"))
                return
            }
            condition.lock()
            splitDone = true
            condition.broadcast()
            condition.unlock()
        }

        private func splitStreams() throws {
            var index = 0
            var byte = 0
            var stream = 0
            while true {
                // A stream header, trailing zeros, the end, or garbage.
                guard try ensure(byte, 1) else { return }
                if stream > 0 {
                    // Trailing zero padding is ignored, as bzcat does.
                    var allZero = true
                    var k = byte
                    while try ensure(k, 1) {
                        if buf[k - base] != 0 { allZero = false; break }
                        k += 1
                    }
                    if allZero { return }
                }
                guard try ensure(byte, 4), buf[byte - base] == 0x42, buf[byte + 1 - base] == 0x5A, buf[byte + 2 - base] == 0x68,
                      (0x31...0x39).contains(buf[byte + 3 - base]) else {
                    if stream == 0 {
                        throw ArchiveError(.damagedStream, offset: 0, compressedOffset: byte, "bzip2 stream damaged at compressed byte offset \(byte): bad bzip2 magic")
                    }
                    throw ArchiveError(.trailingData, offset: 0, compressedOffset: byte,
                                       "\(base + buf.count - byte)+ bytes of trailing garbage after the bzip2 data at compressed byte offset \(byte)")
                }
                let level = buf[byte + 3 - base] - 0x30
                var bit = (byte + 4) * 8
                while true {
                    // A magic and a CRC: 80 bits from `bit` (exactly 10 bytes
                    // when it is byte-aligned, as a file's last marker can be).
                    guard try ensure(bit / 8, (bit % 8 + 80 + 7) / 8) else {
                        // The stream ends before a block or end marker.
                        let j = Job(index: index, kind: .block, stream: stream, level: level, bytes: Array(buf[(bit / 8 - base)...]),
                                    firstBit: bit % 8, bits: (base + buf.count) * 8 - bit, endsInput: true, blockCRC: 0, byteOffset: bit / 8)
                        guard submit(j) else { return }
                        return
                    }
                    let magic = bits(bit, 48)
                    if magic == Self.endMagic {
                        guard submit(Job(index: index, kind: .streamEnd(storedCRC: UInt32(bits(bit + 48, 32))), stream: stream, byteOffset: bit / 8)) else { return }
                        index += 1
                        byte = (bit + 80 + 7) / 8
                        stream += 1
                        break
                    }
                    guard magic == Self.blockMagic else {
                        // Not a block where one must start: the piece from here is damaged.
                        let j = Job(index: index, kind: .block, stream: stream, level: level, bytes: Array(buf[(bit / 8 - base)...]),
                                    firstBit: bit % 8, bits: (base + buf.count) * 8 - bit, endsInput: true, blockCRC: 0, byteOffset: bit / 8)
                        _ = submit(j)
                        return
                    }
                    let crc = UInt32(bits(bit + 48, 32))
                    let found = try findMagic(from: bit + 80)
                    let endBit = found?.bit ?? (base + buf.count) * 8
                    let j = Job(index: index, kind: .block, stream: stream, level: level,
                                bytes: Array(buf[(bit / 8 - base)..<((endBit + 7) / 8 - base)]), firstBit: bit % 8, bits: endBit - bit,
                                endsInput: found == nil || found!.end, blockCRC: crc, byteOffset: bit / 8)
                    j.closesStream = found?.end ?? false
                    guard submit(j) else { return }
                    index += 1
                    discard(before: endBit / 8)
                    if found == nil { return }
                    bit = endBit
                }
                discard(before: byte)
            }
        }
    }
}

extension ArchiveError {
    /// The error with its decompressed offset set to `delivered`.
    func offsetBy(_ delivered: Int) -> ArchiveError {
        var e = self
        e.offset = delivered
        return e
    }
}
