#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM during a long command: the first asks the
/// work to stop at the next file, after committing what was decoded; a
/// second one ends the process at once (exit 130), clearing the progress line.
enum Interrupt {
    /// Set by the signal handler; read between files.
    nonisolated(unsafe) static var requested: sig_atomic_t = 0

    static var isRequested: Bool { requested != 0 }

    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            if Interrupt.requested != 0 {
                // Only async-signal-safe calls here: write(2) and _exit(2).
                let clear: [UInt8] = [13, 27, 91, 75]  // "\r\u{1B}[K"
                _ = clear.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                _exit(130)
            }
            Interrupt.requested = 1
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}
