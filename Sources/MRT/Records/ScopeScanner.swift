/// The fast path of a scoped read: looks at a framed record's bytes in place,
/// without building any value, and settles the records that hold nothing in
/// scope — nearly all of them, for a country-sized scope. For those it needs
/// only how many elements the record makes (and, for RIB entries, the peer
/// each belongs to). Anything else — a prefix or an origin AS in scope, a
/// session state change, damage of any kind, a type it does not know — it
/// leaves to `MRTDecoder`, which then sees the record exactly as it would
/// without the fast path. It reads the wire with the decoder's `ByteReader`
/// and the same named codes, so a new attribute or address family is taught
/// in one place; `FastPathTests` check that both paths store the same.
public struct ScopeScanner: Sendable {
    public enum Outcome: Equatable, Sendable {
        /// Not settled: decode the record in full.
        case decode
        /// An UPDATE or KEEPALIVE with nothing in scope: the elements it makes.
        case message(elements: Int)
        /// RIB entries with nothing in scope; each was counted with `countRIB`.
        case rib(elements: Int)
        /// A TABLE_DUMP (v1) entry with nothing in scope: one RIB element of this peer.
        case tableDump(peerIP: IPAddress, peerASN: UInt32, ipv4: Bool)
    }

    public let prefixes: PrefixSet
    /// Scope origin ASNs, sorted; a record holding any of them anywhere in its
    /// AS paths is left to the decoder.
    let asns: [UInt32]
    let asnSet: Set<UInt32>

    public init(prefixes: PrefixSet, originASNs: Set<UInt32>) {
        self.prefixes = prefixes
        self.asns = originASNs.sorted()
        self.asnSet = originASNs
    }

    /// Reads `view`; for RIB records, `countRIB(peerIndex, afi)` is called
    /// once per entry, and only when the whole record is settled.
    /// `peerCount` is the size of the current PEER_INDEX_TABLE (nil before one).
    public func scan(_ view: RawRecordView, peerCount: Int?, countRIB: (Int, AFI) -> Void) -> Outcome {
        var r = ByteReader(view.body, baseOffset: view.bodyOffset)
        switch view.header.type {
        case .bgp4mp, .bgp4mpET:
            guard let form = BGP4MPSubtype.messageForm(view.header.subtype) else { return .decode }
            return scanMessage(&r, form: form)
        case .tableDumpV2:
            guard let peers = peerCount, let form = TableDumpV2Subtype.ribForm(view.header.subtype) else { return .decode }
            return scanRIB(&r, form: form, peerCount: peers, countRIB: countRIB)
        case .tableDump:
            switch view.header.subtype {
            case TableDumpSubtype.afiIPv4: return scanTableDump(&r, afi: .ipv4)
            case TableDumpSubtype.afiIPv6: return scanTableDump(&r, afi: .ipv6)
            default: return .decode
            }
        default:
            return .decode
        }
    }

    // MARK: BGP4MP messages

    private func scanMessage(_ r: inout ByteReader, form: BGP4MPSubtype.MessageForm) -> Outcome {
        // Peer AS, local AS, interface index, AFI, peer and local addresses.
        guard r.skip(form.asnLength * 2 + 2), let afiRaw = r.readUInt16() else { return .decode }
        switch AFI(rawValue: afiRaw) {
        case .ipv4: guard r.skip(8) else { return .decode }
        case .ipv6: guard r.skip(32) else { return .decode }
        default: return .decode
        }
        // The BGP message must fill the rest of the record exactly.
        guard r.atBGPMarker(), r.skip(16), let length = r.readUInt16(), let type = r.readUInt8(),
              length >= 19, Int(length) - 19 == r.remaining else { return .decode }
        switch type {
        case BGPMessageType.update: break
        case BGPMessageType.keepalive: return r.isAtEnd ? .message(elements: 0) : .decode
        default: return .decode
        }
        // UPDATE (RFC 4271 §4.3): withdrawn routes, path attributes, NLRI.
        guard let wlen = r.readUInt16(), var withdrawn = r.readSlice(Int(wlen)),
              let w = prefixCount(&withdrawn, afi: .ipv4, addPath: form.addPath),
              let alen = r.readUInt16(), var attrs = r.readSlice(Int(alen)),
              let mp = attributes(&attrs, asnLength: form.asnLength, addPath: form.addPath, inRIB: false),
              let a = prefixCount(&r, afi: .ipv4, addPath: form.addPath) else { return .decode }
        return .message(elements: w + mp + a)
    }

    // MARK: TABLE_DUMP_V2 RIB records

