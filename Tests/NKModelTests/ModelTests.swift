import Foundation
import MRT
import NKModel
import Testing

@Suite("The shared vocabulary")
struct ModelTests {
    @Test("timestamps: ISO, prose, parsing with microseconds, before 1970")
    func timestamps() {
        let t = Timestamp(seconds: 1_419_264_900)
        #expect(t.iso == "2014-12-22T16:15:00Z")
        #expect(t.prose == "2014-12-22 16:15 UTC")
        #expect(t.hhmm == "16:15")
        #expect(t.archiveName == "20141222.1615")
        #expect(Timestamp(parsing: "2014-12-22T16:15Z") == t)
        #expect(Timestamp(parsing: "2014-12-22 16:15:00") == t)
        #expect(Timestamp(parsing: "2014-12-22T16:15:00+00:00") == t)
        #expect(Timestamp(parsing: "1419264900") == t)
        #expect(Timestamp(parsing: "2014-12-22T16:15:00.25Z") == Timestamp(microseconds: 1_419_264_900_250_000))
        #expect(Timestamp(parsing: "2014-12-22") == Timestamp(seconds: 1_419_206_400))
        for bad in ["2014-02-30", "2014-13-01", "2014-12-22T24:00", "2014-12-22T16:15:00.1234567Z", "yesterday", "2014-1-2", ""] {
            #expect(Timestamp(parsing: bad) == nil, "\(bad)")
        }
        #expect(Timestamp(microseconds: -1).seconds == -1)
        #expect(Timestamp(seconds: -86400).iso == "1969-12-31T00:00:00Z")
        #expect(Timestamp(parsing: "2016-02-29")?.iso == "2016-02-29T00:00:00Z")
    }

    @Test("ISO text and archive names agree with Foundation's ISO 8601 formatter from 1583 to 9999, and round-trip through parsing from year 0")
    func isoAgainstFoundation() {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        var g = SystemRandomNumberGenerator()
        // 1583-01-01 to 9999-12-31 (Foundation counts days of the Julian
        // calendar before October 1582), every 433rd second of 2014-12-22,
        // and random instants.
        let edges: [Int64] = [-12_212_553_600, -1, 0, 59, 86_399, 86_400, 951_782_399, 951_782_400, 1_419_264_900, 4_102_444_800, 253_402_300_799]
        let instants = edges + (0..<200).map { 1_419_206_400 + $0 * 433 } + (0..<5000).map { _ in Int64.random(in: -12_212_553_600...253_402_300_799, using: &g) }
        for s in instants {
            let t = Timestamp(seconds: s)
            let expected = f.string(from: Date(timeIntervalSince1970: TimeInterval(s)))
            #expect(t.iso == expected, "\(s)")
            #expect(t.archiveName == expected.prefix(10).replacingOccurrences(of: "-", with: "") + "." + expected.dropFirst(11).prefix(5).replacingOccurrences(of: ":", with: ""), "\(s)")
            #expect(Timestamp(parsing: t.iso) == t, "\(s)")
        }
        for s in [Int64(-62_167_219_200), -62_135_596_800, -30_000_000_000] {
            #expect(Timestamp(parsing: Timestamp(seconds: s).iso) == Timestamp(seconds: s), "\(s)")
        }
        #expect(Timestamp(seconds: -62_167_219_200).iso == "0000-01-01T00:00:00Z")
        // Outside four-digit years the text is still made (the old way), not trapped on.
        #expect(Timestamp(seconds: 253_402_300_800).iso == "10000-01-01T00:00:00Z")
    }

    @Test("durations: parse, compact and prose")
    func durations() {
        #expect(DurationText.parse("90s") == 90)
        #expect(DurationText.parse("5m") == 300)
        #expect(DurationText.parse("2h") == 7200)
        #expect(DurationText.parse("1d") == 86400)
        #expect(DurationText.parse("300") == 300)
        #expect(DurationText.parse("m") == nil && DurationText.parse("-5m") == nil && DurationText.parse("5x") == nil && DurationText.parse("") == nil)
        #expect([300, 21600, 90, 86400, 0].map { DurationText.compact($0) } == ["5m", "6h", "90s", "1d", "0s"])
        #expect(DurationText.prose(34_200) == "9 h 30 min")
        #expect(DurationText.prose(2700) == "45 min")
        #expect(DurationText.prose(30) == "30 s")
        #expect(DurationText.prose(5 * 86400 + 7200) == "5 d 2 h")
    }

