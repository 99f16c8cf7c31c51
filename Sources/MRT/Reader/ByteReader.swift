/// A bounds-checked cursor over bytes that are never copied.
///
/// It wraps an `UnsafeRawBufferPointer` that the caller keeps alive; a reader
/// must not outlive the `withUnsafeBytes` scope that produced it. Every read
/// checks what remains first and returns nil on a short buffer without moving
/// the position; nothing traps on bad input.
public struct ByteReader {
    public let bytes: UnsafeRawBufferPointer
    /// Position within `bytes`.
    public private(set) var position: Int
    /// Absolute offset of `bytes[0]` in the enclosing stream, for error reports.
    public let baseOffset: Int

    @inline(__always)
    public init(_ bytes: UnsafeRawBufferPointer, baseOffset: Int = 0) {
        self.bytes = bytes
        self.position = 0
        self.baseOffset = baseOffset
    }

    @inline(__always) public var remaining: Int { bytes.count - position }
    @inline(__always) public var isAtEnd: Bool { position >= bytes.count }
    /// Absolute offset of the next byte.
    @inline(__always) public var offset: Int { baseOffset + position }

    @inline(__always)
    public mutating func readUInt8() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    @inline(__always)
    public mutating func readUInt16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        let v = UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
        position += 2
        return v
    }

    @inline(__always)
    public mutating func readUInt32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        let p = position
        let v = UInt32(bytes[p]) << 24 | UInt32(bytes[p + 1]) << 16 | UInt32(bytes[p + 2]) << 8 | UInt32(bytes[p + 3])
        position += 4
        return v
    }

    @inline(__always)
    public mutating func readUInt64() -> UInt64? {
        guard let hi = readUInt32(), let lo = readUInt32() else { return nil }
        return UInt64(hi) << 32 | UInt64(lo)
    }

    @inline(__always)
    public mutating func readIPv4() -> IPAddress? {
        readUInt32().map { .v4($0) }
    }

    @inline(__always)
    public mutating func readIPv6() -> IPAddress? {
        guard remaining >= 16, let hi = readUInt64(), let lo = readUInt64() else { return nil }
        return .v6(hi, lo)
    }

    /// Splits off the next `count` bytes as a reader of their own and moves past them.
    @inline(__always)
    public mutating func readSlice(_ count: Int) -> ByteReader? {
        guard count >= 0, remaining >= count else { return nil }
        let start = bytes.baseAddress.map { UnsafeRawPointer($0) + position }
        let sub = ByteReader(UnsafeRawBufferPointer(start: start, count: count), baseOffset: baseOffset + position)
        position += count
        return sub
    }

    /// Copies the next `count` bytes out.
    public mutating func readBytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, remaining >= count else { return nil }
        let out = [UInt8](bytes[position..<(position + count)])
        position += count
        return out
    }

    @inline(__always)
    public mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, remaining >= count else { return false }
        position += count
        return true
    }

    /// The bytes not read yet, copied.
    public func rest() -> [UInt8] { [UInt8](bytes[position...]) }

    /// Peeks at a byte ahead of the position without moving.
    @inline(__always)
    public func peek(_ ahead: Int = 0) -> UInt8? {
        let p = position + ahead
        guard p >= 0, p < bytes.count else { return nil }
        return bytes[p]
    }
}

extension ByteReader {
    /// True when the next 16 bytes are the all-ones BGP marker (RFC 4271 §4.1).
    @inline(__always)
    public func atBGPMarker() -> Bool {
        guard remaining >= 16, let base = bytes.baseAddress else { return false }
        return base.loadUnaligned(fromByteOffset: position, as: UInt64.self) == UInt64.max
            && base.loadUnaligned(fromByteOffset: position + 8, as: UInt64.self) == UInt64.max
    }
}
