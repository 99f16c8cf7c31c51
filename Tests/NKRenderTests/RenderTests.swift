import Foundation
import MRT
import NKAnalysis
import NKModel
import NKRender
import Testing

/// A small analysed day: ten full-feed peers, one 15-minute full outage at 06:00
/// and a 2-block outage at 18:00 for 10 minutes.
func sampleResult() throws -> AnalysisResult {
    let t0 = Timestamp(seconds: 1_419_206_400) // 2014-12-22T00:00:00Z
    let kp = (176...179).map { Prefix("175.45.\($0).0/24")! }
    var peers: [Peer] = []
    var sizes: [Peer: TableSize] = [:]
    var routes: [Peer: [Prefix: String]] = [:]
    var obs: [RouteEvent] = []
    for i in 0..<10 {
        let peer = Peer(collector: "rrc00", ip: IPAddress("10.0.0.\(i + 1)")!, asn: 3300 + UInt32(i))
        peers.append(peer)
        sizes[peer] = TableSize(ipv4: 500_000, ipv6: 20_000)
        routes[peer] = Dictionary(uniqueKeysWithValues: kp.map { ($0, "x 4837 131279") })
        for b in 0..<4 {
            obs.append(RouteEvent(time: t0.adding(seconds: 6 * 3600), peer: peer, kind: .withdraw, prefix: kp[b]))
            obs.append(RouteEvent(time: t0.adding(seconds: 6 * 3600 + 900), peer: peer, kind: .announce, prefix: kp[b], asPath: "x 4837 131279"))
        }
        for b in 1...2 {
            obs.append(RouteEvent(time: t0.adding(seconds: 18 * 3600), peer: peer, kind: .withdraw, prefix: kp[b]))
            obs.append(RouteEvent(time: t0.adding(seconds: 18 * 3600 + 600), peer: peer, kind: .announce, prefix: kp[b], asPath: "x 4837 131279"))
        }
    }
    let input = AnalysisInput(scopePrefixes: [Prefix("175.45.176.0/22")!], peers: peers, observations: obs,
                              ribs: [RIBDump(collector: "rrc00", time: t0, tableSizes: sizes, routes: routes)],
                              coverage: [CollectorInterval(collector: "rrc00", start: t0, end: t0.adding(seconds: 86_400))],
                              from: t0, to: t0.adding(seconds: 86_400))
    return try Analyzer.analyze(input)
}

let sampleSources = DataSources(store: "s.sqlite", files: 3, damagedFiles: 0, collectors: ["rrc00"], peers: 10, scope: .northKorea)

/// Compares `text` with the golden file `name` beside this source; with
/// NKWATCH_UPDATE_GOLDEN=1 in the environment, writes it instead.
func checkGolden(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
    if ProcessInfo.processInfo.environment["NKWATCH_UPDATE_GOLDEN"] == "1" {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return
    }
    let golden = try String(contentsOf: url, encoding: .utf8)
    if golden != text {
        let a = golden.split(separator: "\n", omittingEmptySubsequences: false), b = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        Issue.record("\(name) differs from its golden file at line \(line + 1): expected '\(line < a.count ? a[line] : "<end>")', got '\(line < b.count ? b[line] : "<end>")' (NKWATCH_UPDATE_GOLDEN=1 rewrites it)",
                     sourceLocation: sourceLocation)
    }
}