    @Test("session changes: only leaving or entering Established counts")
    func sessions() {
        let p = Peer(collector: "rrc00", ip: IPAddress("193.0.0.1")!, asn: 1299)
        let t = Timestamp(seconds: 0)
        #expect(SessionChange(time: t, peer: p, old: .established, new: .idle).isDown)
        #expect(SessionChange(time: t, peer: p, old: .openConfirm, new: .established).isUp)
        // FRR's Clearing (7) and Deleted (8) after a collision: not a session change.
        #expect(!SessionChange(time: t, peer: p, old: .idle, new: BGPState(rawValue: 8)).isDown)
        #expect(!SessionChange(time: t, peer: p, old: .active, new: BGPState(rawValue: 8)).isUp)
        #expect(SessionChange(time: t, peer: p, old: .established, new: BGPState(rawValue: 7)).isDown)
    }

    @Test("the scope's JSON: snake_case keys, slashes unescaped, read back equal")
    func scopeJSON() throws {
        let s = Scope(prefixes: [Prefix("175.45.176.0/22")!, Prefix("2001:db8::/32")!], originASNs: [131279, 1], country: "KP")
        let text = s.json.compact()
        #expect(text == #"{"country":"KP","origin_asns":[1,131279],"prefixes":["175.45.176.0/22","2001:db8::/32"]}"#)
        #expect(try Scope(json: text) == s)
        #expect(throws: Scope.FormatError.self) { try Scope(json: "[1]") }
        #expect(throws: Scope.FormatError.self) { try Scope(json: #"{"prefixes":["x"]}"#) }
    }

    @Test("JSON: ordered keys, escapes, numbers with fixed decimals")
    func json() {
        let j = JSON.object([("b", .int(2)), ("a", .string("x\"\\\n\u{1}/")), ("n", .number(0.125, decimals: 2)), ("z", .number(-0.0001, decimals: 2)),
                             ("nan", .number(.nan, decimals: 1)), ("l", .array([])), ("o", .object([])), ("t", .bool(true)), ("null", .null)])
        #expect(j.compact() == #"{"b":2,"a":"x\"\\\n\u0001/","n":0.12,"z":0,"nan":null,"l":[],"o":{},"t":true,"null":null}"#)
        #expect(JSON.object([("a", .array([.int(1)]))]).text() == "{\n  \"a\": [\n    1\n  ]\n}\n")
    }

    @Test("element kinds: one spelling, bgpdump's")
    func kinds() {
        #expect(ElementKind.allCases.map(\.letter) == ["B", "A", "W", "STATE"])
        #expect(ElementKind(letter: "B") == .rib && ElementKind(letter: "R") == nil)
    }

    @Test("gaps between covered intervals, and after the last one")
    func gaps() {
        func iv(_ a: Int64, _ b: Int64) -> CollectorInterval { CollectorInterval(collector: "c", start: Timestamp(seconds: a), end: Timestamp(seconds: b)) }
        let g = CollectorInterval.gaps(collector: "c", covered: [iv(300, 600), iv(0, 300), iv(900, 1200), iv(1000, 1100)], until: Timestamp(seconds: 1500))
        #expect(g == [iv(600, 900), iv(1200, 1500)])
        #expect(CollectorInterval.gaps(collector: "c", covered: [], until: Timestamp(seconds: 10)).isEmpty)
    }

    @Test("update cadence: learned from the files' spacing (RIS's 15 minutes of 2002 too), else the project's; a file covers its name's time plus it")
    func cadence() {
        let ris2002 = (0..<6).map { 1_027_377_480 + Int64($0) * 900 }
        #expect(UpdateCadence.learn(fileTimes: ris2002, projectInterval: 300) == 900)
        // A missing file does not change the cadence; two files alone give the project's.
        #expect(UpdateCadence.learn(fileTimes: [0, 600, 1200, 2400, 3000], projectInterval: nil) == 600)
        #expect(UpdateCadence.learn(fileTimes: [0, 3600], projectInterval: 900) == 900)
        #expect(UpdateCadence.learn(fileTimes: [0, 3600], projectInterval: nil) == 3600)
        #expect(UpdateCadence.learn(fileTimes: [0], projectInterval: nil) == nil)
        #expect(UpdateCadence.learn(fileTimes: [0, 0, 300, 300, 600], projectInterval: nil) == 300)
        #expect(UpdateCadence.coverageEnd(fileTime: 600, lastTime: 650, complete: true, cadence: 600, stored: 651) == 1200)
        #expect(UpdateCadence.coverageEnd(fileTime: 600, lastTime: 1300, complete: true, cadence: 600, stored: 1301) == 1301)
        #expect(UpdateCadence.coverageEnd(fileTime: 600, lastTime: 650, complete: false, cadence: 600, stored: 651) == 651)
        #expect(UpdateCadence.coverageEnd(fileTime: nil, lastTime: 650, complete: true, cadence: 600, stored: 651) == 651)
    }
}
