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
                // Only async-signal-safe calls here: write(2) and _exit(2),
                // and no allocation (an array literal was one: malloc in a
                // handler that interrupted malloc on this thread).
                let clear: StaticString = "\r\u{1B}[K"
                _ = write(2, clear.utf8Start, clear.utf8CodeUnitCount)
                _exit(130)
            }
            Interrupt.requested = 1
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}
