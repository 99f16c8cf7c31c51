import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Web servers on loopback for the fetch tests: nginx (a real one) and the
/// tests' own fault-injecting server (FaultServer/faultserver.py), both
/// serving a copy of SampleData/kp-2014-12 in the RouteViews layout
/// (`/routeviews/bgpdata/2014.12/…`) and the RIS layout (`/ris/rrc00/2014.12/…`).
enum WebServers {
    static let sample = CLITests.repoRoot.appendingPathComponent("SampleData/kp-2014-12")
    static let expected = sample.appendingPathComponent("expected-classification.json").path
    static let faultServer = CLITests.repoRoot.appendingPathComponent("Tests/nkwatchTests/FaultServer/faultserver.py").path

    static func which(_ tool: String) -> String? {
        for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin", "/usr/local/sbin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        return nil
    }

    static let nginx = which("nginx")
    static let python = which("python3")

    /// The served tree, built once: the sample's files copied (readable by nginx's worker).
    static let root: URL? = {
        guard let dir = try? CLITests.tempDir() else { return nil }
        let fm = FileManager.default
        let root = dir.appendingPathComponent("www")
        do {
            try fm.createDirectory(at: root.appendingPathComponent("routeviews"), withIntermediateDirectories: true)
            try fm.createDirectory(at: root.appendingPathComponent("ris"), withIntermediateDirectories: true)
            try fm.copyItem(at: sample.appendingPathComponent("route-views2/bgpdata"), to: root.appendingPathComponent("routeviews/bgpdata"))
            for c in ["rrc00", "rrc01"] { try fm.copyItem(at: sample.appendingPathComponent(c), to: root.appendingPathComponent("ris/\(c)")) }
            chmod(dir.path, 0o755)
            _ = try CLITests.run(["-c", "chmod -R a+rX '\(dir.path)'"], executable: "/bin/sh")
            return root
        } catch {
            return nil
        }
    }()

    /// A free TCP port on loopback (bound and released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// nginx serving `root` with directory listings; stopped by `stop`.
    final class Nginx {
        let base: String
        let dir: URL
        let process: Process

