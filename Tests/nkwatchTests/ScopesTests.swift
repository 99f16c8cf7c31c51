import Foundation
import Testing

/// Several scopes in one pass: --country repeated with several RIR files,
/// --scopes FILE, --scope NAME, report --all-scopes, merge of such stores.
@Suite("Many scopes in one pass")
struct ScopesTests {
    static let data = ScenarioTests.root.appendingPathComponent("country-unrouted")

    /// Two delegation files in the RIR format, as APNIC and RIPE NCC write
    /// them: KP (announced, plus never-routed space), and two countries made
    /// of the scenario's background /24s (11.0.0.0/22 and 11.0.4.0/22).
    static func delegations(in dir: URL) throws -> [String] {
        let apnic = dir.appendingPathComponent("delegated-apnic-extended")
        try FileManager.default.copyItem(at: data.appendingPathComponent("delegations.txt"), to: apnic)
        let ripe = dir.appendingPathComponent("delegated-ripencc-extended")
        try """
            2|ripencc|20141222|3|19830705|20141221|+0100
            ripencc|*|ipv4|*|3|summary
            ripencc|AA|ipv4|11.0.0.0|1024|20100101|allocated|a1
            ripencc|AB|ipv4|11.0.4.0|512|20100101|assigned|a2
            ripencc|AB|ipv4|11.0.6.0|512|20100101|allocated|a2
            ripencc|ZZ|ipv4|11.0.8.0|256|20100101|available|
            """.write(to: ripe, atomically: true, encoding: .utf8)
        return [apnic.path, ripe.path]
    }

    static func run(_ args: [String], status: Int32 = 0) throws -> CLITests.Result {
        let r = try CLITests.run(args)
        #expect(r.status == status, "\(args.joined(separator: " ")): \(r.stderr)")
        return r
    }

    @Test("--country three times with two RIR files: one pass, and each scope's classification, timeline and report equal those of a store ingested for it alone")
    func countries() throws {
        let dir = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try Self.delegations(in: dir)
        let d = files.flatMap { ["--delegations", $0] }
        let multi = dir.appendingPathComponent("multi.sqlite").path
        _ = try Self.run(["ingest", "--quiet", "--store", multi, "--country", "KP", "--country", "AA", "--country", "ab", Self.data.path] + d)
        for cc in ["KP", "AA", "AB"] {
            let single = dir.appendingPathComponent("\(cc).sqlite").path
            _ = try Self.run(["ingest", "--quiet", "--store", single, "--country", cc, Self.data.path] + d)
            for command in ["classify", "timeline"] {
                let alone = try Self.run([command, "--format", "json", "--store", single]).stdout
                #expect(!alone.isEmpty)
                #expect(try Self.run([command, "--format", "json", "--store", multi, "--scope", cc.lowercased()]).stdout == alone, "\(command) \(cc)")
                // The flags that name the scope pick it too.
                #expect(try Self.run([command, "--format", "json", "--store", multi, "--country", cc] + d).stdout == alone, "\(command) \(cc) by flags")
            }
            let report = try Self.run(["report", "--format", "md", "--store", single]).stdout
            #expect(try Self.run(["report", "--format", "md", "--store", multi, "--scope", cc]).stdout == report.replacingOccurrences(of: "\(cc).sqlite", with: "multi.sqlite"))
        }
        // AB's two blocks come from two lines; ZZ's "available" space is nobody's.
        let ab = try Self.run(["classify", "--format", "json", "--store", multi, "--scope", "AB"]).stdout
        #expect(ab.contains("11.0.4.0/23") && ab.contains("11.0.6.0/23"))
        // Which one, when the store holds several: said, exit 2.
        var r = try Self.run(["classify", "--store", multi], status: 2)
        #expect(r.stderr.contains("holds 3 scopes (KP, AA, AB): give --scope NAME"), "\(r.stderr)")
        r = try Self.run(["classify", "--store", multi, "--scope", "SY"], status: 2)
        #expect(r.stderr.contains("holds no scope named 'SY'; its scopes: KP, AA, AB"), "\(r.stderr)")
        // The same store with another set of scopes: refused.
        r = try Self.run(["ingest", "--quiet", "--store", multi, "--country", "KP", "--country", "AA", Self.data.path] + d, status: 2)
        #expect(r.stderr.contains("another scope") || r.stderr.contains("other scopes"), "\(r.stderr)")
        // Usage: --prefix beside several countries.
        r = try Self.run(["ingest", "--store", multi, "--country", "KP", "--country", "AA", "--prefix", "10.0.0.0/8", Self.data.path] + d, status: 2)
        #expect(r.stderr.contains("--scopes"))
    }

