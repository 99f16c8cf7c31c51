#if canImport(Glibc)
import Glibc
#endif

/// File names are bytes on Linux, not always UTF-8. nkwatch carries a path in
/// a `String` that stands for its bytes exactly: UTF-8 as it is, and each byte
/// of a name that is not UTF-8 as the scalar U+10FF00 + byte (plane 16's
/// private use area, which real names do not use). Every system call gets the
/// original bytes back; messages show such bytes as `\xNN`.
public enum PathBytes {
    static let base: UInt32 = 0x10_FF00

    /// The path a name's raw bytes stand for.
    public static func string<C: Collection<UInt8>>(_ bytes: C) -> String {
        // Almost every name: ASCII, which is as it is.
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var it = bytes.makeIterator()
        var pending: [UInt8] = []
        func flushInvalid() {
            for b in pending { scalars.append(Unicode.Scalar(base + UInt32(b))!) }
            pending.removeAll()
        }
        // Decode UTF-8 byte by byte; bytes that do not form valid UTF-8 are kept as themselves.
        var buffer: [UInt8] = []
        while let b = it.next() { buffer.append(b) }
        var i = 0
        while i < buffer.count {
            let b = buffer[i]
            let width = b < 0x80 ? 1 : b >> 5 == 0b110 ? 2 : b >> 4 == 0b1110 ? 3 : b >> 3 == 0b11110 ? 4 : 0
            if width > 0, i + width <= buffer.count, let s = decode(buffer[i..<(i + width)]) {
                flushInvalid()
                scalars.append(s)
                i += width
            } else {
                pending.append(b)
                i += 1
            }
        }
        flushInvalid()
        return String(scalars)
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> Unicode.Scalar? {
        var it = bytes.makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let s) = decoder.decode(&it), it.next() == nil else { return nil }
        // A scalar in the range that stands for raw bytes is itself kept as bytes.
        return s.value >= base && s.value <= base + 0xFF ? nil : s
    }

    /// True when `path` may hold a scalar standing for a raw byte (its UTF-8
    /// has a 0xF4, which starts the encoding of every scalar of that range);
    /// false for nearly every path, whose bytes are then its UTF-8.
    static func stands(_ path: String) -> Bool {
        path.utf8.withContiguousStorageIfAvailable { $0.contains(0xF4) } ?? path.utf8.contains(0xF4)
    }

    /// The bytes `path` stands for, without a terminating zero.
    public static func bytes(_ path: String) -> [UInt8] {
        if !stands(path) { return Array(path.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count)
        for s in path.unicodeScalars {
            if s.value >= base && s.value <= base + 0xFF {
                out.append(UInt8(s.value - base))
            } else {
                out.append(contentsOf: String(s).utf8)
            }
        }
        return out
    }

    /// Calls `body` with the path as a C string of its original bytes.
    public static func withCString<R>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        if !stands(path) { return try path.withCString(body) }
        var b = bytes(path).map { CChar(bitPattern: $0) }
        b.append(0)
        return try b.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// The path for messages: bytes that are not UTF-8 written `\xNN`.
    public static func display(_ path: String) -> String {
        var out = ""
        for s in path.unicodeScalars {
            if s.value >= base && s.value <= base + 0xFF {
                let b = s.value - base
                out += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16)
            } else {
                out.unicodeScalars.append(s)
            }
        }
        return out
    }
}
