#if canImport(Glibc)
import Glibc
#endif
import MRT

/// A file's route events, in the order they were added. The first
/// `memoryLimit` are kept in memory; past that they are written, compactly
/// encoded, to an unlinked temporary file and read back in order when the
/// list is walked, so that a file with millions of in-scope events costs the
/// same memory as one with thousands.
///
/// A value type over shared storage: copies share the events (a list is
/// filled once, by one reader, then only walked).
public struct RouteEventList: Sequence, Sendable, Equatable {
    final class Storage: @unchecked Sendable {
        var memory: [RouteEvent] = []
        var spill: Int32 = -1
        var spilled = 0
        var peers: [Peer] = []
        var peerIndex: [Peer: UInt32] = [:]
        var buffer: [UInt8] = []
        var failure: String?
        deinit { if spill >= 0 { close(spill) } }
    }

    let storage = Storage()
    /// Events kept in memory before the rest goes to a temporary file.
    public let memoryLimit: Int

    public init(memoryLimit: Int = 65_536) { self.memoryLimit = memoryLimit }

    public init(_ events: [RouteEvent]) {
        self.init()
        for e in events { append(e) }
    }

    public var count: Int { storage.memory.count + storage.spilled }
    public var isEmpty: Bool { count == 0 }
    /// Set when the temporary file could not be written (a full disk): the
    /// list is then incomplete and must not be stored.
    public var failure: String? { storage.failure }

    public func append(_ e: RouteEvent) {
        let s = storage
        if s.spill < 0 && s.memory.count < memoryLimit {
            s.memory.append(e)
            return
        }
        if s.spill < 0 && !openSpill() { return }
        encode(e)
        s.spilled += 1
        if s.buffer.count >= 1 << 20 { flush() }
    }

    // MARK: The temporary file

    func openSpill() -> Bool {
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((dir + "/nkwatch-events-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            storage.failure = "cannot create a temporary file in \(dir): \(String(cString: strerror(errno)))"
            return false
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        storage.spill = fd
        return true
    }

    func flush() {
        let s = storage
        guard s.spill >= 0, !s.buffer.isEmpty, s.failure == nil else { return }
        s.buffer.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = write(s.spill, b.baseAddress! + off, b.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    s.failure = "cannot write a temporary file: \(String(cString: strerror(errno)))"
                    return
                }
                off += n
            }
        }
        s.buffer.removeAll(keepingCapacity: true)
    }

    func encode(_ e: RouteEvent) {
        let s = storage
        let p: UInt32
        if let i = s.peerIndex[e.peer] { p = i } else {
            p = UInt32(s.peers.count)
            s.peers.append(e.peer)
            s.peerIndex[e.peer] = p
        }
        var w = Writer(out: s.buffer)
        s.buffer = []
        w.u64(UInt64(bitPattern: e.time.microseconds))
        w.u32(p)
        w.u8(e.kind.rawValue)
        w.address(e.prefix.address)
        w.u8(e.prefix.length)
        w.u8(e.originASN == nil ? 0 : 1)
        w.u32(e.originASN ?? 0)
        if let hop = e.nextHop { w.u8(1); w.address(hop) } else { w.u8(0) }
        if let path = e.asPath {
            let bytes = Array(path.utf8)
            w.u32(UInt32(bytes.count) + 1)
            w.out += bytes
        } else {
            w.u32(0)
        }
        s.buffer = w.out
    }

    struct Writer {
        var out: [UInt8]
        mutating func u8(_ v: UInt8) { out.append(v) }
        mutating func u32(_ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
        mutating func u64(_ v: UInt64) { u32(UInt32(truncatingIfNeeded: v >> 32)); u32(UInt32(truncatingIfNeeded: v)) }
        mutating func address(_ a: IPAddress) {
            switch a {
            case .v4(let x): u8(4); u32(x)
            case .v6(let hi, let lo): u8(6); u64(hi); u64(lo)
            }
        }
    }

    // MARK: Walking

    public func makeIterator() -> Iterator {
        flush()
        return Iterator(storage: storage)
    }

    public struct Iterator: IteratorProtocol {
        let storage: Storage
        var index = 0
        var offset: off_t = 0
        var chunk: [UInt8] = []
        var position = 0

        init(storage: Storage) { self.storage = storage }

        public mutating func next() -> RouteEvent? {
            if index < storage.memory.count {
                defer { index += 1 }
                return storage.memory[index]
            }
            guard index < storage.memory.count + storage.spilled, storage.spill >= 0 else { return nil }
            index += 1
            return decode()
        }

        mutating func need(_ n: Int) -> Bool {
            if chunk.count - position >= n { return true }
            chunk.removeFirst(position)
            position = 0
            var more = [UInt8](repeating: 0, count: Swift.max(n, 1 << 20))
            let got = more.withUnsafeMutableBytes { pread(storage.spill, $0.baseAddress!, $0.count, offset) }
            guard got > 0 else { return chunk.count >= n }
            offset += off_t(got)
            chunk += more[0..<got]
            return chunk.count - position >= n
        }

        mutating func u8() -> UInt8? {
            guard need(1) else { return nil }
            defer { position += 1 }
            return chunk[position]
        }

        mutating func u32() -> UInt32? {
            guard need(4) else { return nil }
            defer { position += 4 }
            return UInt32(chunk[position]) << 24 | UInt32(chunk[position + 1]) << 16 | UInt32(chunk[position + 2]) << 8 | UInt32(chunk[position + 3])
        }

        mutating func u64() -> UInt64? {
            guard let hi = u32(), let lo = u32() else { return nil }
            return UInt64(hi) << 32 | UInt64(lo)
        }

        mutating func address() -> IPAddress? {
            switch u8() {
            case 4: return u32().map { .v4($0) }
            case 6: guard let hi = u64(), let lo = u64() else { return nil }; return .v6(hi, lo)
            default: return nil
            }
        }

        mutating func decode() -> RouteEvent? {
            guard let t = u64(), let p = u32(), Int(p) < storage.peers.count, let k = u8(), let kind = ElementKind(rawValue: k),
                  let a = address(), let len = u8(), let prefix = Prefix(address: a, length: len),
                  let hasOrigin = u8(), let origin = u32(), let hasHop = u8() else { return nil }
            var hop: IPAddress? = nil
            if hasHop == 1 { hop = address() }
            guard let pathLength = u32() else { return nil }
            var path: String? = nil
            if pathLength > 0 {
                let n = Int(pathLength) - 1
                guard need(n) else { return nil }
                path = String(decoding: chunk[position..<(position + n)], as: UTF8.self)
                position += n
            }
            return RouteEvent(time: Timestamp(microseconds: Int64(bitPattern: t)), peer: storage.peers[Int(p)], kind: kind, prefix: prefix,
                              asPath: path, originASN: hasOrigin == 1 ? origin : nil, nextHop: hop)
        }
    }

    public static func == (a: RouteEventList, b: RouteEventList) -> Bool {
        a.count == b.count && a.elementsEqual(b)
    }

    /// The events in memory (all of them, unless the list spilled).
    public var array: [RouteEvent] { Array(self) }
}
