/// A table of values made once and kept for the life of the program, behind
/// a plain pointer: reading it, or putting its bytes into an output, retains
/// and releases nothing.
///
/// The formatters' tables (labels, digits, address prefixes) were `[UInt8]`
/// and `[[UInt8]]` globals. Every use retained and released the array's
/// buffer, and the worker threads of one dump, formatting at the same time,
/// updated the same reference counts: a cache line passed from core to core
/// for every element. In some runs that cost the dump on 2 cores 60 % more
/// CPU time than on one, for no more work.
public struct ConstantTable<Element>: RandomAccessCollection, @unchecked Sendable {
    public let base: UnsafePointer<Element>
    public let count: Int

    /// Copies `values` into memory that is never freed.
    public init(_ values: [Element]) {
        let p = UnsafeMutablePointer<Element>.allocate(capacity: Swift.max(1, values.count))
        p.initialize(from: values, count: values.count)
        base = UnsafePointer(p)
        count = values.count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    @inline(__always)
    public subscript(i: Int) -> Element {
        precondition(i >= 0 && i < count, "ConstantTable index out of range")
        return base[i]
    }

    @inline(__always)
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }
}

/// Bytes that live as long as the program (a label, a fixed piece of text).
public typealias ConstantBytes = ConstantTable<UInt8>

extension ConstantTable where Element == UInt8 {
    public init(_ text: String) { self.init(Array(text.utf8)) }
}

extension ByteOutput {
    @inline(__always)
    public mutating func put(_ bytes: ConstantBytes) { put(UnsafeBufferPointer(start: bytes.base, count: bytes.count)) }
}
