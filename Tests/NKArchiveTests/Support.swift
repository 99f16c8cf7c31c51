import Foundation
import MRT
import NKArchive
import NKTestSupport

/// Paths and helpers shared by the tests of this target.
enum Support {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The conformance corpus (`TestCorpus`: `NKWATCH_CORPUS` or `../shared/corpus`).
    static var corpus: URL? { TestCorpus.location }

    static var corpusAvailable: Bool { corpus != nil }

    static func tempDir(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nkwatch-tests-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ bytes: [UInt8], to url: URL) throws {
        try Data(bytes).write(to: url)
    }

    /// Decodes a whole file the way `nkwatch dump` does and returns the bgpdump lines and the report.
    static func dumpLines(_ path: String) -> (String, FileReport) {
        var decoder = MRTDecoder()
        var out: [UInt8] = []
        var writer = BGPDumpFormatter.Writer()
        let report = readMRTFile(path: path, decoder: &decoder) { record in
            for e in record.elements { writer.append(e, to: &out) }
        }
        return (String(decoding: out, as: UTF8.self), report)
    }

    /// Runs a program; returns exit status and standard output.
    static func run(_ exe: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func gunzip(_ url: URL) throws -> String {
        String(decoding: try ArchiveStream(path: url.path).readAll(), as: UTF8.self)
    }
}
