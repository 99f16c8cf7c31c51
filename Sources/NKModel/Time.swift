/// A moment in UTC, in microseconds since the Unix epoch: the resolution of
/// MRT's extended-timestamp records (RFC 6396 §3). Every layer speaks this
/// type for times; seconds appear only at the edges (MRT headers, file names,
/// SQLite columns named `*_s` or without a unit, as docs/store.md says).
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }
    public init(seconds: Int64) { self.microseconds = seconds * 1_000_000 }
    public init(seconds: UInt32, microseconds: UInt32 = 0) {
        self.microseconds = Int64(seconds) * 1_000_000 + Int64(microseconds)
    }

    /// Whole seconds, rounded down (also before 1970).
    public var seconds: Int64 { Self.floorDiv(microseconds, 1_000_000) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(microseconds: microseconds + seconds * 1_000_000) }
    public func adding(microseconds us: Int64) -> Timestamp { Timestamp(microseconds: microseconds + us) }

    /// Seconds from `self` to `later` (negative when `later` is earlier).
    public func seconds(until later: Timestamp) -> Double { Double(later.microseconds - microseconds) / 1e6 }

    /// `2014-12-22T16:15:00Z` (whole seconds).
    public var iso: String {
        let (y, m, d, rem) = civil
        guard (0...9999).contains(y) else {
            return "\(Self.four(y))-\(Self.two(m))-\(Self.two(d))T\(Self.two(rem / 3600)):\(Self.two(rem % 3600 / 60)):\(Self.two(rem % 60))Z"
        }
        // Written as bytes: interpolating six padded numbers made a string
        // for each (5 000 instructions a time; one per file ingested).
        return String(unsafeUninitializedCapacity: 20) { b in
            Self.put(y, 4, b, 0); b[4] = UInt8(ascii: "-"); Self.put(m, 2, b, 5); b[7] = UInt8(ascii: "-"); Self.put(d, 2, b, 8)
            b[10] = UInt8(ascii: "T"); Self.put(rem / 3600, 2, b, 11); b[13] = UInt8(ascii: ":"); Self.put(rem % 3600 / 60, 2, b, 14)
            b[16] = UInt8(ascii: ":"); Self.put(rem % 60, 2, b, 17); b[19] = UInt8(ascii: "Z")
            return 20
        }
    }

    /// Year, month, day and the seconds into the day.
    var civil: (year: Int64, month: Int64, day: Int64, second: Int64) {
        let s = seconds
        let days = Self.floorDiv(s, 86400)
        let (y, m, d) = UTCCalendar.civil(fromDays: days)
        return (y, m, d, s - days * 86400)
    }

    /// `v` (at least 0) as `width` decimal digits, zero-padded, at `b[at...]`.
    @inline(__always)
    static func put(_ v: Int64, _ width: Int, _ b: UnsafeMutableBufferPointer<UInt8>, _ at: Int) {
        var v = v
        for i in stride(from: at + width - 1, through: at, by: -1) {
            b[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
        }
    }

    /// `2014-12-22 16:15 UTC`, for prose.
    public var prose: String {
        let i = iso
        return String(i.prefix(10)) + " " + String(i.dropFirst(11).prefix(5)) + " UTC"
    }

    /// `2014-12-22 16:15:08`, for tables.
    public var tableText: String {
        let i = iso
        return String(i.prefix(10)) + " " + String(i.dropFirst(11).prefix(8))
    }

    /// `16:15`.
    public var hhmm: String { String(iso.dropFirst(11).prefix(5)) }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `22 Dec`, for headlines and chart axes.
    public var dayMonth: String {
        let i = iso
        let m = Int(i.dropFirst(5).prefix(2)) ?? 1
        return "\(Int(i.dropFirst(8).prefix(2)) ?? 1) \(Self.monthNames[max(0, min(11, m - 1))])"
    }

    /// `22 Dec 16:15 UTC`, for headlines.
    public var headlineText: String { "\(dayMonth) \(hhmm) UTC" }

    /// `22 Dec 2014`.
    public var dayMonthYear: String { "\(dayMonth) \(iso.prefix(4))" }

    /// `20141222.1615`: the time in archive file names.
    public var archiveName: String {
        let (y, m, d, rem) = civil
        guard (0...9999).contains(y) else {
            let i = iso
            return i.prefix(10).filter { $0 != "-" } + "." + i.dropFirst(11).prefix(5).filter { $0 != ":" }
        }
        return String(unsafeUninitializedCapacity: 13) { b in
            Self.put(y, 4, b, 0); Self.put(m, 2, b, 4); Self.put(d, 2, b, 6); b[8] = UInt8(ascii: ".")
            Self.put(rem / 3600, 2, b, 9); Self.put(rem % 3600 / 60, 2, b, 11)
            return 13
        }
    }

    public var description: String { iso }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|+00:00]` (a space
    /// may replace the T), or plain epoch seconds.
    public init?(parsing text: String) {
        if let v = Int64(text) { self.init(seconds: v); return }
        var t = Substring(text)
        if t.hasSuffix("Z") || t.hasSuffix("z") { t = t.dropLast() }
        if t.hasSuffix("+00:00") { t = t.dropLast(6) }
        let parts = t.split(whereSeparator: { $0 == "T" || $0 == " " || $0 == "t" })
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let d = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard d.count == 3, d[0].count == 4, d[1].count == 2, d[2].count == 2,
              let y = Int64(d[0]), let m = Int64(d[1]), let day = Int64(d[2]),
              (1...12).contains(m), (1...UTCCalendar.daysIn(month: m, year: y)).contains(day) else { return nil }
        var us: Int64 = 0
        if parts.count == 2 {
            let c = parts[1].split(separator: ":", omittingEmptySubsequences: false)
            guard c.count == 2 || c.count == 3, c[0].count == 2, c[1].count == 2,
                  let hh = Int64(c[0]), let mm = Int64(c[1]), (0...23).contains(hh), (0...59).contains(mm) else { return nil }
            us = (hh * 3600 + mm * 60) * 1_000_000
            if c.count == 3 {
                let sec = c[2].split(separator: ".", omittingEmptySubsequences: false)
                guard sec.count <= 2, sec[0].count == 2, let ss = Int64(sec[0]), (0...60).contains(ss) else { return nil }
                us += ss * 1_000_000
                if sec.count == 2 {
                    let frac = sec[1]
                    guard !frac.isEmpty, frac.count <= 6, frac.allSatisfy(\.isASCIIDigit), let f = Int64(frac) else { return nil }
                    var scaled = f
                    for _ in frac.count..<6 { scaled *= 10 }
                    us += scaled
                }
            }
        }
        self.init(microseconds: UTCCalendar.days(year: y, month: m, day: day) * 86_400_000_000 + us)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
    static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
    static func four(_ v: Int64) -> String { v < 10 ? "000\(v)" : v < 100 ? "00\(v)" : v < 1000 ? "0\(v)" : "\(v)" }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Proleptic Gregorian calendar arithmetic in UTC, without Foundation
/// (H. Hinnant's algorithms).
public enum UTCCalendar {
    /// Days since 1970-01-01.
    public static func days(year y0: Int64, month m: Int64, day d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// (year, month, day) of a day number.
    public static func civil(fromDays z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    public static func daysIn(month m: Int64, year y: Int64) -> Int64 {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// Durations as people write them: parsed from `90s`, `5m`, `2h`, `1d` (or
/// plain seconds) and written as analysts do ("9 h 30 min", "45 min", "30 s").
public enum DurationText {
    /// Seconds for `90s`, `5m`, `2h`, `1d` or a plain number of seconds; nil otherwise.
    public static func parse(_ s: String) -> Int64? {
        guard let last = s.last else { return nil }
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var number = Substring(s)
        var unit: Int64 = 1
        if let u = units[last] { unit = u; number = number.dropLast() }
        guard !number.isEmpty, number.allSatisfy(\.isASCIIDigit), let v = Int64(number), v <= Int64.max / unit else { return nil }
        return v * unit
    }

    /// The shortest form `parse` reads back: `5m`, `6h`, `90s`, `1d`.
    public static func compact(_ seconds: Int64) -> String {
        if seconds != 0 && seconds % 86400 == 0 { return "\(seconds / 86400)d" }
        if seconds != 0 && seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds != 0 && seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    /// "9 h 30 min", "45 min", "30 s", "5 d 2 h".
    public static func prose(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        let m = (s + 30) / 60
        if m < 60 { return "\(m) min" }
        let h = m / 60, mm = m % 60
        if h < 48 { return mm == 0 ? "\(h) h" : "\(h) h \(mm) min" }
        let d = h / 24, hh = h % 24
        return hh == 0 ? "\(d) d" : "\(d) d \(hh) h"
    }

    public static func prose(_ seconds: some BinaryInteger) -> String { prose(Double(seconds)) }
}
