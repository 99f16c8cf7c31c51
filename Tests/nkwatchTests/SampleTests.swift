import Foundation
import NKStore
import Testing

/// The shipped North Korea sample, end to end: ingest from the dump files,
/// classify, compare with the saved verdicts, chart and report.
@Suite("SampleData/kp-2014-12 end to end")
struct SampleTests {
    static let sample = CLITests.repoRoot.appendingPathComponent("SampleData/kp-2014-12")
    static let expected = sample.appendingPathComponent("expected-classification.json").path

    /// One store for the suite, ingested from the sample's dump files.
    static let store: String = {
        let dir = (try? CLITests.tempDir()) ?? FileManager.default.temporaryDirectory
        let path = dir.appendingPathComponent("kp.sqlite").path
        _ = try? CLITests.run(["ingest", "--quiet", "--store", path, sample.path])
        return path
    }()

    static func classification(_ extra: [String] = []) throws -> [String: Any] {
        let r = try CLITests.run(["classify", "--format", "json", "--store", store] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    static func seconds(_ iso: Any?) -> Int64 {
        guard let s = iso as? String else { return -1 }
        let f = ISO8601DateFormatter()
        return Int64(f.date(from: s)?.timeIntervalSince1970 ?? -1)
    }

    @Test("classify --expect on the sample's dump files passes (the CI regression use)")
    func expectPasses() throws {
        let r = try CLITests.run(["classify", "--expect", Self.expected, Self.sample.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("VERDICT"))
    }

    @Test("the sample's verdicts: blips on quiet days, instability, the 9 h 30 min hard outage at 16:15, short outages on 23 Dec, no confounder")
    func verdicts() throws {
        let c = try Self.classification()
        let episodes = try #require(c["episodes"] as? [[String: Any]])
        let day = { (e: [String: Any]) in String((e["start"] as? String ?? "").prefix(10)) }
        let blips = episodes.filter { $0["label"] as? String == "isolated_blip" }
        #expect(blips.count == 3)
        #expect(blips.allSatisfy { ["2014-12-19", "2014-12-20"].contains(day($0)) })
        let periods = try #require(c["periods"] as? [[String: Any]])
        #expect(periods.count == 1)
        let hardStart = Self.seconds("2014-12-22T16:15:00Z")
        #expect(Self.seconds(periods[0]["end"]) < hardStart)
        #expect((periods[0]["episodes"] as? Int ?? 0) >= 20)
        let hard = episodes.filter { $0["label"] as? String == "hard_outage" }
        #expect(hard.count == 1)
        #expect(abs(Self.seconds(hard.first?["start"]) - hardStart) <= 300)
        #expect(abs((hard.first?["duration_s"] as? Int ?? 0) - 34_200) <= 300)
        #expect((hard.first?["after_instability_s"] as? Int ?? 0) > 24 * 3600)
        let on23 = episodes.filter { day($0) == "2014-12-23" && $0["label"] as? String != "hard_outage" }
        #expect(on23.count == 2)
        #expect(on23.contains { ($0["start"] as? String ?? "").hasPrefix("2014-12-23T15:4") })
        // No episode at the partial-visibility event, the peer reset or the missing file.
        for t in ["2014-12-20T03:20:00Z", "2014-12-20T12:20:00Z", "2014-12-21T03:05:00Z"] {
            let x = Self.seconds(t)
            #expect(!episodes.contains { Self.seconds($0["start"]) <= x + 3600 && Self.seconds($0["end"]) >= x - 3600 }, "\(t)")
        }
        let discounted = try #require(c["discounted"] as? [[String: Any]])
        #expect(discounted.contains { $0["kind"] as? String == "session_reset" && ($0["what"] as? String ?? "").hasPrefix("rrc00 ") })
        #expect(discounted.contains { $0["kind"] as? String == "data_gap" && $0["what"] as? String == "route-views2" })
    }

    @Test("JSON is the same bytes every run")
    func deterministic() throws {
        let a = try CLITests.run(["classify", "--format", "json", "--store", Self.store])
        let b = try CLITests.run(["classify", "--format", "json", "--store", Self.store])
        #expect(a.stdout == b.stdout)
        #expect(!a.stdout.isEmpty)
    }

    @Test("--expect fails with a readable diff when an outage moved past the tolerance; --fail-on")
    func expectFailsAndFailOn() throws {
        let text = try String(contentsOfFile: Self.expected, encoding: .utf8)
        let moved = text.replacingOccurrences(of: "\"start\": \"2014-12-22T16:15:", with: "\"start\": \"2014-12-22T15:45:")
        #expect(moved != text)
        let path = try CLITests.tempFile("moved.json", Array(moved.utf8))
        let r = try CLITests.run(["classify", "--expect", path, "--tolerance", "5m", "--store", Self.store])
        #expect(r.status == 1)
        #expect(r.stderr.contains("the classification differs"))
        #expect(r.stderr.contains("hard_outage full 2014-12-22T15:45"))
        #expect(r.stderr.contains("moved"))
        let wide = try CLITests.run(["classify", "--expect", path, "--tolerance", "45m", "--store", Self.store])
        #expect(wide.status == 0)
        let fail = try CLITests.run(["classify", "--fail-on", "hard_outage", "--store", Self.store])
        #expect(fail.status == 1)
        #expect(fail.stderr.contains("--fail-on hard_outage: 2014-12-22T16:15"))
        let quiet = try CLITests.run(["classify", "--fail-on", "isolated_blip", "--from", "2014-12-23", "--store", Self.store])
        #expect(quiet.status == 0)
    }

    @Test("timeline at 80 and 200 columns and in ASCII; CSV and JSON bins", arguments: [80, 200])
    func timeline(width: Int) throws {
        for ascii in [false, true] {
            let r = try CLITests.run(["timeline", "--store", Self.store, "--from", "2014-12-21", "--to", "2014-12-24", "--bin", "15m",
                                      "--width", "\(width)"] + (ascii ? ["--ascii"] : []))
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.filter { $0.hasPrefix("175.45.17") }.count == 4)
            for l in lines where l.hasPrefix("175.45.") || l.hasPrefix("episodes") || l.hasPrefix("routed") { #expect(l.count <= width) }
            #expect(lines.contains { $0.hasPrefix("episodes") && $0.contains("H") && $0.contains("I") })
            #expect(!r.stdout.contains("\u{1B}["))
            if ascii { #expect(r.stdout.unicodeScalars.allSatisfy { $0.isASCII }) }
        }
        let csv = try CLITests.run(["timeline", "--format", "csv", "--store", Self.store, "--from", "2014-12-22T16:00Z", "--to", "2014-12-22T17:00Z"])
        let rows = csv.stdout.split(separator: "\n")
        #expect(rows.count == 1 + 12 * 4)
        #expect(rows[1].hasPrefix("2014-12-22T16:00:00Z,175.45.176.0/24,up,"))
        #expect(rows.last?.hasPrefix("2014-12-22T16:55:00Z,175.45.179.0/24,down,0.0000,300,") == true)
    }

    @Test("every example query of docs/store.md runs on the sample's store and returns rows")
    func documentedQueries() throws {
        let doc = try String(contentsOf: CLITests.repoRoot.appendingPathComponent("docs/store.md"), encoding: .utf8)
        let blocks = doc.components(separatedBy: "```sql\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
        // Statements are separated by blank lines; comment lines name them.
        let queries = blocks.flatMap { $0.components(separatedBy: "\n\n") }.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        #expect(queries.count >= 5)
        for q in queries {
            let r = try CLITests.run([Self.store], stdin: Data((q + "\n").utf8), executable: "/usr/bin/sqlite3")
            #expect(r.status == 0 && r.stderr.isEmpty, "\(q): \(r.stderr)")
            #expect(!r.stdout.isEmpty, "returns nothing on the sample: \(q)")
        }
    }

    @Test("report: Markdown with the verdict, and a self-contained HTML page")
    func report() throws {
        let md = try CLITests.run(["report", "--store", Self.store])
        #expect(md.status == 0)
        // The verdict is wrapped at 80 columns in Markdown (a soft line break).
        #expect(md.stdout.replacingOccurrences(of: "\n", with: " ").contains("After 25 h 15 min of instability, all 4 networks were withdrawn at 2014-12-22 16:15 UTC by 100 % of 28 full-feed peers and stayed down 9 h 30 min."))
        #expect(md.stdout.contains("Written by nkwatch 0.12.0"))
        let out = try CLITests.tempDir().appendingPathComponent("kp.html").path
        let html = try CLITests.run(["report", "--format", "html", "--out", out, "--store", Self.store])
        #expect(html.status == 0)
        let page = try String(contentsOfFile: out, encoding: .utf8)
        #expect(page.contains("id=\"heatmap-wide\"") && page.contains("id=\"heatmap-narrow\""))
        #expect(page.contains("hard_outage"))
        #expect(page.contains("<title>North Korea: Down 9 h 30 min from 22 Dec 16:15 UTC"))
        // The version and the git revision it was built from, in the footer.
        #expect(page.contains("<footer>Written by nkwatch 0.12.0 (rev "))
        #expect(!page.contains("<script src"))
    }

    @Test("regenerating the sample with the same seed gives byte-identical files")
    func regenerate() throws {
        let dir = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLITests.run(["simulate", Self.sample.appendingPathComponent("scenario.json").path, "--out", dir.path])
        #expect(r.status == 0)
        let fm = FileManager.default
        func files(_ root: URL) -> [String] {
            (fm.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? [])
                .filter { $0.hasSuffix(".gz") || $0.hasSuffix(".bz2") }.sorted()
        }
        let ours = files(dir), shipped = files(Self.sample)
        #expect(ours == shipped)
        #expect(ours.count > 3000)
        for f in ours {
            let a = fm.contents(atPath: dir.appendingPathComponent(f).path)
            let b = fm.contents(atPath: Self.sample.appendingPathComponent(f).path)
            if a != b { Issue.record("\(f) differs"); break }
        }
    }

    @Test("analysis commands say clearly when there is no store")
    func noStore() throws {
        let dir = try CLITests.tempDir()
        let r = try CLITests.run(["classify", "--store", dir.appendingPathComponent("none.sqlite").path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no store at"))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }
}
