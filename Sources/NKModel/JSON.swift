import Foundation
import MRT

/// A JSON value with ordered keys, written the same way every time: the one
/// JSON writer of nkwatch's documents (classification, timeline, report,
/// ingest summary, the store's scope). Strings are escaped by
/// `JSONObjectWriter.appendString`, which the decoder's JSON lines use too.
public indirect enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    /// A number written with at most `decimals` decimals (trailing zeros dropped).
    case number(Double, decimals: Int)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool { a.compact() == b.compact() }

    public static func int(_ v: Int) -> JSON { .int(Int64(v)) }
    public static func strings(_ vs: [String]) -> JSON { .array(vs.map { .string($0) }) }
    public static func optional(_ v: JSON?) -> JSON { v ?? .null }

    /// Pretty-printed with two-space indents and a final newline.
    public func text() -> String {
        var out: [UInt8] = []
        write(to: &out, indent: 0)
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    /// One line, no spaces, no newline.
    public func compact() -> String {
        var out: [UInt8] = []
        write(to: &out, indent: nil)
        return String(decoding: out, as: UTF8.self)
    }

    func write(to out: inout [UInt8], indent: Int?) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .int(let i): appendDecimal(i, to: &out)
        case .number(let d, let decimals):
            out += Array(Self.format(d, decimals: decimals).utf8)
        case .string(let s): JSONObjectWriter.appendString(s, to: &out)
        case .array(let xs):
            if xs.isEmpty { out += Array("[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (i, x) in xs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, indent.map { $0 + 1 })
                x.write(to: &out, indent: indent.map { $0 + 1 })
            }
            Self.newline(&out, indent)
            out.append(UInt8(ascii: "]"))
        case .object(let kvs):
            if kvs.isEmpty { out += Array("{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in kvs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, indent.map { $0 + 1 })
                JSONObjectWriter.appendString(k, to: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                v.write(to: &out, indent: indent.map { $0 + 1 })
            }
            Self.newline(&out, indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    static func newline(_ out: inout [UInt8], _ indent: Int?) {
        guard let n = indent else { return }
        out.append(UInt8(ascii: "\n"))
        out += repeatElement(UInt8(ascii: " "), count: 2 * n)
    }

    /// `%.Nf`, trailing zeros and a trailing point dropped, `-0` as `0`,
    /// NaN and infinities as `null`.
    static func format(_ d: Double, decimals: Int) -> String {
        if d.isNaN || d.isInfinite { return "null" }
        var s = String(format: "%.\(decimals)f", d)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }
}

extension JSON {
    /// Reads a JSON document into plain values (`[String: Any]`, `[Any]`,
    /// `String`, `NSNumber`, `NSNull`), for checks of documents nkwatch wrote.
    public static func parse(_ data: Data) throws -> Any {
        try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }
}
