import Dispatch

/// Nanoseconds on a clock that only moves forward: what the loop and the feed schedule frames and polls by (the
/// wall clock in `DashboardOptions.clock` is for statuses and countdowns, and may be a test's manual clock).
enum Monotonic {
    static var nanos: UInt64 { DispatchTime.now().uptimeNanoseconds }
}
