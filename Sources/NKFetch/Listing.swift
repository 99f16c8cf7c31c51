import NKModel

/// The links of a directory listing: the HTML index pages RouteViews and
/// RIS serve (Apache, nginx and their own styles alike): every `href`,
/// reduced to a name in that directory. Names are read from the listing,
/// never guessed: cadences changed over the years and files are missing.
public enum DirectoryListing {
    /// Entry names (files, and folders with a trailing "/"), in page order, without duplicates.
    public static func names(inHTML html: String) -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        let bytes = Array(html.utf8)
        var i = 0
        while i + 5 < bytes.count {
            // href=" or href=' (any case).
            guard (bytes[i] | 0x20) == UInt8(ascii: "h"), (bytes[i + 1] | 0x20) == UInt8(ascii: "r"), (bytes[i + 2] | 0x20) == UInt8(ascii: "e"),
                  (bytes[i + 3] | 0x20) == UInt8(ascii: "f") else { i += 1; continue }
            var j = i + 4
            while j < bytes.count && bytes[j] == UInt8(ascii: " ") { j += 1 }
            guard j < bytes.count, bytes[j] == UInt8(ascii: "=") else { i += 1; continue }
            j += 1
            while j < bytes.count && bytes[j] == UInt8(ascii: " ") { j += 1 }
            guard j < bytes.count else { break }
            let quote = bytes[j]
            let start: Int
            let end: Int
            if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                start = j + 1
                var k = start
                while k < bytes.count && bytes[k] != quote { k += 1 }
                end = k
            } else {
                start = j
                var k = start
                while k < bytes.count && bytes[k] != UInt8(ascii: " ") && bytes[k] != UInt8(ascii: ">") { k += 1 }
                end = k
            }
            i = end
            if let name = entryName(String(decoding: bytes[start..<end], as: UTF8.self)), seen.insert(name).inserted { out.append(name) }
        }
        return out
    }

    /// "updates.20141222.1615.gz" from a link to it; nil for links that leave
    /// the directory (parents, absolute URLs elsewhere, sort links).
    static func entryName(_ href: String) -> String? {
        var h = href
        if let q = h.firstIndex(where: { $0 == "?" || $0 == "#" }) { h = String(h[..<q]) }
        h = h.removingPercentEncodingLossy
        guard !h.isEmpty, h != "../", h != "..", h != "./", h != "/" else { return nil }
        if h.hasPrefix("http://") || h.hasPrefix("https://") || h.hasPrefix("/") {
            // An absolute link names an entry only by its last component.
            let trimmed = h.hasSuffix("/") ? String(h.dropLast()) : h
            guard let last = trimmed.split(separator: "/").last else { return nil }
            return String(last) + (h.hasSuffix("/") ? "/" : "")
        }
        let parts = h.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count == 1 else { return nil }
        return h
    }
}

extension String {
    /// Percent-decoding that leaves malformed escapes as they are.
    var removingPercentEncodingLossy: String {
        guard contains("%") else { return self }
        var out: [UInt8] = []
        let b = Array(utf8)
        var i = 0
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 65...70: return c - 55
            case 97...102: return c - 87
            default: return nil
            }
        }
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = hex(b[i + 1]), let l = hex(b[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