        init() throws {
            guard let nginx = WebServers.nginx, let root = WebServers.root else { throw CocoaError(.fileNoSuchFile) }
            dir = try CLITests.tempDir()
            var lastError = ""
            for _ in 0..<5 {
                let port = WebServers.freePort()
                let conf = """
                    worker_processes 1;
                    daemon off;
                    pid \(dir.path)/nginx.pid;
                    error_log \(dir.path)/error.log;
                    events { worker_connections 128; }
                    http {
                      access_log \(dir.path)/access.log;
                      client_body_temp_path \(dir.path)/t; proxy_temp_path \(dir.path)/t; fastcgi_temp_path \(dir.path)/t;
                      uwsgi_temp_path \(dir.path)/t; scgi_temp_path \(dir.path)/t;
                      server { listen 127.0.0.1:\(port); root \(root.path); autoindex on; }
                    }
                    """
                try conf.write(to: dir.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
                let p = Process()
                p.executableURL = URL(fileURLWithPath: nginx)
                p.arguments = ["-e", dir.appendingPathComponent("error.log").path, "-p", dir.path, "-c", dir.appendingPathComponent("nginx.conf").path]
                p.standardError = FileHandle.nullDevice
                try p.run()
                // Ready when it answers.
                for _ in 0..<100 {
                    let r = try CLITests.run(["-c", "exec 3<>/dev/tcp/127.0.0.1/\(port) && echo ok"], executable: "/bin/bash")
                    if r.stdout.contains("ok") {
                        base = "http://127.0.0.1:\(port)"
                        process = p
                        return
                    }
                    if !p.isRunning { break }
                    usleep(50_000)
                }
                lastError = (try? String(contentsOf: dir.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
                if p.isRunning { p.terminate() }
            }
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "nginx did not start: \(lastError)"])
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// The fault-injecting server, with a fault plan (file name → faults of its successive requests).
    final class Faulty {
        let base: String
        let log: URL
        let process: Process

        init(plan: [String: [String]]) throws {
            guard let python = WebServers.python, let root = WebServers.root else { throw CocoaError(.fileNoSuchFile) }
            let dir = try CLITests.tempDir()
            let planFile = dir.appendingPathComponent("plan.json")
            try JSONSerialization.data(withJSONObject: plan).write(to: planFile)
            log = dir.appendingPathComponent("requests.log")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: python)
            p.arguments = [WebServers.faultServer, root.path, planFile.path, log.path]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
            guard let port = line.split(separator: " ").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
                p.terminate()
                throw CocoaError(.fileReadUnknown)
            }
            base = "http://127.0.0.1:\(port)"
            process = p
        }

        /// Every request: path, range, fault, status.
        func requests() -> [[String: Any]] {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }

        func stop() {
            // It needs no cleanup: SIGKILL cannot be blocked or ignored.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Every .gz and .bz2 file under `dir`, relative.
    static func files(_ dir: URL) -> [String] {
        (FileManager.default.enumerator(atPath: dir.path)?.compactMap { $0 as? String } ?? []).filter { !$0.hasSuffix("/") }.filter {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path, isDirectory: &isDir) && !isDir.boolValue
        }.sorted()
    }

    /// The sample file a cache file stands for.
    static func source(of relative: String) -> URL { sample.appendingPathComponent(relative) }

    /// The cache paths that differ from the sample, and the `.partial` files left.
    static func differences(_ cache: URL) -> (differ: [String], partial: [String]) {
        let all = files(cache)
        let partial = all.filter { $0.hasSuffix(".partial") }
        let differ = all.filter { !$0.hasSuffix(".partial") }.filter {
            FileManager.default.contents(atPath: cache.appendingPathComponent($0).path) != FileManager.default.contents(atPath: source(of: $0).path)
        }
        return (differ, partial)
    }

    static func fetchArgs(_ base: String, cache: URL, collectors: [String] = ["route-views2", "rrc00", "rrc01"],
                          from: String = "2014-12-19", to: String = "2014-12-24") -> [String] {
        ["fetch"] + collectors + ["--from", from, "--to", to, "--cache", cache.path, "--routeviews-url", "\(base)/routeviews", "--ris-url", "\(base)/ris"]
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}

@Suite("fetch: the archives over a network that drops connections", .serialized,
       .enabled(if: WebServers.nginx != nil && WebServers.python != nil, "needs nginx and python3 (apt-get install nginx python3)"))
struct FetchTests {
    typealias W = WebServers

    @Test("from nginx: the whole sample, byte for byte, in the archives' layout; a second fetch downloads nothing; classify on the cache gives the sample's verdicts")
    func fromNginx() throws {
        let server = try W.Nginx()
        defer { server.stop() }
        let cache = try CLITests.tempDir().appendingPathComponent("archive")
        let first = try CLITests.run(W.fetchArgs(server.base, cache: cache) + ["--format", "json"])
        // The sample lacks one route-views2 file on purpose: a known gap, so exit 3.
        #expect(first.status == 3, "\(first.stderr)")
        let j = try W.json(first.stdout)
        #expect(j["planned"] as? Int == 3449 && j["downloaded"] as? Int == 3449)
        #expect((j["listing_gaps"] as? [[String: Any]])?.first?["start"] as? String == "2014-12-21T03:00:00Z")
        #expect(first.stderr.contains("not in the archive: route-views2 has no update file from 2014-12-21 03:00 UTC to 2014-12-21 03:15 UTC"))
        let (differ, partial) = W.differences(cache)
        #expect(differ.isEmpty && partial.isEmpty, "\(differ.prefix(3)) \(partial.prefix(3))")
        #expect(W.files(cache).count == 3449)
        #expect(W.files(cache).contains("route-views2/bgpdata/2014.12/UPDATES/updates.20141222.1615.bz2"))
        #expect(W.files(cache).contains("rrc00/2014.12/bview.20141222.0800.gz"))
        let again = try CLITests.run(W.fetchArgs(server.base, cache: cache) + ["--format", "json"])
        let k = try W.json(again.stdout)
        #expect(k["downloaded"] as? Int == 0 && k["cached"] as? Int == 3449)
        let classify = try CLITests.run(["classify", cache.path, "--expect", W.expected])
        #expect(classify.status == 0, "\(classify.stderr)")
    }

    @Test("through drops, 503s, stalls, short bodies, a server that ignores Range, redirects and slow transfers: every file whole, nothing partial left, the same verdicts")
    func throughFaults() throws {
        let plan: [String: [String]] = [
            "updates.20141222.1615.gz": ["drop", "drop"], "updates.20141222.1620.gz": ["503", "500", "503"], "updates.20141222.1625.gz": ["stall"],
            "updates.20141222.1630.gz": ["short", "short"], "updates.20141222.1635.gz": ["norange", "drop", "norange"],
            "updates.20141222.1640.gz": ["redirect"], "updates.20141222.1645.gz": ["drop", "redirect"],
            "updates.20141222.1615.bz2": ["drop", "stall", "short"], "updates.20141222.1630.bz2": ["norange", "norange"],
            "bview.20141222.0800.gz": ["drop", "drop", "drop", "drop"], "rib.20141222.1600.bz2": ["short", "norange", "drop"],
            "updates.20141221.0000.gz": ["slow"], "LISTING:/ris/rrc01/2014.12/": ["503", "500"],
            "LISTING:/routeviews/bgpdata/2014.12/RIBS/": ["503"],
        ]
        let server = try W.Faulty(plan: plan)
        defer { server.stop() }
        let cache = try CLITests.tempDir().appendingPathComponent("archive")
        let r = try CLITests.run(W.fetchArgs(server.base, cache: cache) + ["--retry-wait", "20ms", "--timeout", "1s", "--format", "json"])
        #expect(r.status == 3, "\(r.stderr)")  // the sample's own gap, nothing else
        let j = try W.json(r.stdout)
        #expect(j["downloaded"] as? Int == 3449)
        #expect((j["not_obtained"] as? [Any])?.isEmpty == true, "\(r.stdout)")
        let (differ, partial) = W.differences(cache)
        #expect(differ.isEmpty && partial.isEmpty, "\(differ) \(partial)")
        // Every fault was met, and the resumes asked for the rest with Range.
        let requests = server.requests()
        for fault in ["drop", "503", "500", "stall", "short", "norange", "slow", "redirect"] {
            #expect(requests.contains { $0["fault"] as? String == fault }, "\(fault) never happened")
        }
        #expect(requests.contains { ($0["path"] as? String ?? "").hasSuffix("bview.20141222.0800.gz") && $0["range"] is String && $0["status"] as? Int == 206 })
        // A redirect is followed, and a resume keeps its Range on the new address.
        #expect(requests.contains { ($0["path"] as? String ?? "").hasSuffix("updates.20141222.1645.gz?moved") && $0["range"] is String && $0["status"] as? Int == 206 })
        let classify = try CLITests.run(["classify", cache.path, "--expect", W.expected])
        #expect(classify.status == 0, "\(classify.stderr)")
    }

    @Test("a 404 for a listed file and a file the listing lacks are data gaps, named with why; exit 3; the rest is there")
    func gaps() throws {
        let server = try W.Faulty(plan: ["updates.20141222.1620.gz": Array(repeating: "404", count: 20)])
        defer { server.stop() }
        let cache = try CLITests.tempDir().appendingPathComponent("archive")
        let r = try CLITests.run(W.fetchArgs(server.base, cache: cache, collectors: ["rrc00"], from: "2014-12-22T16:00Z", to: "2014-12-22T17:00Z")
            + ["--retry-wait", "20ms", "--format", "json"])
        #expect(r.status == 3)
        let j = try W.json(r.stdout)
        let missing = try #require((j["not_obtained"] as? [[String: Any]])?.first)
        #expect((missing["url"] as? String ?? "").hasSuffix("/ris/rrc00/2014.12/updates.20141222.1620.gz"))
        #expect(missing["reason"] as? String == "HTTP 404: not in the archive")
        #expect(missing["in_archive"] as? Bool == false)
        #expect(r.stderr.contains("updates.20141222.1620.gz: HTTP 404: not in the archive (the archive does not have it: a data gap)"))
        #expect(j["downloaded"] as? Int == 12)  // 11 update files and the bview of 16:00
        // Ingested, the missing file is a data gap of exactly its 5 minutes.
        let store = cache.deletingLastPathComponent().appendingPathComponent("s.sqlite").path
        #expect(try CLITests.run(["ingest", "--quiet", "--store", store, cache.path]).status == 0)
        let gaps = try CLITests.run(["-c", "sqlite3 '\(store)' 'SELECT gap_start, gap_end FROM gaps'"], executable: "/bin/sh")
        #expect(gaps.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1419265200|1419265500")
    }

    @Test("interrupted by SIGINT and by SIGKILL, a fetch run again finishes, downloading only what was missing and resuming the partial file")
    func interrupted() throws {
        // Slow files keep the first run busy; it is stopped while they come.
        var plan: [String: [String]] = [:]
        for m in stride(from: 0, to: 60, by: 5) { plan[String(format: "updates.20141222.16%02d.gz", m)] = ["slow"] }
        plan["bview.20141222.1600.gz"] = ["slow"]
        for signal in [SIGINT, SIGKILL] {
            let server = try W.Faulty(plan: plan)
            defer { server.stop() }
            let cache = try CLITests.tempDir().appendingPathComponent("archive")
            let args = W.fetchArgs(server.base, cache: cache, collectors: ["rrc00"], from: "2014-12-22T15:00Z", to: "2014-12-22T17:00Z")
                + ["--retry-wait", "20ms", "--jobs", "2", "--format", "json"]
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLITests.binary)
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            let errLog = cache.deletingLastPathComponent().appendingPathComponent("stderr.log")
            FileManager.default.createFile(atPath: errLog.path, contents: nil)
            p.standardError = try FileHandle(forWritingTo: errLog)
            try p.run()
            // Until the slow RIB (14.8 kB at the server's 5 KiB/s: 3 s) is
            // 2 KiB there, or the fetch ends, which it must not do first. Only
            // that file: a fast file's partial also passes 2 KiB, for the few
            // milliseconds before its rename, and a signal sent then may find
            // nothing in progress.
            var waited = 0
            while p.isRunning && waited < 3000 && !W.files(cache).contains(where: { $0.hasSuffix("bview.20141222.1600.gz.partial") && (try? FileManager.default.attributesOfItem(atPath: cache.appendingPathComponent($0).path)[.size] as? Int) ?? 0 > 2048 }) {
                usleep(20_000)
                waited += 1
            }
            try #require(p.isRunning, "signal \(signal): the fetch ended before a slow file was half there: \((try? String(contentsOf: errLog, encoding: .utf8)) ?? "")")
            kill(p.processIdentifier, signal)
            p.waitUntilExit()
            let before = W.files(cache)
            let complete = before.filter { !$0.hasSuffix(".partial") }
            // The partial files that hold bytes (one just opened may hold none).
            let partial = before.filter {
                $0.hasSuffix(".partial") && ((try? FileManager.default.attributesOfItem(atPath: cache.appendingPathComponent($0).path)[.size] as? Int) ?? 0) > 0
            }
            #expect(!partial.isEmpty, "signal \(signal): nothing was in progress")
            // 24 update files from 15:00 to 17:00, the bview of 08:00 (the
            // starting state) and the one of 16:00.
            #expect(complete.count < 26)
            let requestsBefore = server.requests().count
            let r = try CLITests.run(args)
            #expect(r.status == 0, "\(r.stderr)")
            let j = try W.json(r.stdout)
            #expect(j["planned"] as? Int == 26)
            #expect(j["cached"] as? Int == complete.count)
            #expect(j["downloaded"] as? Int == 26 - complete.count)
            let (differ, left) = W.differences(cache)
            #expect(differ.isEmpty && left.isEmpty)
            // The partial files were resumed from where they stopped.
            let again = server.requests().dropFirst(requestsBefore)
            // A partial file that already held every byte when the signal came
            // is asked for past its end: 416, then verified and kept.
            for f in partial {
                let name = String(f.split(separator: "/").last!.dropLast(".partial".count))
                #expect(again.contains { ($0["path"] as? String ?? "").hasSuffix(name) && ($0["range"] as? String ?? "").hasPrefix("bytes=") && [206, 416].contains($0["status"] as? Int ?? 0) },
                        "\(name) was not resumed")
            }
            // No complete file was asked for again.
            for f in complete {
                let name = String(f.split(separator: "/").last!)
                #expect(!again.contains { ($0["path"] as? String ?? "").hasSuffix(name) }, "\(name) downloaded twice")
            }
        }
    }

