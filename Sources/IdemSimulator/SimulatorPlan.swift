import IdemCore

extension Simulator {
    static let mix: [(Scenario, Int)] = [
        (.clean, 55), (.retriedOnTimeout, 8), (.concurrentDuplicate, 5), (.tokenReuse, 4), (.stuck, 2),
        (.reexecutedAfterExpiry, 3), (.doubleChargeSuspect, 3), (.retryStorm, 1), (.expiringWithRetries, 2),
        (.failed, 4),
    ]

    /// Lays one scenario on the queue: at `at` (real time), or at a random time in `start..<end` that suits it.
    /// Returns how many store events it should write (one per request, one more per finished execution).
    @discardableResult
    func plan(at: Instant?, start: Instant, end: Instant, only: Scenario? = nil) -> Int {
        var planned = 0
        var scenario = only ?? rng.weighted(Simulator.mix)
        let retention = config.policy.retention
        let lock = config.policy.lockTimeout
        let margin = Simulator.expiryMargin(retention)
        // The window each scenario needs so that what it plants is visible at the end of the timeline.
        func window(_ s: Scenario) -> (Instant, Instant) {
            switch s {
            case .stuck: return (max(start, end - .minutes(30)), end - lock - lock - lock)
            case .reexecutedAfterExpiry: return (start, end - retention - .minutes(61))
            case .expiringWithRetries: return (start, end - retention)
            default: return (start, end - .minutes(5))
            }
        }
        var (lo, hi) = window(scenario)
        if at == nil, hi <= lo {
            scenario = .clean
            (lo, hi) = window(.clean)
        }
        let s = at ?? Instant(ms: hi > lo ? rng.int(lo.ms...(hi.ms - 1)) : lo.ms)

        let tenant = rng.weighted(SimTenant.all.map { ($0, $0.weight) })
        let path = rng.weighted(Payments.operations)
        let token = makeToken(tenant, at: s)
        let amount = rng.int(100...250_000)
        let request = Payments.request(path: path, token: token, amount: amount, rng: &rng)
        let weak: Scenario? = (tenant.style == .timestamp || tenant.style == .counter) ? .weakToken : nil

        func attempt(_ t: Instant, token: String = token, request: StoredRequest = request, finish: Finish = .complete,
                     latency: TimeSpan? = nil, plants: Scenario? = nil, expect: Outcome = .executed) {
            let fp = Fingerprint.of(method: request.method, path: request.path, body: request.body)
            let a = Attempt(tenant: tenant.name, token: token, operation: "\(request.method) \(request.path)",
                            request: request, fingerprint: fp, finish: finish,
                            latency: latency ?? TimeSpan(ms: rng.int(40...900)), plants: plants, expect: expect)
            queue.push(Step(at: t, action: .attempt(a)))
            planned += 1
            if expect.executes, case .crash = finish {} else if expect.executes { planned += 1 }
        }

        switch scenario {
        case .clean, .weakToken:
            attempt(s, plants: weak)
        case .retriedOnTimeout:
            let latency = TimeSpan(ms: rng.int(1500...4000))
            attempt(s, latency: latency, plants: weak)
            attempt(s + .seconds(1), expect: .conflict)
            attempt(s + latency + TimeSpan(ms: rng.int(500...5000)), plants: .retriedOnTimeout, expect: .replayed)
        case .concurrentDuplicate:
            attempt(s, latency: TimeSpan(ms: rng.int(200...600)), plants: weak)
            attempt(s + TimeSpan(ms: rng.int(0...5)), plants: .concurrentDuplicate, expect: .conflict)
        case .tokenReuse:
            attempt(s, plants: weak)
            var other = Payments.request(path: path, token: token, amount: amount + rng.int(1...5000), rng: &rng)
            other.headers["Authorization"] = request.headers["Authorization"]
            attempt(s + TimeSpan(ms: rng.int(30_000...600_000)), request: other, plants: .tokenReuse, expect: .mismatch)
        case .stuck:
            attempt(s, finish: .crash, plants: .stuck)
        case .reexecutedAfterExpiry:
            attempt(s, plants: weak)
            attempt(s + retention + TimeSpan(ms: rng.int(60_000...3_600_000)), plants: .reexecutedAfterExpiry,
                    expect: .reexecuted)
        case .doubleChargeSuspect:
            attempt(s, plants: weak)
            let fresh = makeToken(tenant, at: s + .seconds(2))
            var again = request
            again.headers["Idempotency-Key"] = fresh
            attempt(s + TimeSpan(ms: rng.int(2000...90_000)), token: fresh, request: again,
                    plants: .doubleChargeSuspect)
        case .retryStorm:
            attempt(s, latency: .seconds(1), plants: weak)
            let hits = Int(rng.int(12...20))
            for i in 1...hits {
                attempt(s + .seconds(Int64(2 * i)) + TimeSpan(ms: rng.int(0...999)),
                        plants: i == 11 ? .retryStorm : nil, expect: .replayed)
            }
        case .expiringWithRetries:
            attempt(s, plants: weak)
            let retries = Int(rng.int(2...3))
            for i in 0..<retries {
                attempt(s + retention - margin + TimeSpan(ms: rng.int(0...(margin.ms / 2))) + .seconds(Int64(i)),
                        plants: i == 0 ? .expiringWithRetries : nil, expect: .replayed)
            }
        case .failed:
            let latency = TimeSpan(ms: rng.int(200...3000))
            attempt(s, finish: .fail(Payments.failures[Int(rng.int(0...2))]), latency: latency, plants: weak)
            if rng.chance(0.5) {
                attempt(s + latency + .seconds(2), plants: .failed, expect: .executed)
            } else {
                summary.planted[.failed, default: 0] += 1
            }
        }
        return planned
    }

    /// How close to expiry a retry counts as risky: the last tenth of the retention window, at most an hour.
    public static func expiryMargin(_ retention: TimeSpan) -> TimeSpan {
        min(TimeSpan(ms: retention.ms / 10), .hours(1))
    }

    func makeToken(_ tenant: SimTenant, at: Instant) -> String {
        switch tenant.style {
        case .uuid: return rng.uuid()
        case .timestamp: return String(at.ms)
        case .counter:
            let n = counters[tenant.name, default: 10_000] + 1
            counters[tenant.name] = n
            return "order-\(n)"
        case .random: return rng.string(26, from: "0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        }
    }
}
