import Foundation
import IdemCore
import IdemStore

/// Drives a `TokenWriter` like a payments API under load, deterministically for a given seed and start.
///
/// With a virtual clock (`rate == 0`) it lays every scenario on a timeline from `start` and runs it as fast as the
/// store takes it; with a rate it runs in real time, as a live service would, sleeping until each step is due.
public final class Simulator {
    /// What to simulate.
    public struct Config: Sendable {
        public var seed: UInt64
        /// Stop after this many store events (requests, completions, failures).
        public var events: Int?
        /// The simulated span (virtual) or the running time (real time).
        public var duration: TimeSpan?
        /// Events per second in real time; 0 runs on the virtual clock as fast as possible.
        public var rate: Double
        public var start: Instant
        public var policy: Policy

        public init(seed: UInt64 = 1, events: Int? = nil, duration: TimeSpan? = nil, rate: Double = 0,
                    start: Instant, policy: Policy = .standard) {
            self.seed = seed
            self.events = events
            self.duration = duration
            self.rate = rate
            self.start = start
            self.policy = policy
        }

        /// The virtual timeline's length when none is given: past the retention window, so tokens expire and
        /// are retried after expiry.
        public static func defaultSpan(policy: Policy) -> TimeSpan { policy.retention + .hours(2) }
    }

    /// What a run wrote and planted.
    public struct Summary: Sendable {
        public var events = 0
        public var outcomes: [Outcome: Int] = [:]
        public var completed = 0
        public var failed = 0
        public var planted: [Scenario: Int] = [:]
        /// The tokens of each planted scenario, for tests that check an audit finds them.
        public var plantedTokens: [Scenario: [TokenKey]] = [:]
        public var first: Instant?
        public var last: Instant?
    }

    let config: Config
    let writer: any TokenWriter
    let clock: any Clock
    let manual: ManualClock?
    var rng: SeededRandom
    var queue = StepQueue()
    var summary = Summary()
    var counters: [String: Int64] = [:]
    var stopRequested: @Sendable () -> Bool = { false }

    /// A simulator on a virtual clock: `writer` must read its time from `clock`.
    public init(config: Config, writer: any TokenWriter, clock: ManualClock) {
        self.config = config
        self.writer = writer
        self.clock = clock
        self.manual = clock
        self.rng = SeededRandom(seed: config.seed)
    }

    /// A simulator in real time (`config.rate > 0`): `writer` reads the wall clock.
    public init(config: Config, writer: any TokenWriter, wallClock: any Clock) {
        self.config = config
        self.writer = writer
        self.clock = wallClock
        self.manual = nil
        self.rng = SeededRandom(seed: config.seed)
    }

    /// Runs to the end (event count, duration, or `shouldStop`), calling `progress` now and then.
    public func run(shouldStop: @escaping @Sendable () -> Bool = { false },
                    progress: (Summary) -> Void = { _ in }) throws -> Summary {
        stopRequested = shouldStop
        if manual != nil {
            try runVirtual(progress: progress)
        } else {
            try runRealTime(progress: progress)
        }
        return summary
    }

    // MARK: Virtual time

    private func runVirtual(progress: (Summary) -> Void) throws {
        let span = config.duration ?? Config.defaultSpan(policy: config.policy)
        let end = config.start + span
        // Enough scenarios for the requested events, or a steady density of about one event every 20 s.
        let target = config.events ?? Int(max(200, span.ms / 20_000))
        var planned = 0
        while planned < target {
            planned += plan(at: nil, start: config.start, end: end)
        }
        while true {
            if let limit = config.events, summary.events >= limit { break }
            if queue.count == 0, config.events != nil {
                // The plan came out a little short: top up with clean requests between now and the end.
                let from = manual?.now() ?? config.start
                guard from < end else { break }
                plan(at: nil, start: from, end: end + .minutes(5), only: .clean)
            }
            guard let step = queue.pop() else { break }
            if step.at > end || stopRequested() { break }
            manual?.set(step.at)
            try perform(step)
            if summary.events % 5000 == 0 { progress(summary) }
        }
    }

    // MARK: Real time

    private func runRealTime(progress: (Summary) -> Void) throws {
        let begin = clock.now()
        let stopAt = config.duration.map { begin + $0 }
        let scenarioRate = max(config.rate / 2.4, 0.01)
        var nextArrival = begin
        var lastReport = begin
        while !stopRequested() {
            if let limit = config.events, summary.events >= limit { break }
            let now = clock.now()
            if let stopAt, now >= stopAt { break }
            while nextArrival <= now {
                plan(at: nextArrival, start: now, end: now + .hours(1))
                let gap = -log(max(Double.random(in: 0..<1, using: &rng), 1e-9)) / scenarioRate
                nextArrival = nextArrival + TimeSpan(ms: max(1, Int64(gap * 1000)))
            }
            if let step = queue.peek(), step.at <= now {
                _ = queue.pop()
                try perform(step)
                continue
            }
            let due = min(queue.peek()?.at ?? nextArrival, nextArrival)
            let wait = max(1, min(due.ms - clock.now().ms, 200))
            usleep(UInt32(wait * 1000))
            if now - lastReport >= .seconds(1) {
                progress(summary)
                lastReport = now
            }
        }
    }

    // MARK: Performing steps

    private func perform(_ step: Step) throws {
        switch step.action {
        case .attempt(let a):
            let result = try writer.begin(tenant: a.tenant, token: a.token, operation: a.operation,
                                          fingerprint: a.fingerprint, request: a.request)
            count(event: step.at)
            summary.outcomes[result.outcome, default: 0] += 1
            if let planted = a.plants, result.outcome == a.expect {
                note(planted, TokenKey(tenant: a.tenant, token: a.token))
            }
            if case .execute(let ticket, _) = result {
                switch a.finish {
                case .crash: break
                case .complete, .fail:
                    queue.push(Step(at: step.at + a.latency, action: .finish(ticket, a.finish, a.request)))
                }
            }
        case .finish(let ticket, let finish, let request):
            do {
                switch finish {
                case .complete:
                    try writer.complete(ticket, response: Payments.response(for: request, rng: &rng))
                    summary.completed += 1
                case .fail(let message):
                    try writer.fail(ticket, error: message)
                    summary.failed += 1
                case .crash:
                    return
                }
                count(event: step.at)
            } catch StoreError.superseded {
                // Purged meanwhile (a live demo with an operator at the keys): the service drops its result.
            }
        }
    }

    private func count(event at: Instant) {
        summary.events += 1
        if summary.first == nil { summary.first = at }
        summary.last = at
    }

    func note(_ scenario: Scenario, _ key: TokenKey) {
        summary.planted[scenario, default: 0] += 1
        summary.plantedTokens[scenario, default: []].append(key)
    }
}
