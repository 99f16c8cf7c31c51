import ArgumentParser
import MRT
import NKArchive
import NKModel
import NKStore
import NKWatchCore
#if canImport(Glibc)
import Glibc
#endif

@main
struct NKWatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nkwatch",
        abstract: "Internet outage analysis from BGP archives (MRT dumps).",
        discussion: """
        nkwatch decodes MRT dumps (RouteViews .bz2, RIPE RIS .gz, plain) and follows \
        the reachability of a country's or network's prefixes across BGP peers.

        Start with:
          nkwatch report SampleData/kp-2014-12            # the shipped sample, end to end
          nkwatch ingest archive/rrc00/2014.12/           # dumps into ./nkwatch.sqlite
          nkwatch classify                                # labels and a verdict
          nkwatch dump updates.20141222.1615.bz2          # bgpdump -m compatible lines

        Exit codes: 0 ok; 1 a check failed (--expect, --fail-on); 2 usage error; \
        3 bad or missing input (after doing what could be done); 4 the store or the \
        environment failed (damaged, locked or read-only store, disk full).
        """,
        version: nkwatchVersion,
        subcommands: [Fetch.self, Ingest.self, Merge.self, Timeline.self, Classify.self, Report.self, Dump.self, Simulate.self]
    )

    static func main() {
        BuildInfo.revision = gitRevision
        // A file-size limit (a quota) must end a write with an error, not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        // A parent may hand down a mask that blocks SIGINT and SIGTERM (a
        // process spawned from a libdispatch worker thread inherits that
        // thread's mask): Ctrl-C and `kill` must still reach nkwatch.
        var deliverable = sigset_t()
        sigemptyset(&deliverable)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&deliverable, s) }
        pthread_sigmask(SIG_UNBLOCK, &deliverable, nil)
        do {
            var command = try parseAsRoot(Self.rawArguments())
            try command.run()
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch {
            if let status = ExitStatus(for: error) {
                Stderr.line("\(error)")
                Glibc.exit(status.rawValue)
            }
            let code = exitCode(for: error)
            if code == .validationFailure {
                Stderr.write(fullMessage(for: error) + "\n")
                Glibc.exit(ExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}

extension NKWatch {
    /// The command line as given, each argument kept lossless even when it
    /// is not UTF-8 (a file name): see `PathBytes`.
    static func rawArguments() -> [String] {
        (1..<Int(CommandLine.argc)).compactMap { i in
            CommandLine.unsafeArgv[i].map { PathBytes.string(UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: strlen($0))) }
        }
    }
}

/// What `--version` prints, on every command: `nkwatch 0.12.0 (rev 1a2b3c4d5e6f)`.
let nkwatchVersion = "nkwatch " + (gitRevision.map { "\(BuildInfo.version) (rev \($0))" } ?? BuildInfo.version)

/// Exit codes (DESIGN.md), and the one place errors map to them.
enum ExitStatus: Int32 {
    case ok = 0
    /// A check failed: `--expect` mismatch, `--fail-on` hit.
    case checkFailed = 1
    case usage = 2
    /// Unreadable or invalid input, or inputs that could not be obtained.
    case badInput = 3
    /// The store or the environment failed.
    case environment = 4

    var code: ExitCode { ExitCode(rawValue) }

    /// The status for an error of one of nkwatch's layers; nil for the
    /// argument parser's own errors.
    init?(for error: any Error) {
        switch error {
        case let e as StoreError:
            switch e.code {
            case .scopeMismatch, .notAStore, .newerSchema: self = .usage
            case .damaged, .full, .readOnly, .locked, .failed: self = .environment
            }
        case let e as AnalysisError:
            switch e {
            case .noStore, .emptyStore, .scopeMismatch, .unknownScope, .severalScopes: self = .usage
            case .nothingReadable, .nothingToRead, .noData: self = .badInput
            }
        case is FileError, is ArchiveError, is MRTError, is Delegations.ParseError, is Simulator.Error, is InputError:
            self = .badInput
        case is UsageError:
            self = .usage
        case is OutputError, is EnvironmentError, is EnvironmentFailure:
            self = .environment
        default:
            return nil
        }
    }
}

/// An input the command cannot use (a file it cannot read or parse).
struct InputError: Error, CustomStringConvertible {
    var description: String
}

/// A command line that asks for something that cannot be (exit 2), found
/// after parsing (a file of the wrong kind given to an option).
struct UsageError: Error, CustomStringConvertible {
    var description: String
}

/// Output that cannot be written.
struct OutputError: Error, CustomStringConvertible {
    var description: String
}

/// Unbuffered lines to standard error.
enum Stderr {
    static func write(_ s: String) {
        var bytes = Array(s.utf8)
        bytes.withUnsafeMutableBytes { b in
            var off = 0
            while off < b.count {
                let n = Glibc.write(2, b.baseAddress! + off, b.count - off)
                if n <= 0 { return }
                off += n
            }
        }
    }

    static func line(_ s: String) { write("nkwatch: " + s + "\n") }
}

/// Buffered bytes to standard output.
struct StdoutWriter {
    var buffer = TextBuffer(capacity: Dumper.flushThreshold + (1 << 14))

    mutating func write(_ text: String) { buffer.put(Array(text.utf8)) }

    mutating func flush() { Self.flush(&buffer) }

    /// Writes and empties `buffer`; a closed pipe or a full disk ends the
    /// program with exit 4.
    static func flush(_ buffer: inout TextBuffer) {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = Glibc.write(1, b.baseAddress! + off, b.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { exit(ExitStatus.environment.rawValue) }
                off += n
            }
        }
        buffer.removeAll()
    }
}
