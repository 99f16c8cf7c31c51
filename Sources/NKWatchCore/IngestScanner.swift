import MRT

/// The fast path of ingest: reads a framed record's bytes in place, without
/// building any value, and settles the records that hold nothing in scope —
/// nearly all of them, for a country-sized scope. For those it needs only how
/// many elements the record makes (and, for RIB entries, the peer each belongs
/// to). Anything else — a prefix or an origin AS in scope, a session state
/// change, damage of any kind, a type it does not know — it leaves to the full
/// decoder, which then sees the record exactly as it would without the fast
/// path. Tests check that both paths store the same things.
struct IngestScanner {
    enum Outcome {
        /// Not settled: decode the record in full.
        case decode
        /// An UPDATE or another BGP message with nothing in scope: its elements.
        case message(elements: Int)
        /// RIB entries with nothing in scope; each was counted with `countRIB`.
        case rib(elements: Int)
    }

    let prefixes: PrefixSet
    /// Scope origin ASNs, sorted; a record holding any of them anywhere in its
    /// AS paths is left to the decoder.
    let asns: [UInt32]
    let asnSet: Set<UInt32>

    init(prefixes: PrefixSet, originASNs: Set<UInt32>) {
        self.prefixes = prefixes
        self.asns = originASNs.sorted()
        self.asnSet = originASNs
    }

    /// Reads `view`; for RIB records, `countRIB(peerIndex, isIPv4)` is called
    /// once per entry, and only when the whole record is settled.
    func scan(_ view: RawRecordView, peerCount: Int?, countRIB: (Int, Bool) -> Void) -> Outcome {
        let body = view.body
        guard let base = body.baseAddress else { return .decode }
        var r = Cursor(base: base, end: body.count)
        switch view.header.type {
        case .bgp4mp, .bgp4mpET:
            return scanBGP4MP(&r, subtype: view.header.subtype)
        case .tableDumpV2:
            guard let peers = peerCount else { return .decode }
            return scanRIB(&r, subtype: view.header.subtype, peerCount: peers, countRIB: countRIB)
        default:
            return .decode
        }
    }

    // MARK: BGP4MP messages

    private func scanBGP4MP(_ r: inout Cursor, subtype: UInt16) -> Outcome {
        typealias S = BGP4MPSubtype
        let as4: Bool
        switch subtype {
        case S.message, S.messageLocal, S.messageAddPath, S.messageLocalAddPath: as4 = false
        case S.messageAS4, S.messageAS4Local, S.messageAS4AddPath, S.messageAS4LocalAddPath: as4 = true
        default: return .decode
        }
        let addPath = subtype >= S.messageAddPath
        // Peer AS, local AS, interface index, AFI, peer and local addresses.
        guard r.skip(as4 ? 10 : 6), let afi = r.u16() else { return .decode }
        switch afi {
        case 1: guard r.skip(8) else { return .decode }
        case 2: guard r.skip(32) else { return .decode }
        default: return .decode
        }
        // The BGP message must fill the rest of the record exactly.
        guard r.remaining >= 19, r.isMarker() else { return .decode }
        _ = r.skip(16)
        guard let length = r.u16(), let type = r.u8(), length >= 19, length - 19 == r.remaining else { return .decode }
        switch type {
        case 2: break
        case 4: return r.remaining == 0 ? .message(elements: 0) : .decode
        default: return .decode
        }
        // UPDATE: withdrawn routes, path attributes, NLRI.
        guard let wlen = r.u16(), var withdrawn = r.slice(wlen) else { return .decode }
        guard let w = prefixList(&withdrawn, ipv6: false, addPath: addPath) else { return .decode }
        guard let alen = r.u16(), var attrs = r.slice(alen) else { return .decode }
        guard let mp = attributes(&attrs, asnLength: as4 ? 4 : 2, addPath: addPath, inRIB: false) else { return .decode }
        guard let a = prefixList(&r, ipv6: false, addPath: addPath) else { return .decode }
        return .message(elements: w + mp + a)
    }

    // MARK: TABLE_DUMP_V2 RIB records