    private func scanRIB(_ r: inout ByteReader, form: TableDumpV2Subtype.RIBForm, peerCount: Int, countRIB: (Int, AFI) -> Void) -> Outcome {
        guard r.skip(4), let inScope = prefix(&r, afi: form.afi), !inScope, let count = r.readUInt16() else { return .decode }
        // First pass: every entry must read cleanly and hold nothing in scope.
        let entries = r
        for _ in 0..<count {
            guard let peer = r.readUInt16(), Int(peer) < peerCount, r.skip(form.addPath ? 8 : 4),
                  let alen = r.readUInt16(), var attrs = r.readSlice(Int(alen)),
                  attributes(&attrs, asnLength: 4, addPath: false, inRIB: true) != nil else { return .decode }
        }
        guard r.isAtEnd else { return .decode }
        // Second pass: count each entry for its peer.
        r = entries
        for _ in 0..<count {
            let peer = r.readUInt16() ?? 0
            _ = r.skip(form.addPath ? 8 : 4)
            _ = r.skip(Int(r.readUInt16() ?? 0))
            countRIB(Int(peer), form.afi)
        }
        return .rib(elements: Int(count))
    }

    // MARK: TABLE_DUMP (v1) entries

    /// One entry (RFC 6396 §4.2): view, sequence, prefix, length, status,
    /// originated time, peer address and AS, attributes (2-byte AS numbers).
    private func scanTableDump(_ r: inout ByteReader, afi: AFI) -> Outcome {
        let ipv6 = afi == .ipv6
        guard r.skip(4) else { return .decode }
        let inScope: Bool
        if ipv6 {
            guard let hi = r.readUInt64(), let lo = r.readUInt64(), let bits = r.readUInt8(), bits <= 128 else { return .decode }
            let (mh, ml) = bits == 0 ? (UInt64(0), UInt64(0)) : bits <= 64 ? (~UInt64(0) << (64 - UInt64(bits)), UInt64(0))
                : (~UInt64(0), bits == 128 ? ~UInt64(0) : ~UInt64(0) << (128 - UInt64(bits)))
            inScope = prefixes.overlapsIPv6(hi: hi & mh, lo: lo & ml, length: Int(bits))
        } else {
            guard let v = r.readUInt32(), let bits = r.readUInt8(), bits <= 32 else { return .decode }
            inScope = prefixes.overlapsIPv4(bits == 0 ? 0 : v & (~UInt32(0) << (32 - UInt32(bits))), length: Int(bits))
        }
        guard !inScope, r.skip(5) else { return .decode }
        let peerIP: IPAddress
        if ipv6 {
            guard let hi = r.readUInt64(), let lo = r.readUInt64() else { return .decode }
            peerIP = .v6(hi, lo)
        } else {
            guard let v = r.readUInt32() else { return .decode }
            peerIP = .v4(v)
        }
        guard let peerAS = r.readUInt16(), let alen = r.readUInt16(), var attrs = r.readSlice(Int(alen)), r.isAtEnd,
              attributes(&attrs, asnLength: 2, addPath: false, inRIB: true) != nil else { return .decode }
        return .tableDump(peerIP: peerIP, peerASN: UInt32(peerAS), ipv4: !ipv6)
    }

    // MARK: Parts

