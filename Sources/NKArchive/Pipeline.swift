#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MRT

/// Decompresses on a thread of its own: a producer thread fills a few fixed
/// buffers from an `ArchiveStream` while the caller decodes the previous ones,
/// so that decompression and decoding overlap on two cores. Memory stays
/// bounded (`depth` × `chunkSize`); bytes arrive in order, and a damaged
/// stream's error is thrown only after every byte before it was delivered, as
/// with the stream itself.
public final class PipelinedByteSource: ByteSource {
    private let pipe: Pipe
    private var thread: pthread_t?
    private var current: UnsafeMutableRawBufferPointer?
    private var currentStart = 0
    private var currentEnd = 0
    private var ended = false

    /// Starts decompressing `stream` at once. The stream must not be used by
    /// anyone else afterwards.
    public init(_ stream: ArchiveStream, chunkSize: Int = 512 << 10, depth: Int = 4) {
        pipe = Pipe(stream: stream, chunkSize: max(chunkSize, 4096), depth: max(depth, 2))
        let box = Unmanaged.passRetained(pipe).toOpaque()
        var t = pthread_t()
        if pthread_create(&t, nil, { raw in
            // The box is released on the producer thread when it is done.
            let pipe = Unmanaged<Pipe>.fromOpaque(raw!).takeRetainedValue()
            pipe.produce()
            return nil
        }, box) == 0 {
            thread = t
        } else {
            // No thread: decompress on the caller's thread instead.
            Unmanaged<Pipe>.fromOpaque(box).release()
            pipe.inline = true
        }
    }

    deinit {
        pipe.cancel()
        if let t = thread { pthread_join(t, nil) }
    }

    public func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        if pipe.inline {
            return try pipe.stream.read(into: out)
        }
        if current == nil || currentStart == currentEnd {
            if ended { return 0 }
            if let done = current { pipe.recycle(done); current = nil }
            switch try pipe.next() {
            case .some(let (buffer, count)):
                current = buffer
                currentStart = 0
                currentEnd = count
            case .none:
                ended = true
                return 0
            }
        }
        guard let chunk = current else { return 0 }
        let n = min(out.count, currentEnd - currentStart)
        out.baseAddress!.copyMemory(from: chunk.baseAddress! + currentStart, byteCount: n)
        currentStart += n
        return n
    }

    /// The buffers and the lock between the two threads.
    final class Pipe: @unchecked Sendable {
        let stream: ArchiveStream
        var inline = false
        private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        private var buffers: [UnsafeMutableRawBufferPointer] = []
        private var free: [UnsafeMutableRawBufferPointer] = []
        private var full: [(UnsafeMutableRawBufferPointer, Int)] = []
        private var fullHead = 0
        private var finished = false
        private var failure: Error?
        private var cancelled = false

        init(stream: ArchiveStream, chunkSize: Int, depth: Int) {
            self.stream = stream
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(changed, nil)
            for _ in 0..<depth {
                let b = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
                buffers.append(b)
                free.append(b)
            }
            full.reserveCapacity(depth)
        }

        deinit {
            for b in buffers { b.deallocate() }
            pthread_cond_destroy(changed)
            pthread_mutex_destroy(mutex)
            changed.deallocate()
            mutex.deallocate()
        }

        /// The producer thread: fill free buffers until the end, an error, or cancellation.
        func produce() {
            while true {
                pthread_mutex_lock(mutex)
                while free.isEmpty && !cancelled { pthread_cond_wait(changed, mutex) }
                if cancelled { pthread_mutex_unlock(mutex); return }
                let buffer = free.removeLast()
                pthread_mutex_unlock(mutex)

                var count = 0, atEnd = false
                var error: Error?
                do {
                    while count < buffer.count {
                        let n = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
                        if n == 0 { atEnd = true; break }
                        count += n
                    }
                } catch let e {
                    error = e
                }

                pthread_mutex_lock(mutex)
                if count > 0 { full.append((buffer, count)) } else { free.append(buffer) }
                if let error { failure = error }
                if atEnd || error != nil { finished = true }
                pthread_cond_broadcast(changed)
                pthread_mutex_unlock(mutex)
                if atEnd || error != nil { return }
            }
        }

        /// The next filled buffer, nil at the end; throws the stream's error
        /// after the last good buffer.
        func next() throws -> (UnsafeMutableRawBufferPointer, Int)? {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            while fullHead == full.count && !finished { pthread_cond_wait(changed, mutex) }
            if fullHead < full.count {
                let item = full[fullHead]
                fullHead += 1
                if fullHead == full.count { full.removeAll(keepingCapacity: true); fullHead = 0 }
                return item
            }
            if let e = failure { failure = nil; throw e }
            return nil
        }

        func recycle(_ buffer: UnsafeMutableRawBufferPointer) {
            pthread_mutex_lock(mutex)
            free.append(buffer)
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
        }

        func cancel() {
            pthread_mutex_lock(mutex)
            cancelled = true
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
        }
    }
}
