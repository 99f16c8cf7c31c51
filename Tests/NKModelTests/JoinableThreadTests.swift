#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NKModel
import Testing

@Suite("Threads that are joined")
struct JoinableThreadTests {
    /// A thread-specific value whose destructor, run as a thread ends,
    /// sets the flag the value points to.
    static let endMarker: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { value in value?.assumingMemoryBound(to: Int.self).pointee = 1 }
        return key
    }()

    /// Records on which thread it was released.
    final class Witness: @unchecked Sendable {
        let released: UnsafeMutablePointer<pthread_t>
        init(_ released: UnsafeMutablePointer<pthread_t>) { self.released = released }
        deinit { released.pointee = pthread_self() }
    }

    @Test("join returns once the thread's end is over, its thread-specific destructors included; what the body captured is released by the joiner, not by the ending thread")
    func joinWaitsForTheEnd() {
        for _ in 0..<50 {
            let started = DispatchSemaphore(value: 0), go = DispatchSemaphore(value: 0)
            let released = UnsafeMutablePointer<pthread_t>.allocate(capacity: 1)
            defer { released.deallocate() }
            released.initialize(to: pthread_t())
            let ran = UnsafeMutablePointer<pthread_t>.allocate(capacity: 1)
            defer { ran.deallocate() }
            ran.initialize(to: pthread_t())
            let ended = UnsafeMutablePointer<Int>.allocate(capacity: 1)
            defer { ended.deallocate() }
            ended.initialize(to: 0)
            var thread: JoinableThread?
            do {
                let witness = Witness(released)
                thread = JoinableThread {
                    withExtendedLifetime(witness) { ran.pointee = pthread_self() }
                    pthread_setspecific(Self.endMarker, ended)
                    started.signal()
                    go.wait()
                }
            }
            started.wait()
            #expect(ended.pointee == 0)
            go.signal()
            thread!.join()
            // Its end is over, thread-specific destructors included: nothing
            // of it still runs behind the join.
            #expect(ended.pointee == 1)
            #expect(pthread_equal(released.pointee, pthread_self()) != 0)
            #expect(pthread_equal(ran.pointee, pthread_self()) == 0)
            thread!.join()  // a second join returns at once
        }
    }

    @Test("a thread dropped without a join still runs its body to the end")
    func droppedUnjoined() {
        let done = DispatchSemaphore(value: 0)
        let value = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        defer { value.deallocate() }
        value.initialize(to: 0)
        do {
            _ = JoinableThread {
                usleep(20_000)
                value.pointee = 42
                done.signal()
            }
        }
        done.wait()
        #expect(value.pointee == 42)
    }
}
