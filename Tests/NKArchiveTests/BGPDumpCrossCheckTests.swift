import Foundation
import MRT
import NKArchive
import NKModel
import Testing

let bgpdumpPath = ["/usr/bin/bgpdump", "/usr/local/bin/bgpdump"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// A second cross-check on data no one wrote by hand: MRT files from the
/// project's writer, covering every record type, decoded by Debian's bgpdump
/// and by nkwatch. Any differing line is listed.
@Suite("Cross-check with Debian's bgpdump on writer output")
struct BGPDumpCrossCheckTests {
    /// Debian's bgpdump 1.6.2 does not treat the LOCAL_ADDPATH subtypes (10, 11)
    /// as sent messages: it drops "_LOCAL" from the label and prints the
    /// collector's own address and AS instead of the peer's. Upstream bgpdump
    /// prints `BGP4MP_LOCAL_AP` and the peer, as nkwatch does (docs/formats.md).
    static func knownDifference(_ ours: String, _ theirs: String) -> Bool {
        let o = ours.split(separator: "|", omittingEmptySubsequences: false)
        let t = theirs.split(separator: "|", omittingEmptySubsequences: false)
        guard o.count == t.count, o.count > 5, o[0].hasSuffix("_LOCAL_AP"),
              t[0] == o[0].replacingOccurrences(of: "_LOCAL_AP", with: "_AP") else { return false }
        return o[1] == t[1] && o[2] == t[2] && o[5...] == t[5...]
    }

    @Test("every sample decodes the same in bgpdump and nkwatch",
          .enabled(if: bgpdumpPath != nil, "bgpdump is not installed (apt-get install bgpdump): cross-check skipped"),
          arguments: SampleArchives.all().map(\.name))
    func sameAsBGPDump(name: String) throws {
        let sample = try #require(SampleArchives.all().first { $0.name == name })
        let dir = try Support.tempDir("crosscheck")
        defer { try? FileManager.default.removeItem(at: dir) }
        for compression in Compression.allCases {
            // Debian's bgpdump picks its decompressor from the file name.
            let ext = compression == .gzip ? ".gz" : compression == .bzip2 ? ".bz2" : ""
            let url = dir.appendingPathComponent(name + ext)
            try Support.write(try Compressor.compress(sample.bytes, as: compression), to: url)
            let (status, theirs) = try Support.run(try #require(bgpdumpPath), ["-m", url.path])
            #expect(status == 0)
            let (ours, report) = Support.dumpLines(url.path)
            #expect(report.isClean, "\(report.allErrors)")
            if sample.bgpdumpSilent {
                // bgpdump 1.6 does not decode RIB multicast or RIB_GENERIC records; nkwatch does.
                #expect(theirs.isEmpty)
                #expect(ours.split(separator: "\n").count == 4)
                continue
            }
            let a = ours.split(separator: "\n"), b = theirs.split(separator: "\n")
            let differences = zip(a, b).enumerated().filter { $0.element.0 != $0.element.1 && !Self.knownDifference(String($0.element.0), String($0.element.1)) }
                .map { "line \($0.offset + 1):\n  nkwatch: \($0.element.0)\n  bgpdump: \($0.element.1)" }
            #expect(differences.isEmpty, "\(compression): \(differences.joined(separator: "\n"))")
            #expect(a.count == b.count, "\(compression): \(a.count) lines vs bgpdump's \(b.count)")
        }
    }

    @Test("BIRD's ADD-PATH UPDATEs in plain subtypes and OpenBGPD's 8-byte AGGREGATOR: where bgpdump is wrong, nkwatch reads what was sent (docs/formats.md)",
          .enabled(if: bgpdumpPath != nil, "bgpdump is not installed (apt-get install bgpdump): cross-check skipped"))
    func otherProducers() throws {
        let dir = try Support.tempDir("producers")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bird = dir.appendingPathComponent("bird-addpath.mrt"), openbgpd = dir.appendingPathComponent("openbgpd-table-dump.mrt")
        try Support.write(SampleArchives.birdAddPath(), to: bird)
        try Support.write(SampleArchives.openBGPDTableDump(), to: openbgpd)
        // bgpdump reads the path identifiers' bytes as prefix lengths.
        let (_, theirs) = try Support.run(try #require(bgpdumpPath), ["-m", bird.path])
        let (ours, _) = Support.dumpLines(bird.path)
        #expect(!theirs.contains("172.17.0.0/24") && !theirs.contains("fd01:1::/64"), "\(theirs)")
        #expect(ours.contains("|172.17.0.0/24|1|") && ours.contains("|172.17.0.0/24|2|") && ours.contains("|fd01:1::/64|1|"), "\(ours)")
        // bgpdump ignores the AGGREGATOR's length: "0 253.232.192.168".
        let (_, theirsTD) = try Support.run(try #require(bgpdumpPath), ["-m", openbgpd.path])
        let (oursTD, _) = Support.dumpLines(openbgpd.path)
        #expect(theirsTD.contains("|0 253.232.192.168|"), "\(theirsTD)")
        #expect(oursTD.contains("|65000 192.168.0.15|"))
        // Everything else on the line is the same.
        #expect(theirsTD.replacingOccurrences(of: "0 253.232.192.168", with: "65000 192.168.0.15") == oursTD)
    }
}
