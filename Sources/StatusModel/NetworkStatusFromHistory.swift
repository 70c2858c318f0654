import Foundation
import History

/// The parts of the network status the history already holds, so `homeport status` shows
/// them whether or not the daemon runs; the running daemon adds the live verdict on top.
public enum NetworkStatusFromHistory {
    public static func publicIP(_ history: HistoryStore, now: Date = Date()) -> PublicIPStatus? {
        guard let latest = try? history.ipAddresses(before: now.addingTimeInterval(1)), !latest.isEmpty else { return nil }
        var status = PublicIPStatus()
        for observation in latest {
            switch observation.family {
            case .ipv4:
                status.ipv4 = observation.address
                status.ipv4ChangedAt = observation.time
            case .ipv6:
                status.ipv6 = observation.address
                status.ipv6ChangedAt = observation.time
            }
        }
        return status
    }

    public static func ddns(_ history: HistoryStore) -> [DDNSRecordStatus]? {
        guard let states = try? history.ddnsRecordStates(), !states.isEmpty else { return nil }
        return states.map { state in
            var record = DDNSRecordStatus(provider: state.provider, hostname: state.hostname, family: state.family, stopped: state.stopped)
            record.address = state.confirmedAddress
            record.setAt = state.confirmedAt
            record.lastOutcome = state.lastOutcome
            record.lastMessage = state.lastMessage
            record.lastAttemptAt = state.lastAttemptAt
            record.nextAttemptAt = state.nextAttemptAt
            return record
        }
    }
}