@Suite("Renderers")
struct RenderTests {
    @Test("classification JSON: schema, exact values, deterministic bytes")
    func classificationJSON() throws {
        let r = try sampleResult()
        let doc = ClassificationDocument.make(r, scope: .northKorea).text()
        #expect(doc == ClassificationDocument.make(try sampleResult(), scope: .northKorea).text())
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(doc.utf8)) as? [String: Any])
        #expect(obj["schema"] as? String == "nkwatch.classification/v1")
        #expect((obj["range"] as? [String: String]) == ["from": "2014-12-22T00:00:00Z", "to": "2014-12-23T00:00:00Z"])
        let params = try #require(obj["parameters"] as? [String: Any])
        #expect(params["bin_s"] as? Int == 300)
        #expect(params["visible_ratio"] as? Double == 0.5)
        #expect(params["hard_min_s"] as? Int == 3600)
        #expect(params["isolation_s"] as? Int == 21600)
        let episodes = try #require(obj["episodes"] as? [[String: Any]])
        #expect(episodes.count == 2)
        #expect(episodes[0]["start"] as? String == "2014-12-22T06:00:00Z")
        #expect(episodes[0]["end"] as? String == "2014-12-22T06:15:00Z")
        #expect(episodes[0]["duration_s"] as? Int == 900)
        #expect(episodes[0]["kind"] as? String == "full")
        #expect(episodes[0]["label"] as? String == "isolated_blip")
        #expect(episodes[0]["blocks"] as? [String] == ["175.45.176.0/24", "175.45.177.0/24", "175.45.178.0/24", "175.45.179.0/24"])
        #expect(episodes[0]["peers_down_share"] as? Double == 1)
        #expect(episodes[1]["kind"] as? String == "partial")
        #expect(episodes[1]["blocks"] as? [String] == ["175.45.177.0/24", "175.45.178.0/24"])
        #expect((obj["periods"] as? [Any])?.isEmpty == true)
        #expect((obj["verdict"] as? String)?.hasPrefix("From 2014-12-22 00:00 UTC to 2014-12-23 00:00 UTC: 2 isolated blips") == true)
        #expect(episodes[0]["ongoing"] as? Bool == false)
        #expect((episodes[1]["extent"] as? [String: Any])?["blocks_down"] as? Int == 2)
        #expect((episodes[1]["extent"] as? [String: Any])?["space_share"] as? Double == 0.5)
    }

    @Test("--expect: the same data passes; an outage moved past the tolerance fails and the diff names it")
    func expect() throws {
        let r = try sampleResult()
        let doc = ClassificationDocument.make(r, scope: .northKorea).text()
        #expect(try ExpectCheck.compare(expected: Data(doc.utf8), actual: r, tolerance: 300).isEmpty)
        let moved = doc.replacingOccurrences(of: "\"2014-12-22T06:00:00Z\"", with: "\"2014-12-22T05:40:00Z\"")
        let diffs = try ExpectCheck.compare(expected: Data(moved.utf8), actual: r, tolerance: 300)
        #expect(diffs.count == 1)
        #expect(diffs.first?.contains("isolated_blip full 2014-12-22T05:40:00Z") == true)
        #expect(diffs.first?.contains("moved") == true)
        #expect(try ExpectCheck.compare(expected: Data(moved.utf8), actual: r, tolerance: 1800).isEmpty)
        let relabeled = doc.replacingOccurrences(of: "\"label\": \"isolated_blip\"", with: "\"label\": \"hard_outage\"")
        #expect(try ExpectCheck.compare(expected: Data(relabeled.utf8), actual: r, tolerance: 300).contains { $0.contains("label is now isolated_blip") })
    }

    @Test("CSV and JSON bins hold the same values")
    func bins() throws {
        let r = try sampleResult()
        let csv = TimelineRenderer.csv(r).split(separator: "\n")
        #expect(csv.count == 1 + 288 * 4)
        #expect(csv[0] == "bin_start,block,state,visibility,down_s,known_peers,routed,announcements,withdrawals,path_changes,score_1h,score_6h,score_24h,routed_slash24")
        // 06:00 bin (72), first block: down the whole bin.
        let row = csv[1 + 72 * 4].split(separator: ",", omittingEmptySubsequences: false)
        #expect(Array(row.prefix(10)) == ["2014-12-22T06:00:00Z", "175.45.176.0/24", "down", "0.0000", "300", "10", "0", "0", "40", "0"])
        let partial = csv[1 + 216 * 4 + 1].split(separator: ",", omittingEmptySubsequences: false)
        #expect(Array(partial.prefix(7)) == ["2014-12-22T18:00:00Z", "175.45.177.0/24", "down", "0.0000", "300", "10", "2"])
        let half = csv[1 + 217 * 4 + 1].split(separator: ",", omittingEmptySubsequences: false)
        #expect(Array(half.prefix(7)) == ["2014-12-22T18:05:00Z", "175.45.177.0/24", "down", "0.0000", "300", "10", "2"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(TimelineRenderer.json(r).text().utf8)) as? [String: Any])
        #expect(json["schema"] as? String == "nkwatch.timeline/v1")
        let bins = try #require(json["bins"] as? [[String: Any]])
        #expect(bins.count == 288)
        #expect(bins[72]["routed"] as? Int == 0)
        #expect(bins[72]["routed_slash24"] as? Int == 0)
        #expect(bins[71]["routed_slash24"] as? Int == 4)
        #expect(row.last == "0" && csv[1 + 71 * 4].split(separator: ",").last == "4")
        #expect(bins[72]["withdrawals"] as? Int == 40)
        #expect(((bins[72]["blocks"] as? [[String: Any]])?.first?["state"]) as? String == "down")
    }

    @Test("the terminal timeline fits 80 and 200 columns, in Unicode and ASCII, with and without colour", arguments: [80, 200])
    func timeline(width: Int) throws {
        let r = try sampleResult()
        for ascii in [false, true] {
            let text = TimelineRenderer.text(r, title: "t", style: TerminalStyle(width: width, ascii: ascii, color: false))
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.filter { $0.hasPrefix("175.45.") }.count == 4)
            for line in lines where line.hasPrefix("175.45.") || line.hasPrefix("routed") || line.hasPrefix("episodes") || line.hasPrefix("UTC") {
                #expect(line.count <= width, "\(line.count) > \(width): \(line)")
            }
            let episodes = lines.first { $0.hasPrefix("episodes") } ?? ""
            #expect(episodes.filter { $0 == "B" }.count >= 2)
            if ascii {
                #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
                #expect(lines.first { $0.hasPrefix("175.45.176.0/24") }.map { $0.contains("-") || $0.contains("+") } == true)
            } else {
                #expect(lines.first { $0.hasPrefix("175.45.176.0/24") }?.contains("█") == true)
            }
            #expect(!text.contains("\u{1B}["))
        }
        let colored = TimelineRenderer.text(r, title: "t", style: TerminalStyle(width: width, ascii: false, color: true))
        #expect(colored.contains("\u{1B}[32m"))
    }

    @Test("classify text: tables, --explain numbers, and the verdict")
    func classifyText() throws {
        let r = try sampleResult()
        // Wide enough: every column, full times.
        let plain = ClassifyText.text(r, title: "t", explain: false, width: 160)
        #expect(plain.contains("EPISODES"))
        #expect(plain.contains("isolated_blip  2014-12-22 06:00:00  2014-12-22 06:15:00  15 min"))
        #expect(plain.contains("peers down"))
        #expect(!plain.contains("why:") && !plain.contains("left out"))
        // At 80 columns: short times, the least important columns left out and named.
        let narrow = ClassifyText.text(r, title: "t", explain: false, width: 80)
        #expect(narrow.contains("isolated_blip  12-22 06:00  12-22 06:15  15 min"))
        #expect(narrow.contains("left out to fit 80 columns"))
        #expect(narrow.split(separator: "\n").allSatisfy { $0.unicodeScalars.count <= 80 })
        let explained = ClassifyText.text(r, title: "t", explain: true, width: 200)
        #expect(explained.contains("why: isolated_blip: 15 min < 1 h (hard_min), and no other episode within 6 h (isolation) before or after"))
        #expect(explained.contains("SCORE = 100"))
        #expect(explained.contains("VERDICT"))
    }

    @Test("reports: Markdown and a self-contained HTML page, byte for byte against golden files")
    func reports() throws {
        let r = try sampleResult()
        let md = ReportRenderer.markdown(r, sources: sampleSources)
        #expect(md.hasPrefix("# BGP outage report: 175.45.176.0/22, origin AS131279"))
        #expect(md.contains("| isolated_blip | 2014-12-22 06:00 UTC | 2014-12-22 06:15 UTC | 15 min | full | 4/4 | 100 % | 100 % of 10 |"))
        try checkGolden(md, "report.md")
        let html = ReportRenderer.html(r, sources: sampleSources)
        for id in ["heatmap", "routed", "churn", "score"] {
            for layout in ["wide", "narrow"] { #expect(html.contains("id=\"\(id)-\(layout)\"")) }
        }
        #expect(html.contains("class=\"down\""))
        // Self-contained: one inline script (open the collapsed rows for
        // printing), no script, stylesheet or image from elsewhere.
        #expect(html.components(separatedBy: "<script").count == 2 && html.contains("beforeprint"))
        #expect(!html.contains("src=") && !html.contains("<link"))
        #expect(html.contains("<meta name=\"viewport\""))
        #expect(html.contains("<h1 id=\"headline\">2 isolated blips, the longest 15 min; no long outage</h1>"))
        #expect(html.contains("@media print"))
        try checkGolden(html, "report.html")
        try checkGolden(ClassifyText.text(r, title: "t", explain: true), "classify-explain.txt")
    }
}
