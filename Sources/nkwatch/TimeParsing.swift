/// UTC time and duration parsing for the command line.
enum TimeParsing {
    /// Seconds since the epoch for `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS][Z]`
    /// (a space may replace the T), or a plain integer of seconds.
    static func parseTime(_ s: String) -> Int64? {
        if let v = Int64(s) { return v }
        var text = Substring(s)
        if text.hasSuffix("Z") || text.hasSuffix("z") { text = text.dropLast() }
        if text.hasSuffix("+00:00") { text = text.dropLast(6) }
        let parts = text.split(whereSeparator: { $0 == "T" || $0 == " " || $0 == "t" })
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let d = parts[0].split(separator: "-")
        guard d.count == 3, let y = Int64(d[0]), let m = Int64(d[1]), let day = Int64(d[2]),
              (1...12).contains(m), (1...31).contains(day), d[0].count == 4 else { return nil }
        var secs: Int64 = 0
        if parts.count == 2 {
            let t = parts[1].split(separator: ":")
            guard t.count == 2 || t.count == 3, let hh = Int64(t[0]), let mm = Int64(t[1]),
                  (0...23).contains(hh), (0...59).contains(mm) else { return nil }
            var ss: Int64 = 0
            if t.count == 3 {
                guard let v = Double(t[2]), v >= 0, v < 61 else { return nil }
                ss = Int64(v)
            }
            secs = hh * 3600 + mm * 60 + ss
        }
        return daysFromCivil(y, m, day) * 86400 + secs
    }

    /// Days since 1970-01-01 (H. Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// `90s`, `5m`, `2h`, `1d`, or plain seconds.
    static func parseDuration(_ s: String) -> Int64? {
        guard let last = s.last else { return nil }
        let mult: Int64
        var num = Substring(s)
        switch last {
        case "s": mult = 1; num = num.dropLast()
        case "m": mult = 60; num = num.dropLast()
        case "h": mult = 3600; num = num.dropLast()
        case "d": mult = 86400; num = num.dropLast()
        default: mult = 1
        }
        guard let v = Int64(num), v >= 0 else { return nil }
        return v * mult
    }
}