    @Test("--scopes FILE: named countries, prefixes and origin ASNs, its own delegation files; --scope NAME; report --all-scopes ranks hard outages first, in md, html and json")
    func scopesFileAndAllScopes() throws {
        let dir = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try Self.delegations(in: dir)
        let scopes = dir.appendingPathComponent("watch.json")
        try """
            {"delegations": ["\(URL(fileURLWithPath: files[0]).lastPathComponent)", "\(files[1])"],
             "scopes": [
               {"name": "background", "prefixes": ["11.0.0.0/22", "11.0.4.0/22"]},
               {"name": "dprk-as", "origin_asns": [131279]},
               {"name": "KP", "country": "KP"}
             ]}
            """.write(to: scopes, atomically: true, encoding: .utf8)
        let multi = dir.appendingPathComponent("multi.sqlite").path
        _ = try Self.run(["ingest", "--quiet", "--store", multi, "--scopes", scopes.path, Self.data.path])
        let asStore = dir.appendingPathComponent("as.sqlite").path
        _ = try Self.run(["ingest", "--quiet", "--store", asStore, "--origin-asn", "131279", Self.data.path])
        #expect(try Self.run(["classify", "--format", "json", "--store", multi, "--scope", "dprk-as"]).stdout
                == (try Self.run(["classify", "--format", "json", "--store", asStore]).stdout))
        let md = try Self.run(["report", "--store", multi, "--scope", "background"]).stdout
        #expect(md.hasPrefix("# BGP outage report: background: 11.0.0.0/22, 11.0.4.0/22"), "\(md.prefix(100))")

        for format in ["md", "html", "json"] {
            let out = dir.appendingPathComponent("out-\(format)")
            let r = try Self.run(["report", "--all-scopes", "--out-dir", out.path, "--format", format, "--store", multi])
            #expect(r.stderr.contains("wrote 3 reports"), "\(r.stderr)")
            let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
            #expect(names == ["KP.\(format)", "background.\(format)", "dprk-as.\(format)", "index.\(format)"], "\(names)")
            let kp = try String(contentsOf: out.appendingPathComponent("KP.\(format)"), encoding: .utf8)
            #expect(kp == (try Self.run(["report", "--format", format, "--store", multi, "--scope", "KP"]).stdout))
        }
        let index = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out-json/index.json"))) as? [String: Any])
        #expect(index["schema"] as? String == "nkwatch.report-index/v1")
        let ranked = try #require(index["scopes"] as? [[String: Any]])
        // The two scopes that went down hard for 2 h 30 min first (by name
        // between equals), the quiet background last.
        #expect(ranked.map { $0["name"] as? String } == ["KP", "dprk-as", "background"])
        #expect(ranked[0]["hard_outages"] as? Int == 1 && abs((ranked[0]["hard_seconds"] as? Int ?? 0) - 9000) <= 60 && ranked[2]["hard_outages"] as? Int == 0)
        #expect(ranked[0]["file"] as? String == "KP.json")
        let html = try String(contentsOf: dir.appendingPathComponent("out-html/index.html"), encoding: .utf8)
        #expect(html.contains("<a href=\"KP.html\">North Korea</a>") && html.contains("<a href=\"background.html\">background</a>"))
        // --all-scopes needs --out-dir.
        _ = try Self.run(["report", "--all-scopes", "--store", multi], status: 2)
        // A bad scopes file names itself and the scope.
        try #"{"scopes": [{"name": "x y", "prefixes": ["10.0.0.0/8"]}]}"#.write(to: scopes, atomically: true, encoding: .utf8)
        let bad = try Self.run(["ingest", "--store", dir.appendingPathComponent("bad.sqlite").path, "--scopes", scopes.path, Self.data.path], status: 3)
        #expect(bad.stderr.contains("watch.json: scope 1: \"name\" must be"), "\(bad.stderr)")
    }

    @Test("stores of several scopes merge into one of the same scopes; shards of other scopes are refused")
    func mergeKeepsScopes() throws {
        let dir = try CLITests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = try Self.delegations(in: dir).flatMap { ["--delegations", $0] }
        let flags = ["--country", "KP", "--country", "AA"] + d
        let root = Self.data
        let collectors = ["rrc00", "route-views2"].map { root.appendingPathComponent($0).path }
        let single = dir.appendingPathComponent("single.sqlite").path
        _ = try Self.run(["ingest", "--quiet", "--store", single] + flags + collectors)
        var shards: [String] = []
        for (i, c) in collectors.enumerated() {
            let s = dir.appendingPathComponent("s\(i).sqlite").path
            _ = try Self.run(["ingest", "--quiet", "--store", s] + flags + [c])
            shards.append(s)
        }
        let out = dir.appendingPathComponent("merged.sqlite").path
        _ = try Self.run(["merge", "--quiet", "--store", out] + shards)
        for cc in ["KP", "AA"] {
            #expect(try Self.run(["classify", "--format", "json", "--store", out, "--scope", cc]).stdout
                    == (try Self.run(["classify", "--format", "json", "--store", single, "--scope", cc]).stdout))
        }
        let other = dir.appendingPathComponent("other.sqlite").path
        _ = try Self.run(["ingest", "--quiet", "--store", other, "--country", "KP", "--country", "AB"] + d + [collectors[0]])
        let r = try Self.run(["merge", "--store", dir.appendingPathComponent("x.sqlite").path, shards[0], other], status: 2)
        #expect(r.stderr.contains("cannot be merged"), "\(r.stderr)")
    }
}