    private func scanRIB(_ r: inout Cursor, subtype: UInt16, peerCount: Int, countRIB: (Int, Bool) -> Void) -> Outcome {
        typealias S = TableDumpV2Subtype
        let ipv6: Bool
        switch subtype {
        case S.ribIPv4Unicast, S.ribIPv4Multicast, S.ribIPv4UnicastAddPath, S.ribIPv4MulticastAddPath: ipv6 = false
        case S.ribIPv6Unicast, S.ribIPv6Multicast, S.ribIPv6UnicastAddPath, S.ribIPv6MulticastAddPath: ipv6 = true
        default: return .decode
        }
        let addPath = subtype >= S.ribIPv4UnicastAddPath
        guard r.skip(4), let inScope = prefix(&r, ipv6: ipv6), !inScope else { return .decode }
        guard let count = r.u16() else { return .decode }
        // First pass: everything must read cleanly and nothing be in scope.
        let start = r
        for _ in 0..<count {
            guard let peer = r.u16(), peer < peerCount, r.skip(addPath ? 8 : 4),
                  let alen = r.u16(), var attrs = r.slice(alen),
                  attributes(&attrs, asnLength: 4, addPath: false, inRIB: true) != nil else { return .decode }
        }
        guard r.remaining == 0 else { return .decode }
        // Second pass: count.
        r = start
        for _ in 0..<count {
            let peer = r.u16() ?? 0
            _ = r.skip(addPath ? 8 : 4)
            _ = r.skip(r.u16() ?? 0)
            countRIB(peer, !ipv6)
        }
        return .rib(elements: count)
    }

    // MARK: Parts

    /// Walks a path attribute block as the decoder's partial decoding does.
    /// Returns the number of multiprotocol prefixes, or nil when the block is
    /// damaged, repeats a reachability attribute, holds a scope prefix or a
    /// scope AS, or has something only the full decoder should judge.
    private func attributes(_ r: inout Cursor, asnLength: Int, addPath: Bool, inRIB: Bool) -> Int? {
        var seen: UInt32 = 0
        var mpPrefixes = 0
        while r.remaining > 0 {
            guard let flags = r.u8(), let type = r.u8(),
                  let length = flags & 0x10 != 0 ? r.u16() : r.u8(),
                  var v = r.slice(length) else { return nil }
            let bit: UInt32
            switch type {
            case 2: bit = 1
            case 3: bit = 2
            case 14: bit = 4
            case 15: bit = 8
            case 17: bit = 16
            default: continue
            }
            if seen & bit != 0 { return nil }
            seen |= bit
            switch type {
            case 2:
                guard asPathIsClear(&v, asnLength: asnLength) else { return nil }
            case 17:
                guard asPathIsClear(&v, asnLength: 4) else { return nil }
            case 14:
                if inRIB {
                    // Only the abbreviated RIB form (next-hop length first) is settled here.
                    guard let first = v.peek(), first != 0 else { return nil }
                    continue
                }
                guard let afi = v.u16(), let safi = v.u8(), let nhLen = v.u8(), v.remaining >= nhLen + 1 else { return nil }
                _ = v.skip(nhLen)
                var snpas = v.u8() ?? 0
                while snpas > 0 {
                    guard let l = v.u8(), v.skip((l + 1) / 2) else { return nil }
                    snpas -= 1
                }
                if (afi == 1 || afi == 2) && safi >= 1 && safi <= 3 {
                    guard let n = prefixList(&v, ipv6: afi == 2, addPath: addPath) else { return nil }
                    mpPrefixes += n
                }
            case 15:
                if inRIB { return nil }
                guard let afi = v.u16(), let safi = v.u8() else { return nil }
                if (afi == 1 || afi == 2) && safi >= 1 && safi <= 3 {
                    guard let n = prefixList(&v, ipv6: afi == 2, addPath: addPath) else { return nil }
                    mpPrefixes += n
                }
            default:
                // NEXT_HOP: whatever it holds, it changes no element count.
                break
            }
        }
        return mpPrefixes
    }

