import CFastCRC
import CZlib
import NKArchive
import Testing

/// The zlib build checks each gzip member's CRC-32 and length itself (zlib
/// inflates without checking): the same bytes, errors and offsets as zlib's
/// own checks, wherever the trailer falls in the input buffer.
@Suite("gzip member checks")
struct GzipCheckTests {
    /// Compressible bytes that are not all alike.
    static func plain(_ count: Int, seed: UInt32) -> [UInt8] {
        var x = seed | 1
        return (0..<count).map { i in
            x ^= x << 13; x ^= x >> 17; x ^= x << 5
            return i % 7 == 0 ? UInt8(truncatingIfNeeded: x) : UInt8(truncatingIfNeeded: i / 11)
        }
    }

    static func zlibCRC(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { UInt32(crc32_z(0, $0.baseAddress?.assumingMemoryBound(to: Bytef.self), $0.count)) }
    }

    @Test("nk_crc32 equals zlib's crc32 at every length to 600 and every alignment, whole and continued, with and without PCLMULQDQ")
    func crcEqualsZlib() {
        let bytes = Self.plain(4096, seed: 7)
        var mismatches: [String] = []
        for length in 0...600 {
            for offset in [0, 1, 5, 15] {
                let slice = bytes[offset..<(offset + length)]
                let expected = Self.zlibCRC(slice)
                let (fast, table) = slice.withUnsafeBytes { (nk_crc32(0, $0.baseAddress, $0.count), nk_crc32_table(0, $0.baseAddress, $0.count)) }
                // In two pieces, continuing from the first piece's CRC.
                let cut = offset + length / 3
                let first = bytes[offset..<cut].withUnsafeBytes { nk_crc32(0, $0.baseAddress, $0.count) }
                let both = bytes[cut..<(offset + length)].withUnsafeBytes { nk_crc32(first, $0.baseAddress, $0.count) }
                if fast != expected || table != expected || both != expected { mismatches.append("length \(length) offset \(offset)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        let big = Self.plain(3 << 20, seed: 11)
        #expect(big.withUnsafeBytes { nk_crc32(0, $0.baseAddress, $0.count) } == Self.zlibCRC(big[...]))
    }

    /// Reads `bytes` through an ArchiveStream with a `bufferSize`-byte input
    /// buffer: the bytes delivered and the error, if any.
    static func read(_ bytes: [UInt8], bufferSize: Int) -> ([UInt8], ArchiveError?) {
        var out: [UInt8] = []
        do {
            let stream = try ArchiveStream(bytes: bytes, bufferSize: bufferSize)
            var chunk = [UInt8](repeating: 0, count: 4093)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try stream.read(into: $0) }
                if n == 0 { return (out, nil) }
                out += chunk[0..<n]
            }
        } catch let e as ArchiveError {
            return (out, e)
        } catch {
            return (out, ArchiveError(.readFailed, "\(error)"))
        }
    }

    @Test("a wrong CRC-32 or ISIZE in either member: every byte before it, then the error at zlib's offsets, for input buffers of 2 to 20 bytes and 64 KiB",
          arguments: Array(2...20) + [64 << 10])
    func damagedTrailers(bufferSize: Int) throws {
        let a = Self.plain(9_000, seed: 3), b = Self.plain(7_000, seed: 5)
        let one = try Compressor.compress(a, as: .gzip), two = try Compressor.compress(b, as: .gzip)
        // Clean: both members, nothing else.
        let (clean, none) = Self.read(one + two, bufferSize: bufferSize)
        #expect(clean == a + b && none == nil)

        func flipped(_ member: [UInt8], fromEnd: Int) -> [UInt8] {
            var m = member
            m[m.count - fromEnd] ^= 0x10
            return m
        }
        // A wrong CRC in the first member: zlib stops after the CRC, before ISIZE.
        let (crcOut, crcError) = Self.read(flipped(one, fromEnd: 7) + two, bufferSize: bufferSize)
        #expect(crcOut == a)
        #expect(crcError?.code == .damagedStream && crcError?.offset == a.count && crcError?.compressedOffset == one.count - 4)
        #expect(crcError?.detail.hasSuffix("incorrect data check") == true, "\(String(describing: crcError))")
        // A wrong ISIZE: after the whole trailer.
        let (lenOut, lenError) = Self.read(flipped(one, fromEnd: 3) + two, bufferSize: bufferSize)
        #expect(lenOut == a)
        #expect(lenError?.code == .damagedStream && lenError?.offset == a.count && lenError?.compressedOffset == one.count)
        #expect(lenError?.detail.hasSuffix("incorrect length check") == true, "\(String(describing: lenError))")
        // A wrong CRC in the second member: both members' bytes first.
        let (secondOut, secondError) = Self.read(one + flipped(two, fromEnd: 8), bufferSize: bufferSize)
        #expect(secondOut == a + b)
        #expect(secondError?.offset == a.count + b.count && secondError?.compressedOffset == one.count + two.count - 4)
        #expect(secondError?.detail.hasSuffix("incorrect data check") == true)
    }

    @Test("a member with a header CRC (FHCRC) is zlib's to check: a right one reads, a wrong one is a header crc mismatch")
    func headerCRC() throws {
        let a = Self.plain(20_000, seed: 9)
        let member = try Compressor.compress(a, as: .gzip)
        var header: [UInt8] = Array(member[0..<10])
        header[3] |= 0x02
        let hcrc = UInt16(truncatingIfNeeded: Self.zlibCRC(header[...]))
        let good = header + [UInt8(hcrc & 0xFF), UInt8(hcrc >> 8)] + member[10...]
        let bad = header + [UInt8(hcrc & 0xFF) ^ 1, UInt8(hcrc >> 8)] + member[10...]
        #expect(Self.read(good, bufferSize: 64 << 10).0 == a)
        #expect(Self.read(good, bufferSize: 64 << 10).1 == nil)
        let (badOut, badError) = Self.read(bad, bufferSize: 64 << 10)
        #expect(badOut.isEmpty && badError?.detail.hasSuffix("header crc mismatch") == true, "\(String(describing: badError))")
        // And its data CRC is still checked (by zlib).
        var wrongData = good
        wrongData[wrongData.count - 8] ^= 1
        let (_, dataError) = Self.read(wrongData, bufferSize: 64 << 10)
        #expect(dataError?.detail.hasSuffix("incorrect data check") == true && dataError?.compressedOffset == good.count - 4)
    }
}
