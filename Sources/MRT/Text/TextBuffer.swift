/// Where text output goes, byte by byte or in runs: `[UInt8]` for tests and
/// small strings, `TextBuffer` for the output of whole dumps.
public protocol ByteOutput {
    var count: Int { get }
    mutating func put(_ byte: UInt8)
    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>)
    /// Lets `body` write up to `maxCount` bytes in place; it returns how
    /// many it wrote. (Digits and addresses go straight into the buffer.)
    mutating func put(upTo maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int)
}

extension ByteOutput {
    @inline(__always)
    public mutating func put(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { put($0) } }
    @inline(__always)
    public mutating func put(_ other: TextBuffer) { put(other.written) }
}

extension Array: ByteOutput where Element == UInt8 {
    @inline(__always)
    public mutating func put(_ byte: UInt8) { append(byte) }
    @inline(__always)
    public mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
    @inline(__always)
    public mutating func put(upTo maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxCount) { buf in
            let n = body(buf.baseAddress!)
            append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<n]))
        }
    }
}

/// A growable output buffer over raw memory: appending a byte is a bounds
/// check and a store, where `[UInt8].append` also checks uniqueness and goes
/// through the generic sequence machinery for runs (profiles of `dump` showed
/// that as its largest single cost).
///
/// Use it in place (`inout`): copies share one memory block.
public struct TextBuffer: ByteOutput {
    final class Storage {
        let base: UnsafeMutablePointer<UInt8>
        init(capacity: Int) { base = .allocate(capacity: capacity) }
        deinit { base.deallocate() }
    }

    private var storage: Storage
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    public private(set) var count = 0

    public init(capacity: Int = 1 << 17) {
        let c = max(capacity, 64)
        storage = Storage(capacity: c)
        base = storage.base
        self.capacity = c
    }

    public var isEmpty: Bool { count == 0 }

    @inline(__always)
    public mutating func put(_ byte: UInt8) {
        if count == capacity { grow(count + 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    public mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let src = bytes.baseAddress else { return }
        if count + bytes.count > capacity { grow(count + bytes.count) }
        (base + count).update(from: src, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    public mutating func put(upTo maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        if count + maxCount > capacity { grow(count + maxCount) }
        count += body(base + count)
    }

    @inline(never)
    private mutating func grow(_ needed: Int) {
        let c = max(needed, capacity * 2)
        let bigger = Storage(capacity: c)
        bigger.base.update(from: base, count: count)
        storage = bigger
        base = bigger.base
        capacity = c
    }

    public mutating func removeAll() { count = 0 }

    /// The bytes written so far, valid until the next change.
    public var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// The bytes as an array (tests).
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
