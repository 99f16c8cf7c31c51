extension ByteOutput {
    /// Puts a literal's bytes. The formatter's fixed texts (labels, element
    /// letters, origins, `0.0.0.0`, `::ffff:`) are `StaticString`s returned by
    /// switches and computed properties: constant memory, never retained,
    /// never initialised lazily. As `[UInt8]` tables built at run time their
    /// reference counts were updated by every worker thread of a dump for
    /// every line (a cache line passed from core to core: in some runs the
    /// dump on 2 cores spent 60 % more CPU time than on one), and as tables
    /// built once behind a global each use paid the lazy-initialisation call
    /// (2.5 % of a dump's time).
    @inline(__always)
    public mutating func put(_ text: StaticString) {
        text.withUTF8Buffer { put($0) }
    }
}