    @Test("ingest --fetch downloads and ingests at once: the store gives the sample's verdicts")
    func ingestFetch() throws {
        let server = try W.Nginx()
        defer { server.stop() }
        let dir = try CLITests.tempDir()
        let store = dir.appendingPathComponent("s.sqlite").path
        let r = try CLITests.run(["ingest", "--fetch", "route-views2", "--fetch", "rrc00", "--fetch", "rrc01", "--from", "2014-12-19", "--to", "2014-12-24",
                                  "--cache", dir.appendingPathComponent("archive").path, "--routeviews-url", "\(server.base)/routeviews",
                                  "--ris-url", "\(server.base)/ris", "--store", store, "--format", "json"])
        #expect(r.status == 3, "\(r.stderr)")  // the sample's own gap
        let j = try W.json(r.stdout)
        #expect(j["ingested"] as? Int == 3449)
        let classify = try CLITests.run(["classify", "--store", store, "--expect", W.expected])
        #expect(classify.status == 0, "\(classify.stderr)")
    }

    @Test("an http(s) URL wherever a path is accepted: dump, classify, ingest; a missing one is an error naming it")
    func urls() throws {
        let server = try W.Nginx()
        defer { server.stop() }
        let dir = try CLITests.tempDir()
        let cache = dir.appendingPathComponent("archive").path
        let url = "\(server.base)/ris/rrc00/2014.12/updates.20141222.1615.gz"
        let remote = try CLITests.run(["dump", url, "--cache", cache])
        let local = try CLITests.run(["dump", W.sample.appendingPathComponent("rrc00/2014.12/updates.20141222.1615.gz").path])
        #expect(remote.status == 0, "\(remote.stderr)")
        #expect(remote.stdout == local.stdout && !local.stdout.isEmpty)
        #expect(FileManager.default.fileExists(atPath: "\(cache)/rrc00/2014.12/updates.20141222.1615.gz"))
        let rv = try CLITests.run(["dump", "\(server.base)/routeviews/bgpdata/2014.12/UPDATES/updates.20141222.1615.bz2", "--cache", cache])
        #expect(rv.status == 0)
        #expect(FileManager.default.fileExists(atPath: "\(cache)/route-views2/bgpdata/2014.12/UPDATES/updates.20141222.1615.bz2"))
        let store = dir.appendingPathComponent("s.sqlite").path
        let ingest = try CLITests.run(["ingest", "--quiet", "--store", store, "--cache", cache, url])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let missing = try CLITests.run(["dump", "\(server.base)/ris/rrc00/2014.12/updates.20991231.2355.gz", "--cache", cache])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("updates.20991231.2355.gz: HTTP 404: not in the archive"))
    }

