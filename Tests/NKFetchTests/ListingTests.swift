import Foundation
import NKModel
import Testing
@testable import NKFetch

@Suite("Archive listings, layouts and file selection")
struct ListingTests {
    @Test("directory listings of nginx, Apache and RIPE's style give the entry names")
    func listings() {
        let nginx = """
            <html><head><title>Index of /rrc00/2014.12/</title></head><body><h1>Index of /rrc00/2014.12/</h1><hr><pre><a href="../">../</a>
            <a href="bview.20141219.0000.gz">bview.20141219.0000.gz</a>                             29-Nov-2026 10:59               14791
            <a href="updates.20141219.0005.gz">updates.20141219.0005.gz</a>                             29-Nov-2026 10:59    348
            """
        #expect(DirectoryListing.names(inHTML: nginx) == ["bview.20141219.0000.gz", "updates.20141219.0005.gz"])
        let apache = """
            <tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/bgpdata/2014.12/">Parent Directory</a></td></tr>
            <tr><td><a href="?C=N;O=D">Name</a></td></tr>
            <tr><td><a HREF='updates.20141222.1615.bz2'>updates.20141222.1615.bz2</a></td><td align="right">2014-12-22 16:31  </td><td align="right">1.2M</td></tr>
            <tr><td><a href=updates.20141222.1630.bz2>x</a></td></tr>
            <a href="https://archive.routeviews.org/bgpdata/2014.12/UPDATES/updates.20141222.1645.bz2">abs</a>
            <a href="updates%2E20141222.1700.bz2">pct</a>
            <a href="RIBS/">RIBS/</a>
            """
        #expect(DirectoryListing.names(inHTML: apache) == ["2014.12/", "updates.20141222.1615.bz2", "updates.20141222.1630.bz2",
                                                          "updates.20141222.1645.bz2", "updates.20141222.1700.bz2", "RIBS/"])
    }

    @Test("where collectors' files are listed and cached")
    func collectors() throws {
        let sites = ArchiveSites(routeViews: URL(string: "http://rv.example/")!, ris: URL(string: "http://ris.example/base")!)
        let month = ArchiveMonth(year: 2014, month: 12)
        let rv2 = try #require(ArchiveCollector.named("route-views2"))
        #expect(rv2.listings(month, sites: sites).map(\.url.absoluteString) == ["http://rv.example/bgpdata/2014.12/UPDATES/", "http://rv.example/bgpdata/2014.12/RIBS/"])
        let linx = try #require(ArchiveCollector.named("route-views.linx"))
        #expect(linx.listings(month, sites: sites).first?.url.absoluteString == "http://rv.example/route-views.linx/bgpdata/2014.12/UPDATES/")
        #expect(ArchiveCollector.named("route-views3")?.project == .routeviews)
        let rrc = try #require(ArchiveCollector.named("rrc00"))
        #expect(rrc.listings(month, sites: sites).map(\.url.absoluteString) == ["http://ris.example/base/rrc00/2014.12/"])
        #expect(rrc.cachePath(cache: "/c", month: month, kind: .updates, file: "updates.20141222.1615.gz") == "/c/rrc00/2014.12/updates.20141222.1615.gz")
        #expect(rv2.cachePath(cache: "/c", month: month, kind: .rib, file: "rib.20141222.1600.bz2") == "/c/route-views2/bgpdata/2014.12/RIBS/rib.20141222.1600.bz2")
        #expect(ArchiveCollector.named("mycollector") == nil && ArchiveCollector.named("route-views") == nil && ArchiveCollector.named("rrc") == nil)
        #expect(ArchiveMonth.covering(from: Timestamp(parsing: "2014-12-30")!, to: Timestamp(parsing: "2015-01-01")!).map(\.description) == ["2014.12"])
        #expect(ArchiveMonth.covering(from: Timestamp(parsing: "2014-12-30")!, to: Timestamp(parsing: "2015-02-01T00:00:01Z")!).map(\.description)
            == ["2014.12", "2015.01", "2015.02"])
    }

    @Test("selection: updates in [from, to), the last RIB dump at or before from, and those inside by --ribs")
    func selection() throws {
        let rrc = try #require(ArchiveCollector.named("rrc00"))
        let month = ArchiveMonth(year: 2014, month: 12)
        let t = { (s: String) in Timestamp(parsing: s)! }
        let listed: [(name: String, kind: FileKind, time: Timestamp, month: ArchiveMonth)] = [
            ("bview.20141222.0000.gz", .rib, t("2014-12-22T00:00Z"), month), ("bview.20141222.0800.gz", .rib, t("2014-12-22T08:00Z"), month),
            ("bview.20141222.1600.gz", .rib, t("2014-12-22T16:00Z"), month),
            ("updates.20141222.0755.gz", .updates, t("2014-12-22T07:55Z"), month), ("updates.20141222.0800.gz", .updates, t("2014-12-22T08:00Z"), month),
            ("updates.20141222.0805.gz", .updates, t("2014-12-22T08:05Z"), month), ("updates.20141222.1600.gz", .updates, t("2014-12-22T16:00Z"), month),
        ]
        func names(_ ribs: FetchSelection.RIBs) -> [String] {
            FetchSelection.select(listed, collector: rrc, from: t("2014-12-22T08:00Z"), to: t("2014-12-22T16:00Z"), ribs: ribs, sites: .publicArchives,
                                  cache: "c") { n, _, _ in URL(string: "http://x/\(n)")! }.map(\.name)
        }
        #expect(names(.all) == ["bview.20141222.0800.gz", "updates.20141222.0800.gz", "updates.20141222.0805.gz"])
        #expect(names(.first) == ["bview.20141222.0800.gz", "updates.20141222.0800.gz", "updates.20141222.0805.gz"])
        #expect(names(.none) == ["updates.20141222.0800.gz", "updates.20141222.0805.gz"])
        let wide = FetchSelection.select(listed, collector: rrc, from: t("2014-12-22T07:00Z"), to: t("2014-12-22T17:00Z"), ribs: .all, sites: .publicArchives,
                                         cache: "c") { n, _, _ in URL(string: "http://x/\(n)")! }.map(\.name)
        #expect(wide.filter { $0.hasPrefix("bview") } == ["bview.20141222.0000.gz", "bview.20141222.0800.gz", "bview.20141222.1600.gz"])
    }

    @Test("listing gaps: update files the cadence calls for and the listing lacks, 15-minute files of 2002 included")
    func gaps() throws {
        let rv = try #require(ArchiveCollector.named("route-views2"))
        let t0 = Timestamp(parsing: "2014-12-21T00:00Z")!
        let times = (0..<96).filter { $0 != 12 && $0 != 13 && $0 != 95 }.map { t0.adding(seconds: Int64($0) * 900) }
        let g = FetchSelection.gaps(updateTimes: times, collector: rv, from: t0, to: t0.adding(seconds: 86400))
        #expect(g == [ListingGap(collector: "route-views2", start: t0.adding(seconds: 12 * 900), end: t0.adding(seconds: 14 * 900), files: 2),
                      ListingGap(collector: "route-views2", start: t0.adding(seconds: 95 * 900), end: t0.adding(seconds: 86400), files: 1)])
        // RIS in 2002: 15-minute files at odd minutes; none lacking.
        let rrc = try #require(ArchiveCollector.named("rrc00"))
        let odd = (0..<8).map { Timestamp(parsing: "2002-07-22T22:38Z")!.adding(seconds: Int64($0) * 900) }
        #expect(FetchSelection.gaps(updateTimes: odd, collector: rrc, from: Timestamp(parsing: "2002-07-22T22:38Z")!,
                                    to: Timestamp(parsing: "2002-07-23T00:38Z")!).isEmpty)
    }

    @Test("retry waits grow, with jitter, up to the cap")
    func backoff() {
        let p = RetryPolicy(attempts: 6, baseDelay: 1, maxDelay: 8)
        for n in 1...6 {
            let d = p.delay(beforeTry: n)
            let exp = min(8, pow(2, Double(n - 1)))
            #expect(d >= exp / 2 && d <= exp)
        }
        #expect(p.delay(beforeTry: 1, retryAfter: 5) == 5)
    }
}
