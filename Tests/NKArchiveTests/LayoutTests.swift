import Foundation
import MRT
@testable import NKArchive
import NKModel
import Testing

@Suite("Archive layouts, byte sources and hashing")
struct LayoutTests {
    @Test("archive layouts give collector, project, kind and time")
    func layouts() {
        let rv = ArchiveLayout.parse(path: "archive/route-views2/bgpdata/2014.12/UPDATES/updates.20141222.1615.bz2")
        #expect(rv == ArchiveLayout(collector: Collector(name: "route-views2", project: .routeviews), kind: .updates,
                                    fileTime: Timestamp(seconds: 1_419_264_900)))
        #expect(rv.updateInterval == 900)
        let root = ArchiveLayout.parse(path: "/data/bgpdata/2014.12/RIBS/rib.20141222.1600.bz2")
        #expect(root.collector.name == "route-views2")
        #expect(root.kind == .rib)
        let ris = ArchiveLayout.parse(path: "rrc00/2014.12/bview.20141222.1600.gz")
        #expect(ris == ArchiveLayout(collector: Collector(name: "rrc00", project: .ris), kind: .rib, fileTime: Timestamp(seconds: 1_419_264_000)))
        #expect(ris.updateInterval == 300)
        let linx = ArchiveLayout.parse(path: "route-views.linx/bgpdata/2014.12/UPDATES/updates.20141222.1615.bz2")
        #expect(linx.collector.name == "route-views.linx")
        #expect(ArchiveLayout.parse(path: "x/dump.mrt", collectorOverride: "mine").collector.name == "mine")
        // A collector named outside the RIS and RouteViews schemes, in either layout: the folder above the month.
        let lab = ArchiveLayout.parse(path: "/srv/mirror/rrc-lab/2014.12/updates.20141222.1615.gz")
        #expect(lab == ArchiveLayout(collector: Collector(name: "rrc-lab", project: .other), kind: .updates, fileTime: Timestamp(seconds: 1_419_264_900)))
        #expect(ArchiveLayout.parse(path: "frr-lab/2015.02/bview.20150201.0000.gz").collector.name == "frr-lab")
        #expect(ArchiveLayout.parse(path: "a/b/updates.20141222.1615.gz").collector.name == "b")
        #expect(ArchiveLayout.isMonthFolder(Array("2014.12".utf8)[...]) && !ArchiveLayout.isMonthFolder(Array("2014-12".utf8)[...]))
        // Times: the first valid YYYYMMDD.HHMM pair; impossible dates and non-digits are not times.
        #expect(ArchiveLayout.timeInName("updates.20141222.1615.bz2") == Timestamp(seconds: 1_419_264_900))
        #expect(ArchiveLayout.timeInName("x.20141322.1615.gz") == nil)
        #expect(ArchiveLayout.timeInName("x.20140231.1615.gz") == nil)
        #expect(ArchiveLayout.timeInName("x.2014122a.1615.gz") == nil)
        #expect(ArchiveLayout.timeInName("x.20141222.2460.gz") == nil)
        #expect(ArchiveLayout.timeInName("a.12345678.b.20000101.0000") == Timestamp(seconds: 946_684_800))
        #expect(ArchiveLayout.timeInName("rib.20141222") == nil)
        #expect(ArchiveLayout.isRISCollector("rrc21") && !ArchiveLayout.isRISCollector("rrc") && !ArchiveLayout.isRISCollector("rrcx1"))
        #expect(ArchiveLayout.timeInName("20141222.1615") == Timestamp(seconds: 1_419_264_900))
        #expect(ArchiveLayout.timeInName(".20000229.2359.") == Timestamp(seconds: 951_868_740))
        #expect(ArchiveLayout.timeInName("x.20010229.1200") == nil)
        // Paths deeper than the components kept inline, doubled and trailing slashes.
        let deep = (0..<18).map { "d\($0)" }.joined(separator: "/") + "//rrc03/2014.12/updates.20141222.1615.gz/"
        #expect(ArchiveLayout.parse(path: deep) == ArchiveLayout(collector: Collector(name: "rrc03", project: .ris), kind: .updates,
                                                                fileTime: Timestamp(seconds: 1_419_264_900)))
        let deepRV = (0..<20).map { "d\($0)" }.joined(separator: "/") + "/route-views.sydney/bgpdata/2014.12/RIBS/rib.20141222.1600.bz2"
        #expect(ArchiveLayout.parse(path: deepRV).collector == Collector(name: "route-views.sydney", project: .routeviews))
        let deepLab = (0..<20).map { "d\($0)" }.joined(separator: "/") + "/lab/2014.12/bview.20141222.1600.gz"
        #expect(ArchiveLayout.parse(path: deepLab).collector.name == "lab")
        let unknown = ArchiveLayout.parse(path: "dumps/x/dump.mrt")
        #expect(unknown.collector.name == "x" && !unknown.collectorKnown && unknown.kind == .unknown)
        #expect(ArchiveLayout.parse(path: "dump.mrt").collector.name == "unknown")
        // A cache name says it all, wherever the file is.
        #expect(ArchiveLayout.parse(path: "cache/ris.rrc06.updates.1427846400.gz")
            == ArchiveLayout(collector: Collector(name: "rrc06", project: .ris), kind: .updates, fileTime: Timestamp(seconds: 1_427_846_400)))
        #expect(ArchiveLayout.parse(path: "rrc00/routeviews.route-views.jinx.bview.1427846400.bz2").collector
            == Collector(name: "route-views.jinx", project: .routeviews))
        #expect(ArchiveLayout.kind(ofPath: "a/ris.rrc00.ribs.1427846400.gz") == .rib && ArchiveLayout.kind(ofPath: "UPDATES.x") == .updates)
    }

    @Test("SHA-256 known answers")
    func sha256() throws {
        let h = try SHA256()
        h.update(Array("abc".utf8))
        #expect(h.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let e = try SHA256()
        #expect(e.finalizeHex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let m = try SHA256()
        for _ in 0..<1000 { m.update([UInt8](repeating: 0x61, count: 1000)) }
        #expect(m.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// A file of `records` MRT records, compressed.
    static func file(records: Int, _ compression: Compression) throws -> (path: String, raw: [UInt8]) {
        var w = MRTWriter()
        let s = MRTWriter.Session(peerASN: 3356, localASN: 12654, peerIP: .v4(0x0A00_0001), localIP: .v4(1))
        for i in 0..<records {
            w.writeUpdate(MRTWriter.Time(1_419_264_900 + UInt32(i)), session: s, withdrawn: [NLRIEntry(prefix: Prefix("10.\(i % 200).0.0/16")!)])
        }
        let raw = try Compressor.compress(w.take(), as: compression)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nkwatch-src-\(UUID().uuidString).mrt")
        try Data(raw).write(to: url)
        return (url.path, raw)
    }

    static func sha256(_ bytes: [UInt8]) throws -> String {
        let h = try SHA256()
        h.update(bytes)
        return h.finalizeHex()
    }

    @Test("one read: the hash is of the bytes decoded, the whole file even when decoding stops early", arguments: [Compression.gzip, .bzip2, .none])
    func hashOfWhatWasRead(compression: Compression) throws {
        let (path, raw) = try Self.file(records: 5000, compression)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var decoder = MRTDecoder()
        var records = 0
        let report = readMRTFile(path: path, decoder: &decoder, options: MRTReadOptions(hash: true)) { _ in records += 1 }
        #expect(records == 5000)
        #expect(report.isClean)
        #expect(report.sha256 == (try Self.sha256(raw)))
        #expect(report.rawBytes == raw.count)
        #expect(report.identity?.size == Int64(raw.count))
        #expect(!report.changedWhileRead)
        // Garbage after the data: decoding stops at it, the hash still covers every byte.
        let damaged = raw + [UInt8](repeating: 0x41, count: 100_000)
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        var d2 = MRTDecoder()
        let r2 = readMRTFile(path: path, decoder: &d2, options: MRTReadOptions(hash: true)) { _ in }
        #expect(!r2.isClean)
        #expect(r2.sha256 == (try Self.sha256(damaged)))
        #expect(r2.rawBytes == damaged.count)
    }

    @Test("missing files and directories are typed errors")
    func openErrors() throws {
        #expect(throws: ArchiveError.self) { try FileSource(path: "/nonexistent/nkwatch") }
        do { _ = try FileSource(path: "/nonexistent/nkwatch") } catch { #expect(error.code == .notFound) }
        do { _ = try FileSource(path: "/tmp") } catch { #expect(error.code == .isDirectory) }
        var d = MRTDecoder()
        let report = readMRTFile(path: "/nonexistent/nkwatch", decoder: &d) { _ in }
        #expect(report.isUnreadable)
        #expect(report.fatalError?.sourceError?.code == .notFound)
        #expect(report.fatalError?.description == "/nonexistent/nkwatch: no such file or directory")
    }

    @Test("path bytes: ASCII, UTF-8, bytes that are not UTF-8 and a name holding plane 16's private use scalars all come back as they were")
    func pathBytes() throws {
        let names: [[UInt8]] = [
            Array("updates.20141222.1615.bz2".utf8), Array("café/rrc00".utf8), [0x63, 0x61, 0x66, 0xE9, 0x2E, 0x67, 0x7A],
            Array("\u{10FF41}x".utf8), [0xF4, 0x8F], [0xFF, 0xFE, 0x41], [],
        ]
        for n in names {
            let s = PathBytes.string(n)
            #expect(PathBytes.bytes(s) == n, "\(n)")
            let back = PathBytes.withCString(s) { c in Array(UnsafeBufferPointer(start: UnsafeRawPointer(c).assumingMemoryBound(to: UInt8.self), count: strlen(c))) }
            #expect(back == n, "\(n)")
        }
        #expect(PathBytes.string(Array("rrc00/2014.12".utf8)) == "rrc00/2014.12")
        #expect(PathBytes.string(Array("café".utf8)) == "café")
        #expect(PathBytes.display(PathBytes.string([0x63, 0xE9])) == "c\\xe9")
        // A name that holds a scalar of the range is kept as bytes, so it is not taken for one raw byte.
        #expect(PathBytes.string(Array("\u{10FF41}".utf8)).unicodeScalars.count == 4)
    }

    @Test("a folder is walked in the byte order of its names: shorter first when one is the start of another, upper case before lower, UTF-8 and other bytes last")
    func walkOrder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nkwatch-walk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let names: [[UInt8]] = [Array("b.gz".utf8), Array("a.gz".utf8), Array("a.gz.bz2".utf8), Array("B.gz".utf8), Array("é.gz".utf8),
                                [0xFF, 0x2E, 0x67, 0x7A], Array("a.bz2".utf8), Array("updates.20141222.1615.gz".utf8), Array("updates.20141222.1610.gz".utf8)]
        for n in names {
            let path = dir.path + "/" + PathBytes.string(n)
            let fd = PathBytes.withCString(path) { creat($0, 0o644) }
            #expect(fd >= 0)
            close(fd)
        }
        let listed = InputPaths.list([dir.path]).files.map { PathBytes.bytes(String($0.dropFirst(dir.path.count + 1))) }
        #expect(listed == names.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(listed.first == Array("B.gz".utf8) && listed.last == [0xFF, 0x2E, 0x67, 0x7A])
    }

    @Test("names in a folder walked: dumps by archive prefix or extension, in any case; documentation, checksums and partial downloads are not")
    func nameCheck() {
        func check(_ name: String) -> InputPaths.NameCheck { InputPaths.NameCheck(Array(name.utf8)) }
        for name in ["updates.20141222.1615.bz2", "UPDATES.20141222.1615.BZ2", "rib.20141222.0000", "bview.20141222.0800.gz", "Ribs.x",
                     "dump.MRT", "peer.dump", "x.gz", "x.Bz2"] {
            #expect(check(name) == .dump, "\(name)")
        }
        for name in ["README.md", "updates.20141222.1615.bz2.partial", "MD5SUMS.md5", "s.sqlite", "s.SQLITE-WAL", "s.sqlite-shm",
                     "x.sha256", "notes.TXT", "plot.png", "rib.20141222.0000.json"] {
            #expect(check(name) == .notDump, "\(name)")
        }
        for name in ["", "rib", "updates", "router1-2014-12-22", "x.g", "gz", "a.dum"] {
            #expect(check(name) == .unknown, "\(name)")
        }
    }
}