    @Test("fetch usage: unknown collectors, a missing range, bad URLs are usage errors (exit 2)")
    func usage() throws {
        for args in [["fetch", "mycollector", "--from", "2014-12-19", "--to", "2014-12-20"], ["fetch", "rrc00"],
                     ["fetch", "rrc00", "--from", "2014-12-19", "--to", "2014-12-20", "--ris-url", "not a url"], ["fetch", "--from", "2014-12-19", "--to", "2014-12-20"]] {
            let r = try CLITests.run(args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count <= 3)
        }
    }
}

@Suite("libcurl, loaded by the first download")
struct LibcurlLoadingTests {
    @Test("without libcurl, fetch and a URL input fail as the environment (exit 4) naming it, and nothing is written to the cache")
    func missing() throws {
        let cache = try CLITests.tempDir().appendingPathComponent("archive")
        let env = ["/usr/bin/env", "NKWATCH_LIBCURL=/nonexistent/libcurl.so.4", CLITests.binary]
        for args in [["fetch", "rrc00", "--from", "2014-12-22T16:00Z", "--to", "2014-12-22T17:00Z", "--cache", cache.path,
                      "--ris-url", "http://127.0.0.1:9/ris"],
                     ["dump", "--cache", cache.path, "http://127.0.0.1:9/ris/rrc00/2014.12/updates.20141222.1600.gz"]] {
            let r = try CLITests.run(Array(env.dropFirst()) + args, executable: env[0])
            #expect(r.status == 4, "\(args[0]): \(r.stderr)")
            #expect(r.stderr.contains("downloading needs libcurl, which could not be loaded"), "\(args[0]): \(r.stderr)")
            #expect(r.stderr.contains("/nonexistent/libcurl.so.4"), "\(args[0]): \(r.stderr)")
            #expect(WebServers.files(cache).isEmpty)
        }
    }

    @Test("the binary does not link libcurl or FoundationNetworking: commands that download nothing do not load them",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ldd"), "needs ldd"))
    func notLinked() throws {
        let r = try CLITests.run([CLITests.binary], executable: "/usr/bin/ldd")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("libcurl"), "\(r.stdout)")
        #expect(!r.stdout.contains("FoundationNetworking"), "\(r.stdout)")
    }
}
