#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NKModel
import Testing

@Suite("Threads that are joined")
struct JoinableThreadTests {
    /// Whether the thread of kernel id `tid` is in this process's list
    /// (other tests start and end threads meanwhile: a count would not do).
    static func exists(_ tid: Int32) -> Bool {
        access("/proc/self/task/\(tid)", F_OK) == 0
    }

    /// The calling thread's kernel id (/proc/thread-self is PID/task/TID).
    static func currentTID() -> Int32 {
        var link = [CChar](repeating: 0, count: 64)
        let n = readlink("/proc/thread-self", &link, link.count - 1)
        guard n > 0 else { return -1 }
        return Int32(String(decoding: link[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: "/").last ?? "") ?? -1
    }

    /// Records on which thread it was released.
    final class Witness: @unchecked Sendable {
        let released: UnsafeMutablePointer<pthread_t>
        init(_ released: UnsafeMutablePointer<pthread_t>) { self.released = released }
        deinit { released.pointee = pthread_self() }
    }

    @Test("join returns once the thread is gone from the kernel's list; what the body captured is released by the joiner, not by the ending thread")
    func joinWaitsForTheEnd() {
        for _ in 0..<50 {
            let started = DispatchSemaphore(value: 0), go = DispatchSemaphore(value: 0)
            let released = UnsafeMutablePointer<pthread_t>.allocate(capacity: 1)
            defer { released.deallocate() }
            released.initialize(to: pthread_t())
            let ran = UnsafeMutablePointer<pthread_t>.allocate(capacity: 1)
            defer { ran.deallocate() }
            ran.initialize(to: pthread_t())
            let tid = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
            defer { tid.deallocate() }
            tid.initialize(to: 0)
            var thread: JoinableThread?
            do {
                let witness = Witness(released)
                thread = JoinableThread {
                    withExtendedLifetime(witness) { ran.pointee = pthread_self() }
                    tid.pointee = Self.currentTID()
                    started.signal()
                    go.wait()
                }
            }
            started.wait()
            #expect(tid.pointee > 0 && Self.exists(tid.pointee))
            go.signal()
            thread!.join()
            // Gone at once: no thread still ending behind the join.
            #expect(!Self.exists(tid.pointee))
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
