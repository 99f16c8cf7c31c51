/// UTC calendar arithmetic without Foundation.
public enum UTCTime {
    /// Days since 1970-01-01 (H. Hinnant's algorithm).
    public static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// (year, month, day) of a day number.
    public static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
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

    /// `2014-12-22T16:15:00Z`.
    public static func iso(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rem = seconds - days * 86400
        let (y, m, d) = civilFromDays(days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))T\(two(rem / 3600)):\(two(rem % 3600 / 60)):\(two(rem % 60))Z"
    }
}

extension UTCTime {
    /// `2014-12-22 16:15 UTC`, for prose.
    public static func prose(_ seconds: Int64) -> String {
        let iso = iso(seconds)
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(5)) + " UTC"
    }

    /// `16:15`.
    public static func hhmm(_ seconds: Int64) -> String { String(iso(seconds).dropFirst(11).prefix(5)) }
}

extension UTCTime {
    /// Seconds for `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS][Z]` (a space may
    /// replace the T), or plain epoch seconds.
    public static func parse(_ s: String) -> Int64? {
        if let v = Int64(s) { return v }
        var text = Substring(s)
        if text.hasSuffix("Z") || text.hasSuffix("z") { text = text.dropLast() }
        if text.hasSuffix("+00:00") { text = text.dropLast(6) }
        let parts = text.split(whereSeparator: { $0 == "T" || $0 == " " || $0 == "t" })
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let d = parts[0].split(separator: "-")
        guard d.count == 3, d[0].count == 4, let y = Int64(d[0]), let m = Int64(d[1]), let day = Int64(d[2]),
              (1...12).contains(m), (1...31).contains(day) else { return nil }
        var secs: Int64 = 0
        if parts.count == 2 {
            let t = parts[1].split(separator: ":")
            guard t.count == 2 || t.count == 3, let hh = Int64(t[0]), let mm = Int64(t[1]), (0...23).contains(hh), (0...59).contains(mm) else { return nil }
            var ss: Int64 = 0
            if t.count == 3 {
                guard let v = Double(t[2]), v >= 0, v < 61 else { return nil }
                ss = Int64(v)
            }
            secs = hh * 3600 + mm * 60 + ss
        }
        return daysFromCivil(y, m, day) * 86400 + secs
    }
}