    /// Walks a path attribute block as the decoder's partial decoding does.
    /// Returns the number of multiprotocol prefixes, or nil when the block is
    /// damaged, repeats a reachability attribute, holds a scope prefix or a
    /// scope AS, or has something only the full decoder should judge.
    private func attributes(_ r: inout ByteReader, asnLength: Int, addPath: Bool, inRIB: Bool) -> Int? {
        var seen: UInt8 = 0
        var mpPrefixes = 0
        while !r.isAtEnd {
            guard let flags = r.readUInt8(), let code = r.readUInt8(),
                  let length = flags & AttributeFlags.extendedLength != 0 ? r.readUInt16().map(Int.init) : r.readUInt8().map(Int.init),
                  var v = r.readSlice(length) else { return nil }
            let type = AttributeType(rawValue: code)
            let bit = type.reachabilityBit
            if bit == 0 { continue }
            // A repeated reachability attribute is the decoder's to judge (RFC 7606 §3 g).
            if seen & bit != 0 { return nil }
            seen |= bit
            switch type {
            case .asPath:
                guard asPathIsClear(&v, asnLength: asnLength) else { return nil }
            case .as4Path:
                guard asPathIsClear(&v, asnLength: 4) else { return nil }
            case .mpReachNLRI:
                if inRIB {
                    // Only the abbreviated RIB form (next-hop length first, RFC 6396 §4.3.4) is settled here.
                    guard let first = v.peek(), first != 0 else { return nil }
                    continue
                }
                guard let afiRaw = v.readUInt16(), let safiRaw = v.readUInt8(), let nhLen = v.readUInt8(),
                      v.remaining >= Int(nhLen) + 1, v.skip(Int(nhLen)), var snpas = v.readUInt8() else { return nil }
                while snpas > 0 {
                    guard let l = v.readUInt8(), v.skip((Int(l) + 1) / 2) else { return nil }
                    snpas -= 1
                }
                let afi = AFI(rawValue: afiRaw)
                if afi.isIP && SAFI(rawValue: safiRaw).isPrefixList {
                    guard let n = prefixCount(&v, afi: afi, addPath: addPath) else { return nil }
                    mpPrefixes += n
                }
            case .mpUnreachNLRI:
                if inRIB { return nil }
                guard let afiRaw = v.readUInt16(), let safiRaw = v.readUInt8() else { return nil }
                let afi = AFI(rawValue: afiRaw)
                if afi.isIP && SAFI(rawValue: safiRaw).isPrefixList {
                    guard let n = prefixCount(&v, afi: afi, addPath: addPath) else { return nil }
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
    private func asPathIsClear(_ r: inout ByteReader, asnLength: Int) -> Bool {
        while !r.isAtEnd {
            guard let type = r.readUInt8(), ASPathSegmentType(rawValue: type).isKnown, let n = r.readUInt8(),
                  r.remaining >= Int(n) * asnLength else { return false }
            if asns.isEmpty {
                _ = r.skip(Int(n) * asnLength)
                continue
            }
            for _ in 0..<n {
                let asn = asnLength == 4 ? (r.readUInt32() ?? 0) : UInt32(r.readUInt16() ?? 0)
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
    ///
    /// Without ADD-PATH, a /0 is left to the decoder too: it is what the plain
    /// reading of ADD-PATH NLRI (BIRD's, under the plain subtypes) gives for a
    /// path identifier below 2^24, and the decoder then reads the message as
    /// the session sent it.
    private func prefixCount(_ r: inout ByteReader, afi: AFI, addPath: Bool) -> Int? {
        guard let base = r.bytes.baseAddress else { return 0 }
        // A cursor over the raw bytes: one load per address, no optionals.
        // Bytes loaded past a prefix's length are masked off by the overlap
        // test, which looks only at the first `length` bits.
        let end = r.bytes.count
        var p = r.position, n = 0
        let ipv6 = afi == .ipv6
        while p < end {
            if addPath {
                p += 4
                guard p < end else { return nil }
            }
            let bits = Int(base.load(fromByteOffset: p, as: UInt8.self))
            if !addPath && bits == 0 { return nil }
            let nbytes = (bits + 7) >> 3
            guard end - p - 1 >= nbytes else { return nil }
            let inScope: Bool
            if ipv6 {
                guard bits <= 128 else { return nil }
                var hi: UInt64 = 0, lo: UInt64 = 0
                if end - p > 16 {
                    hi = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: p + 1, as: UInt64.self))
                    lo = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: p + 9, as: UInt64.self))
                } else {
                    for i in 0..<nbytes {
                        let b = UInt64(base.load(fromByteOffset: p + 1 + i, as: UInt8.self))
                        if i < 8 { hi |= b << UInt64(56 - 8 * i) } else { lo |= b << UInt64(56 - 8 * (i - 8)) }
                    }
                }
                inScope = prefixes.overlapsIPv6(hi: hi, lo: lo, length: bits)
            } else {
                guard bits <= 32 else { return nil }
                var v: UInt32 = 0
                if end - p > 4 {
                    v = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: p + 1, as: UInt32.self))
                } else {
                    for i in 0..<nbytes { v |= UInt32(base.load(fromByteOffset: p + 1 + i, as: UInt8.self)) << UInt32(24 - 8 * i) }
                }
                inScope = prefixes.overlapsIPv4(v, length: bits)
            }
            if inScope { return nil }
            p += 1 + nbytes
            n += 1
        }
        _ = r.skip(p - r.position)
        return n
    }

    /// Reads one prefix (RFC 4271 §4.3 encoding); nil when it is damaged,
    /// else whether it overlaps the scope.
    @inline(__always)
    private func prefix(_ r: inout ByteReader, afi: AFI) -> Bool? {
        let ipv6 = afi == .ipv6
        guard let bits = r.readUInt8(), bits <= (ipv6 ? 128 : 32) else { return nil }
        let nbytes = (Int(bits) + 7) / 8
        guard r.remaining >= nbytes else { return nil }
        if ipv6 {
            var hi: UInt64 = 0, lo: UInt64 = 0
            for i in 0..<nbytes {
                let b = UInt64(r.peek(i) ?? 0)
                if i < 8 { hi |= b << UInt64(56 - 8 * i) } else { lo |= b << UInt64(56 - 8 * (i - 8)) }
            }
            _ = r.skip(nbytes)
            return prefixes.overlapsIPv6(hi: hi, lo: lo, length: Int(bits))
        }
        var v: UInt32 = 0
        for i in 0..<nbytes { v |= UInt32(r.peek(i) ?? 0) << UInt32(24 - 8 * i) }
        _ = r.skip(nbytes)
        return prefixes.overlapsIPv4(v, length: Int(bits))
    }
}
