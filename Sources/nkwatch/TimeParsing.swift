import NKAnalysis

/// UTC time and duration parsing for the command line.
enum TimeParsing {
    /// Seconds since the epoch for `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS][Z]`, or epoch seconds.
    static func parseTime(_ s: String) -> Int64? { UTCTime.parse(s) }

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
