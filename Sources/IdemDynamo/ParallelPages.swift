import Foundation
import IdemCore

/// Runs `count` blocking jobs, each on its own thread (they wait on the network, not the CPU), and returns their
/// results in order.
enum ParallelPages {
    static func run<T: Sendable>(count: Int, _ job: @escaping @Sendable (Int) -> T) -> [T] {
        if count == 1 { return [job(0)] }
        let slots = Locked<[T?]>(Array(repeating: nil, count: count))
        let group = DispatchGroup()
        for i in 0..<count {
            group.enter()
            let thread = Thread {
                let value = job(i)
                slots.withLock { $0[i] = value }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return slots.withLock { $0.compactMap { $0 } }
    }
}
