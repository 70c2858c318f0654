import Foundation
import InternetAddress
import Logging
import Synchronization

/// A change of the agreed public address of one family. The first detection is a change from nil.
public struct IPChange: Sendable, Equatable, Codable {
    public var family: IPFamily
    public var old: IPAddress?
    public var new: IPAddress
    /// The sources that agreed on `new`.
    public var sources: [String]
    public var time: Date
    /// What made the monitor look: "start", "poll", "router", "network change: …", or an external trigger's reason.
    public var reason: String

    public init(family: IPFamily, old: IPAddress?, new: IPAddress, sources: [String], time: Date, reason: String) {
        self.family = family
        self.old = old
        self.new = new
        self.sources = sources
        self.time = time
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case family, old, new, sources, time, reason
    }

    /// `old` is null (not absent) for the first detection.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(family, forKey: .family)
        try container.encode(old, forKey: .old)
        try container.encode(new, forKey: .new)
        try container.encode(sources, forKey: .sources)
        try container.encode(time, forKey: .time)
        try container.encode(reason, forKey: .reason)
    }
}

/// Watches the public addresses: echo services every `interval` (± `jitter`), the router and the
/// interfaces every `routerInterval`, and at once (after `debounce`) on a local network change or
/// an external trigger (router announcements). Emits `IPChange`s on `changes`.
public actor IPMonitor {
    public nonisolated let changes: AsyncStream<IPChange>
    private let changeContinuation: AsyncStream<IPChange>.Continuation
    private let events: AsyncStream<Event>
    private let eventContinuation: AsyncStream<Event>.Continuation
    private let detector: PublicIPDetector
    private let settings: DetectionSettings
    private let networkChanges: (any NetworkChangeSource)?
    private let logger: Logger
    private var current: [IPFamily: IPAddress] = [:]
    private var lastLocal: LocalSnapshot?
    private var debouncing = false
    private var pendingReasons: [String] = []
    /// A pending trigger that skips `minimumRecheckSpacing` (the router said its address changed).
    private var pendingUrgent = false
    private var lastDetection: ContinuousClock.Instant?
    public private(set) var latestReport: DetectionReport?
    private let detections = Mutex(0)

    enum Event: Sendable {
        case poll(String)
        case routerTick
        case trigger(String, urgent: Bool)
        case debounced
    }

    /// `networkChanges`: pass `try? NetlinkChangeWatcher()` in production (nil: no local events).
    /// `knownAddresses`: what an earlier monitor agreed on (the daemon's reload replaces the
    /// monitor): the same address found again is no change.
    public init(detector: PublicIPDetector, networkChanges: (any NetworkChangeSource)? = nil,
                knownAddresses: [IPFamily: IPAddress] = [:], logger: Logger = Logger(label: "homeport.publicip.monitor")) {
        self.detector = detector
        current = knownAddresses
        self.settings = detector.settings
        self.networkChanges = networkChanges
        self.logger = logger
        (changes, changeContinuation) = AsyncStream.makeStream(of: IPChange.self)
        (events, eventContinuation) = AsyncStream.makeStream(of: Event.self)
    }

    /// Ask for a re-check soon (debounced), e.g. on a NAT-PMP/PCP address announcement.
    /// `urgent`: the source is the router announcing a new address, which is worth a check even
    /// right after another one; local network churn is spaced by `minimumRecheckSpacing`.
    public nonisolated func trigger(_ reason: String, urgent: Bool = false) {
        eventContinuation.yield(.trigger(reason, urgent: urgent))
    }

    /// Requests sent to internet echo services so far.
    public nonisolated var echoRequestsSent: Int { detector.echoRequestsSent }

    /// Full detections run so far.
    public nonisolated var detectionCount: Int { detections.withLock { $0 } }

    /// The agreed addresses as last seen.
    public var addresses: [IPFamily: IPAddress] { current }

    /// Runs until the calling task is cancelled; then `changes` finishes.
    public func run() async {
        let settings = self.settings, continuation = eventContinuation, networkChanges = self.networkChanges
        eventContinuation.yield(.poll("start"))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    let spread = settings.jitter > 0 ? Double.random(in: -settings.jitter...settings.jitter) : 0
                    try? await Task.sleep(for: settings.interval * (1 + spread))
                    if Task.isCancelled { break }
                    continuation.yield(.poll("poll"))
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: settings.routerInterval)
                    if Task.isCancelled { break }
                    continuation.yield(.routerTick)
                }
            }
            if let networkChanges {
                group.addTask {
                    for await what in networkChanges.changes() {
                        continuation.yield(.trigger("network change: \(what)", urgent: false))
                    }
                }
            }
            for await event in events {
                if Task.isCancelled { break }
                await handle(event)
            }
            group.cancelAll()
        }
        changeContinuation.finish()
    }

    private func handle(_ event: Event) async {
        switch event {
        case .poll(let reason):
            await fullDetection(reason: reason)
        case .routerTick:
            let snapshot = await detector.localSnapshot()
            defer { lastLocal = snapshot }
            if let lastLocal, lastLocal != snapshot {
                await fullDetection(reason: "router")
            }
        case .trigger(let reason, let urgent):
            pendingReasons.append(reason)
            pendingUrgent = pendingUrgent || urgent
            guard !debouncing else { return }
            debouncing = true
            fireDebounced(after: settings.debounce)
        case .debounced:
            if let lastDetection, !pendingUrgent {
                let wait = lastDetection + settings.minimumRecheckSpacing - ContinuousClock.now
                if wait > .zero { return fireDebounced(after: wait) }
            }
            debouncing = false
            pendingUrgent = false
            let reasons = Array(Set(pendingReasons)).sorted().joined(separator: ", ")
            pendingReasons = []
            await fullDetection(reason: reasons)
        }
    }

    private func fireDebounced(after delay: Duration) {
        let continuation = eventContinuation
        Task {
            try? await Task.sleep(for: delay)
            continuation.yield(.debounced)
        }
    }

    private func refreshLocalSnapshot() async {
        lastLocal = await detector.localSnapshot()
    }

    private func fullDetection(reason: String) async {
        detections.withLock { $0 += 1 }
        lastDetection = ContinuousClock.now
        let report = await detector.detect(previous: current)
        latestReport = report
        defer {
            // After the changes are out: asking the router again may take a while (it may be
            // busy with the very change being reported), and nobody should wait for it.
            Task { await self.refreshLocalSnapshot() }
        }
        for family in IPFamily.allCases {
            let agreement = report.agreement(family)
            guard agreement.status == .agreed, let address = agreement.address, address != current[family] else { continue }
            let change = IPChange(family: family, old: current[family], new: address, sources: agreement.agreeingSources,
                                  time: report.time, reason: reason)
            current[family] = address
            let old = change.old.map { "from \($0) " } ?? ""
            logger.info("public \(family) address changed \(old)to \(address) (\(reason); agreed by \(change.sources.joined(separator: ", ")))")
            changeContinuation.yield(change)
        }
    }
}
