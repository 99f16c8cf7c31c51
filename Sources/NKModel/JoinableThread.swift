#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread that whoever started it joins: `join()` returns once the thread
/// has ended, its exit included. The body, and everything it captured, is
/// released by the joiner after that, never by the exiting thread.
///
/// nkwatch's threads are these rather than Foundation's `Thread`, which is
/// detached: its object, with the closure and what the closure holds, is
/// released by a thread-specific destructor when the thread ends, after
/// libdispatch's own destructor has freed the thread's continuation cache
/// (without clearing its pointer). When that release was the last one of an
/// object whose `deinit` uses a dispatch queue (the store's GRDB pool, held
/// by the ingest's decoding thread when the main thread had finished first),
/// libdispatch's destructor ran again over the freed cache: a double free,
/// seen in CI as an abort in glibc's `tcache_thread_shutdown`
/// (docs/robustness.md, "Threads, and the sanitizers"). Here nothing is
/// released by a thread's end, and no run goes on while a thread of it is
/// still ending.
public final class JoinableThread: @unchecked Sendable {
    private var handle: pthread_t?
    private var body: (() -> Void)?
    private var joined = false

    /// Starts `body` on a thread of its own with a stack of `stackSize`
    /// bytes. When no thread can be made (the system's thread or memory
    /// limit), the program ends with exit status 4 and a line saying so:
    /// the callers' work is shared with threads that wait for each other,
    /// and run on one thread instead it would hang.
    public init(stackSize: Int = 1 << 20, _ body: @escaping () -> Void) {
        self.body = body
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, max(stackSize, 64 << 10))
        // The thread holds this object while it runs (a joiner holds it too,
        // so the thread's release is not the last, and `body` goes in `join`).
        let context = Unmanaged.passRetained(self).toOpaque()
        #if canImport(Darwin)
        var t: pthread_t?
        #else
        var t = pthread_t()
        #endif
        let made = pthread_create(&t, &attributes, { raw in
            let thread = Unmanaged<JoinableThread>.fromOpaque(raw!).takeRetainedValue()
            thread.body?()
            return nil
        }, context)
        guard made == 0 else {
            let line = "nkwatch: cannot start a thread (\(String(cString: strerror(made)))): the system's limit on threads or memory is reached\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
            exit(4)
        }
        handle = t
    }

    /// Waits until the thread has ended; at once when it was joined already.
    /// Call it from one thread only.
    public func join() {
        guard !joined else { return }
        if let handle { pthread_join(handle, nil) }
        joined = true
        body = nil
    }

    deinit {
        // Never joined (a process ending on an error): the thread has let go
        // of this object, so its body has returned; its end is not waited for.
        if !joined, let handle { pthread_detach(handle) }
    }
}
