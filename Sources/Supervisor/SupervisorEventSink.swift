import History

/// Where the supervisor reports what happens to services (the daemon writes it to the
/// history). Recording must not throw back into the supervisor: a full disk must not stop
/// services from being restarted.
public protocol SupervisorEventSink: Sendable {
    func record(_ event: ServiceEvent) async
}
