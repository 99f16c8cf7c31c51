import Foundation
import Testing

/// The HTML report as a reader sees it: rendered by headless Chromium at a
/// desktop width (1400 px) and a phone's (420 px), the page must not overflow
/// sideways and no text may be tiny. Chromium will not make a window narrower
/// than 500 px, so the report is laid out in an iframe of the width under
/// test; a measuring script (Layout/layout-check.js), added to a copy of the
/// report only, posts what it found to the harness, whose DOM Chromium dumps.
enum Browser {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
}

@Suite("The HTML report in a browser", .serialized,
       .enabled(if: Browser.chromium != nil, "chromium is not installed (apt-get install chromium): layout checks skipped"))
struct ReportLayoutTests {
    static let chromium = Browser.chromium
    static let checkScript = CLITests.repoRoot.appendingPathComponent("Tests/nkwatchTests/Layout/layout-check.js")

    struct Measure: Decodable {
        var viewport: Double
        var scrollWidth: Double
        var tiny: [String]
        var overflowing: [String]
        var minFont: Double
        var texts: Int
        var charts: Int
    }

    /// Renders `html` at `width` px and returns the measurements.
    static func measure(_ html: String, width: Int, in dir: URL) throws -> Measure {
        var js = try String(contentsOf: checkScript, encoding: .utf8)
        js = js.replacingOccurrences(of: "document.body.appendChild(pre);",
                                     with: "document.body.appendChild(pre); if (window.parent !== window) window.parent.postMessage(pre.textContent, \"*\");")
        let page = dir.appendingPathComponent("report-\(width).html")
        try html.replacingOccurrences(of: "</body>", with: "<script>\n\(js)\n</script></body>").write(to: page, atomically: true, encoding: .utf8)
        let harness = dir.appendingPathComponent("harness-\(width).html")
        try """
            <!DOCTYPE html><html><body style="margin:0">
            <iframe src="\(page.lastPathComponent)" style="width:\(width)px;height:6000px;border:0;display:block"></iframe>
            <script>addEventListener("message", function (e) { var p = document.createElement("pre"); p.id = "result"; p.textContent = e.data; document.body.appendChild(p); });</script>
            </body></html>
            """.write(to: harness, atomically: true, encoding: .utf8)
        let r = try CLITests.run(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
                                  "--allow-file-access-from-files", "--window-size=\(max(width, 500) + 40),2000", "--virtual-time-budget=5000",
                                  "--dump-dom", harness.absoluteString], executable: chromium!)
        guard let start = r.stdout.range(of: "<pre id=\"result\">"), let end = r.stdout.range(of: "</pre>", range: start.upperBound..<r.stdout.endIndex) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "no measurement in Chromium's DOM: \(r.stderr.suffix(500))"])
        }
        let json = String(r.stdout[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        return try JSONDecoder().decode(Measure.self, from: Data(json.utf8))
    }

    static func report(_ args: [String]) throws -> String {
        let r = try CLITests.run(["report", "--format", "html"] + args)
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout
    }

    static func check(_ html: String, name: String) throws {
        let dir = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for width in [1400, 420] {
            let m = try measure(html, width: width, in: dir)
            #expect(m.viewport == Double(width), "\(name) at \(width): viewport \(m.viewport)")
            #expect(m.scrollWidth <= m.viewport, "\(name) at \(width): the page is \(m.scrollWidth) px wide")
            #expect(m.overflowing.isEmpty, "\(name) at \(width): \(m.overflowing)")
            #expect(m.tiny.isEmpty, "\(name) at \(width): tiny text \(m.tiny)")
            #expect(m.minFont >= 11, "\(name) at \(width): smallest text \(m.minFont) px")
            // Four charts (routed, heat map, churn, score), one rendering of each shown.
            #expect(m.charts >= 4, "\(name) at \(width): \(m.charts) charts visible")
            #expect(m.texts > 100)
        }
    }

    @Test("the sample's report at 1400 and 420 px: no sideways overflow, no text under 11 px, one rendering of each chart")
    func sample() throws {
        let html = try Self.report([CLITests.repoRoot.appendingPathComponent("SampleData/kp-2014-12").path])
        // Self-contained: nothing is loaded from elsewhere.
        #expect(!html.contains("src=\"http") && !html.contains("<link") && !html.contains("@import"))
        #expect(html.contains("<meta name=\"viewport\""))
        #expect(html.contains("<h1 id=\"headline\">Down 9 h 30 min from 22 Dec 16:15 UTC — all 4 networks — after 25 h 15 min of instability</h1>"))
        #expect(html.contains("North Korea"))
        // The instability period is one row that opens to its 27 outages.
        #expect(html.components(separatedBy: "<details>").count - 1 == 1)
        #expect(html.contains("27 outages"))
        try Self.check(html, name: "SampleData/kp-2014-12")
    }

    @Test("a country of 300 blocks (SampleData/scenarios/large-partial) at 1400 and 420 px")
    func largeScope() throws {
        // Reached through a long path, as a CI checkout's is: the store line
        // must wrap rather than widen the page.
        let long = try CLITests.tempDir().appendingPathComponent(String(repeating: "acheckoutinadeepfolder", count: 3))
        try FileManager.default.createDirectory(at: long, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: long.deletingLastPathComponent()) }
        let dir = long.appendingPathComponent("large-partial")
        try FileManager.default.createSymbolicLink(at: dir, withDestinationURL: ScenarioTests.root.appendingPathComponent("large-partial"))
        let html = try Self.report([dir.path] + ScenarioTests.args("large-partial"))
        #expect(html.contains(dir.path))
        #expect(html.contains("Visibility by group"))
        try Self.check(html, name: "large-partial")
    }
}