    /// True when the AS path reads cleanly and holds no scope AS.
    private func asPathIsClear(_ r: inout Cursor, asnLength: Int) -> Bool {
        while r.remaining > 0 {
            guard let type = r.u8(), type >= 1 && type <= 4, let n = r.u8(), r.remaining >= n * asnLength else { return false }
            if asns.isEmpty {
                _ = r.skip(n * asnLength)
                continue
            }
            for _ in 0..<n {
                let asn = asnLength == 4 ? r.u32Unchecked() : UInt32(r.u16Unchecked())
                if holdsScopeASN(asn) { return false }
            }
        }
        return true
    }

    @inline(__always)
    private func holdsScopeASN(_ asn: UInt32) -> Bool {
        if asns.count <= 8 {
            for a in asns where a == asn { return true }
            return false
        }
        return asnSet.contains(asn)
    }

    /// Counts the prefixes of an NLRI list that reads cleanly to its end and
    /// holds nothing in scope; nil otherwise.
    private func prefixList(_ r: inout Cursor, ipv6: Bool, addPath: Bool) -> Int? {
        var n = 0
        while r.remaining > 0 {
            if addPath { guard r.skip(4) else { return nil } }
            guard let inScope = prefix(&r, ipv6: ipv6), !inScope else { return nil }
            n += 1
        }
        return n
    }

    /// Reads one prefix; nil when it is damaged, else whether it overlaps the scope.
    @inline(__always)
    private func prefix(_ r: inout Cursor, ipv6: Bool) -> Bool? {
        guard let bits = r.u8(), bits <= (ipv6 ? 128 : 32) else { return nil }
        let nbytes = (bits + 7) / 8
        guard r.remaining >= nbytes else { return nil }
        if ipv6 {
            var hi: UInt64 = 0, lo: UInt64 = 0
            for i in 0..<nbytes {
                let b = UInt64(r.byte(i))
                if i < 8 { hi |= b << UInt64(56 - 8 * i) } else { lo |= b << UInt64(56 - 8 * (i - 8)) }
            }
            _ = r.skip(nbytes)
            return prefixes.overlapsIPv6(hi: hi, lo: lo, length: bits)
        }
        var v: UInt32 = 0
        for i in 0..<nbytes { v |= UInt32(r.byte(i)) << UInt32(24 - 8 * i) }
        _ = r.skip(nbytes)
        return prefixes.overlapsIPv4(v, length: bits)
    }
}

/// A bounds-checked read position over borrowed bytes.
struct Cursor {
    let base: UnsafeRawPointer
    var position = 0
    var end: Int

    init(base: UnsafeRawPointer, end: Int) {
        self.base = base
        self.end = end
    }

    @inline(__always) var remaining: Int { end - position }

    @inline(__always) mutating func skip(_ n: Int) -> Bool {
        guard n <= remaining else { return false }
        position += n
        return true
    }

    @inline(__always) func byte(_ i: Int) -> UInt8 { base.load(fromByteOffset: position + i, as: UInt8.self) }

    @inline(__always) func peek() -> UInt8? { remaining >= 1 ? byte(0) : nil }

    @inline(__always) mutating func u8() -> Int? {
        guard remaining >= 1 else { return nil }
        position += 1
        return Int(base.load(fromByteOffset: position - 1, as: UInt8.self))
    }

    @inline(__always) mutating func u16() -> Int? {
        guard remaining >= 2 else { return nil }
        return Int(u16Unchecked())
    }

    @inline(__always) mutating func u16Unchecked() -> UInt16 {
        let v = UInt16(byte(0)) << 8 | UInt16(byte(1))
        position += 2
        return v
    }

    @inline(__always) mutating func u32Unchecked() -> UInt32 {
        let v = UInt32(byte(0)) << 24 | UInt32(byte(1)) << 16 | UInt32(byte(2)) << 8 | UInt32(byte(3))
        position += 4
        return v
    }

    /// The 16-byte BGP marker, all ones.
    @inline(__always) func isMarker() -> Bool {
        base.loadUnaligned(fromByteOffset: position, as: UInt64.self) == UInt64.max
            && base.loadUnaligned(fromByteOffset: position + 8, as: UInt64.self) == UInt64.max
    }

    /// The next `n` bytes as a cursor of their own, skipped here.
    @inline(__always) mutating func slice(_ n: Int) -> Cursor? {
        guard n <= remaining else { return nil }
        var c = Cursor(base: base, end: position + n)
        c.position = position
        position += n
        return c
    }
}
