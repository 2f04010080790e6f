import IdemCore

/// What a client sends, and what the service will do with it if it executes.
struct Attempt {
    var tenant: String
    var token: String
    var operation: String
    var request: StoredRequest
    var fingerprint: Fingerprint
    var finish: Finish
    var latency: TimeSpan
    /// The scenario this attempt plants when the store answers `expect`.
    var plants: Scenario?
    var expect: Outcome
}

/// How an execution ends.
enum Finish {
    case complete
    case fail(String)
    /// The worker dies: nothing is written, the token stays in progress.
    case crash
}

/// One scheduled thing: a request arriving, or an execution finishing.
struct Step {
    enum Action {
        case attempt(Attempt)
        case finish(Ticket, Finish, StoredRequest)
    }
    var at: Instant
    var action: Action
    var order: Int64 = 0
}

/// A min-heap of steps by time, then by the order they were scheduled in (so equal times stay deterministic).
struct StepQueue {
    private var heap: [Step] = []
    private var counter: Int64 = 0

    var count: Int { heap.count }

    mutating func push(_ step: Step) {
        var s = step
        counter += 1
        s.order = counter
        heap.append(s)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.less(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    func peek() -> Step? { heap.first }

    mutating func pop() -> Step? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count, Self.less(heap[l], heap[m]) { m = l }
            if r < heap.count, Self.less(heap[r], heap[m]) { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return top
    }

    static func less(_ a: Step, _ b: Step) -> Bool { a.at != b.at ? a.at < b.at : a.order < b.order }
}
