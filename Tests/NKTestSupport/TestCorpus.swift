import Foundation
import Testing

/// Where the tests find things outside their own target: the repository and
/// the shared conformance corpus. One definition for every test target, so
/// that `NKWATCH_CORPUS` means the same everywhere.
public enum TestCorpus {
    /// The repository's root folder.
    public static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The corpus folder (holding `ris/` and bgpdump's outputs):
    /// `$NKWATCH_CORPUS` when set, else `../shared/corpus` beside the
    /// repository; nil when it is absent, and the tests that need it skip
    /// with `skipMessage`.
    public static var location: URL? {
        let env = ProcessInfo.processInfo.environment["NKWATCH_CORPUS"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
        let url = env ?? repoRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("ris").path) ? url : nil
    }

    /// The RIS dumps of the corpus.
    public static var ris: URL? { location?.appendingPathComponent("ris") }

    public static var isAvailable: Bool { location != nil }

    /// What a skipped test says.
    public static let skipMessage = Comment(rawValue: "the conformance corpus is absent (../shared/corpus, or set NKWATCH_CORPUS): skipped")
}
