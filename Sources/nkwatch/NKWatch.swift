import ArgumentParser
import MRT
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
          nkwatch dump updates.20141222.1615.bz2          # bgpdump -m compatible lines
          nkwatch dump --format jsonl --prefix 175.45.176.0/22 rrc00/updates.*.gz
        """,
        subcommands: [Ingest.self, Timeline.self, Classify.self, Report.self, Dump.self, Simulate.self]
    )

    /// Exit codes (DESIGN.md): 0 ok; 1 a check failed; 2 usage error;
    /// 3 unreadable or invalid input (after doing what could be done).
    enum Exit {
        static let ok: Int32 = 0
        static let checkFailed: Int32 = 1
        static let usage: Int32 = 2
        static let badInput: Int32 = 3
    }

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                Stderr.write(fullMessage(for: error) + "\n")
                Glibc.exit(Exit.usage)
            }
            exit(withError: error)
        }
    }
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
    var buffer = TextBuffer(capacity: (1 << 16) + (1 << 14))
    let threshold = 1 << 16

    mutating func flushIfNeeded() { if buffer.count >= threshold { flush() } }

    mutating func write(_ text: String) { buffer.put(Array(text.utf8)) }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = Glibc.write(1, b.baseAddress! + off, b.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { exit(NKWatch.Exit.badInput) }
                off += n
            }
        }
        buffer.removeAll()
    }
}
