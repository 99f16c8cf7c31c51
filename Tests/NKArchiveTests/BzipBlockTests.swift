import CBZip2
import CFastBzip2
import Foundation
import NKArchive
import Testing

/// nkwatch's bzip2 block decoder (Sources/CFastBzip2) against libbz2: every
/// block of streams libbz2 wrote decodes to libbz2's bytes, and a block it
/// must leave to libbz2 (randomised, cut, damaged, with bits to spare) is
/// refused rather than decoded wrongly.
@Suite struct BzipBlockTests {
    /// `data` compressed by libbz2 with block size `level`.
    static func compress(_ data: [UInt8], level: Int32) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: data.count + data.count / 50 + 1000)
        var len = UInt32(out.count)
        var input = data
        let r = input.withUnsafeMutableBytes { i in
            out.withUnsafeMutableBytes { o in
                BZ2_bzBuffToBuffCompress(o.baseAddress!.assumingMemoryBound(to: CChar.self), &len,
                                         i.baseAddress?.assumingMemoryBound(to: CChar.self), UInt32(data.count), level, 0, 0)
            }
        }
        precondition(r == BZ_OK)
        return Array(out.prefix(Int(len)))
    }

    /// The bit positions of the block magics and the end-of-stream magic.
    static func marks(_ z: [UInt8]) -> (blocks: [Int], end: Int) {
        var blocks: [Int] = []
        var w: UInt64 = 0
        for bit in 0..<(z.count * 8) {
            w = (w << 1 | UInt64(z[bit / 8] >> (7 - UInt8(bit % 8)) & 1)) & 0xFFFF_FFFF_FFFF
            guard bit >= 47 else { continue }
            if w == 0x3141_5926_5359 { blocks.append(bit - 47) }
            if w == 0x1772_4538_5090 { return (blocks, bit - 47) }
        }
        return (blocks, z.count * 8)
    }

    /// The block's bytes when the decoder takes it and its CRC matches, else nil.
    static func decode(_ d: ParallelBzip2Source.FastDecoder, _ z: [UInt8], from: Int, to: Int, level: Int32, capacity: Int? = nil) -> [UInt8]? {
        z.withUnsafeBufferPointer { d.decode($0, firstBit: from, bits: to - from, level: Int(level), capacity: capacity) }
    }

    /// Inputs of the shapes that exercise each step: runs of every length
    /// (the run-length step's counts up to 251 and the long RUNA/RUNB runs of
    /// the move-to-front step), all 256 byte values, one byte value, text,
    /// noise, repetitions; blocks below and above the size where the
    /// transform is walked in several chains (16 384 bytes).
    static func shapes() -> [(String, [UInt8])] {
        var rng = SystemRandomNumberGenerator()
        var runs: [UInt8] = []
        for len in 1...600 { runs += [UInt8](repeating: UInt8(truncatingIfNeeded: len * 7), count: len) }
        let noise = (0..<400_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var text: [UInt8] = []
        while text.count < 700_000 { text += Array("prefix 175.45.176.0/24 via AS131279 peer 203.0.113.\(text.count % 251) |".utf8) }
        // A block that repeats a string has as many cycles through its rows
        // as repetitions: the walk goes round the start's cycle again.
        let pair = [UInt8]((0..<150_000).flatMap { _ in [0x61, 0x62] as [UInt8] })
        let period = (0..<997).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let repeated = [UInt8]((0..<300).flatMap { _ in period })
        let mixed = (0..<300_000).map { i in i % 1000 < 300 ? 0 : UInt8(truncatingIfNeeded: (i * 2654435761) >> 13) }
        return [
            ("one byte", [0x41]),
            ("four equal", [9, 9, 9, 9]),
            ("five equal", [9, 9, 9, 9, 9]),
            ("all values", (0...255).map(UInt8.init) + (0...255).reversed().map(UInt8.init)),
            ("runs", runs),
            ("zeros", [UInt8](repeating: 0, count: 2_000_000)),
            ("noise", noise),
            ("text", text),
            ("mixed", mixed),
            ("repeated pair", pair),
            ("repeated 997 bytes", repeated),
        ]
    }

    @Test("every block of libbz2's streams, at every block size, decodes to libbz2's bytes with a matching CRC")
    func blocksMatchLibbz2() throws {
        let d = ParallelBzip2Source.FastDecoder()
        var blocksSeen = 0
        for (name, data) in Self.shapes() {
            for level in [1, 2, 5, 9] as [Int32] {
                let z = Self.compress(data, level: level)
                let (blocks, end) = Self.marks(z)
                #expect(!blocks.isEmpty, "\(name) level \(level)")
                var out: [UInt8] = []
                for (k, start) in blocks.enumerated() {
                    let stop = k + 1 < blocks.count ? blocks[k + 1] : end
                    guard let bytes = Self.decode(d, z, from: start, to: stop, level: level) else {
                        Issue.record("\(name) level \(level): block \(k) refused")
                        break
                    }
                    out += bytes
                    blocksSeen += 1
                }
                // (Compared first: a failed expectation would print both arrays.)
                let same = out == data
                #expect(same, "\(name) level \(level): \(out.count) bytes, expected \(data.count)")
            }
        }
        // Noise and text fill several 100k blocks at level 1.
        #expect(blocksSeen > 40)
    }

    @Test("the output is written only when it fits: a small buffer gets the length needed")
    func outputCapacity() throws {
        let d = try #require(nk_bz2_decoder_new())
        defer { nk_bz2_decoder_free(d) }
        // Zeros: runs of four and a count of 251, five bytes for every 255.
        let data = [UInt8](repeating: 0, count: 300_000)
        let z = Self.compress(data, level: 9)
        let (blocks, end) = Self.marks(z)
        #expect(blocks.count == 1)
        let r = z.withUnsafeBufferPointer { nk_bz2_decode(d, $0.baseAddress, $0.count, UInt64(blocks[0]), UInt64(end - blocks[0]), 9) }
        #expect(r == 0)
        // 300 000 zeros are 1 176 runs of 255 and a last of 120, five bytes each.
        #expect(nk_bz2_block_length(d) == 1_176 * 5 + 5)
        var small = [UInt8](repeating: 0xEE, count: 1000)
        var crc: UInt32 = 0
        let need = nk_bz2_output(d, &small, small.count, &crc)
        #expect(need == 300_000)
        let retried = Self.decode(ParallelBzip2Source.FastDecoder(), z, from: blocks[0], to: end, level: 9, capacity: 10) == data
        #expect(retried)
    }

    @Test("blocks left to libbz2: randomised, cut short, with bits to spare, with a wrong block size, damaged anywhere")
    func refusals() throws {
        let d = ParallelBzip2Source.FastDecoder()
        var text: [UInt8] = []
        while text.count < 200_000 { text += Array("AS\(text.count % 9973) 10.\(text.count % 251).0.0/16\n".utf8) }
        let z = Self.compress(text, level: 9)
        let (blocks, end) = Self.marks(z)
        let start = try #require(blocks.first)
        let whole = Self.decode(d, z, from: start, to: end, level: 9) == text
        #expect(whole)
        // The randomised flag (the bit after the magic and the CRC).
        var rand = z
        let flag = start + 80
        rand[flag / 8] |= 0x80 >> UInt8(flag % 8)
        #expect(Self.decode(d, rand, from: start, to: end, level: 9) == nil)
        // The piece ends before the block does, or runs past it.
        #expect(Self.decode(d, z, from: start, to: end - 1, level: 9) == nil)
        #expect(Self.decode(d, z, from: start, to: end + 1, level: 9) == nil)
        #expect(Self.decode(d, z, from: start + 1, to: end, level: 9) == nil)
        // 200 000 bytes do not fit a block of size 1 (100 000).
        #expect(Self.decode(d, z, from: start, to: end, level: 1) == nil)
        // A bit flipped anywhere: refused, or decoded with a CRC that does not
        // match (so refused here) — never the wrong bytes accepted. The header
        // CRC's own bits are skipped (a flipped stored CRC is caught by the
        // caller, which compares with the splitter's copy).
        var refused = 0
        for bit in stride(from: start + 81, to: end, by: 151) {
            var bad = z
            bad[bit / 8] ^= 0x80 >> UInt8(bit % 8)
            if let out = Self.decode(d, bad, from: start, to: end, level: 9) {
                let same = out == text
                #expect(same, "bit \(bit)")
            } else {
                refused += 1
            }
        }
        #expect(refused > 100)
        // A piece whose bytes end before its bits do is refused, not read past.
        let cut = Array(z.prefix(z.count / 2))
        #expect(Self.decode(d, cut, from: start, to: end, level: 9) == nil)
    }

    @Test("bzip2's CRC by eight bytes at a time equals the bit-at-a-time definition at every length and alignment")
    func crc() {
        func reference(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for b in bytes {
                c ^= UInt32(b) << 24
                for _ in 0..<8 { c = c & 0x8000_0000 != 0 ? (c << 1) ^ 0x04C1_1DB7 : c << 1 }
            }
            return ~c
        }
        let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        // "123456789" is bzip2's check value 0xFC891918.
        #expect(~nk_bz2_crc_update(0xFFFF_FFFF, Array("123456789".utf8), 9) == 0xFC89_1918)
        for offset in 0..<9 {
            for len in 0..<(data.count - offset) {
                let slice = data[offset..<(offset + len)]
                let fast = slice.withUnsafeBufferPointer { ~nk_bz2_crc_update(0xFFFF_FFFF, $0.baseAddress, len) }
                #expect(fast == reference(slice), "offset \(offset) length \(len)")
            }
        }
    }
}
