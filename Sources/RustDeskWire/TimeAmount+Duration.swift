import NIOCore

extension TimeAmount {
    /// A Swift `Duration` as NIO's nanoseconds, saturating at ±Int64.max nanoseconds (about
    /// 292 years) instead of trapping: `Int64(seconds) * 1_000_000_000` overflows from 293
    /// years on.
    public init(clamping duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow {
            self = .nanoseconds(seconds < 0 ? .min : .max)
            return
        }
        let (sum, sumOverflow) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        self = .nanoseconds(sumOverflow ? (seconds < 0 ? .min : .max) : sum)
    }
}
