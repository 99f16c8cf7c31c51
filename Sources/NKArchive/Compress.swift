import CBZip2
import CZlib
import MRT
import NKModel

/// Compression for written archives (the MRT writer's output, `simulate`).
public enum Compressor {
    /// Compresses `bytes` as one gzip member or one bzip2 stream.
    public static func compress(_ bytes: [UInt8], as compression: Compression, level: Int32 = 6) throws -> [UInt8] {
        switch compression {
        case .none: return bytes
        case .gzip: return try gzip(bytes, level: level)
        case .bzip2: return try bzip2(bytes, blockSize: 9)
        }
    }

    static func gzip(_ input: [UInt8], level: Int32) throws -> [UInt8] {
        let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        z.initialize(to: z_stream())
        defer { deflateEnd(z); z.deallocate() }
        // 15 + 16: write a gzip wrapper. Memory level 8 is zlib's default.
        guard deflateInit2_(z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ArchiveError(.libraryFailed, "zlib deflate could not be initialised")
        }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(z, uLong(input.count))) + 64)
        var input = input
        let produced: Int = try input.withUnsafeMutableBytes { inp in
            try out.withUnsafeMutableBytes { outp in
                z.pointee.next_in = inp.baseAddress?.assumingMemoryBound(to: Bytef.self)
                z.pointee.avail_in = uInt(inp.count)
                z.pointee.next_out = outp.baseAddress?.assumingMemoryBound(to: Bytef.self)
                z.pointee.avail_out = uInt(outp.count)
                guard deflate(z, Z_FINISH) == Z_STREAM_END else {
                    throw ArchiveError(.libraryFailed, "zlib deflate did not finish")
                }
                return outp.count - Int(z.pointee.avail_out)
            }
        }
        out.removeSubrange(produced...)
        return out
    }

    static func bzip2(_ input: [UInt8], blockSize: Int32) throws -> [UInt8] {
        var destLength = UInt32(input.count + input.count / 100 + 600)
        var out = [UInt8](repeating: 0, count: Int(destLength))
        var input = input
        let rc = input.withUnsafeMutableBytes { inp in
            out.withUnsafeMutableBytes { outp in
                BZ2_bzBuffToBuffCompress(outp.baseAddress?.assumingMemoryBound(to: CChar.self), &destLength,
                                         inp.baseAddress?.assumingMemoryBound(to: CChar.self), UInt32(inp.count),
                                         blockSize, 0, 0)
            }
        }
        guard rc == BZ_OK else { throw ArchiveError(.libraryFailed, "bzip2 compression failed (\(rc))") }
        out.removeSubrange(Int(destLength)...)
        return out
    }
}
