import Foundation
import History
import StatusModel

/// What `homeport status` can say when no daemon answers: the last run and each service's
/// last known state, from the history.
public enum OfflineStatus {
    public static func build(history: HistoryStore?, stateDirectory: String, configFile: String?) -> DaemonStatus {
        var info = DaemonInfo(running: false, stateDirectory: stateDirectory)
        info.configFile = configFile
        var services: [ServiceStatus] = []
        if let history {
            if let run = try? history.latestDaemonRun() {
                info.since = run.startedAt
                info.lastSeen = run.end
                info.lastRunEndedCleanly = run.endedCleanly
                info.pid = run.pid
                info.version = run.version
            }
            for snapshot in (try? history.lastKnownServices()) ?? [] {
                // With the daemon gone its children are gone too; only a crash loop or a port
                // conflict is worth carrying over as the last known state.
                let state: ServiceState
                switch snapshot.latest?.kind {
                case .crashLoop?: state = .crashLooping
                case .portConflict?: state = .portConflict
                default: state = .stopped
                }
                var status = ServiceStatus(name: snapshot.name, state: state, command: [], health: nil)
                status.restarts = snapshot.restartsInLastRun
                if let exit = snapshot.lastExit {
                    status.lastExit = ExitInfo(code: exit.exitCode, signal: exit.signal, at: exit.time, uptimeSeconds: 0,
                                               reason: exit.exitDescription ?? "exited")
                }
                services.append(status)
            }
        }
        var status = DaemonStatus(daemon: info, services: services)
        if let history {
            status.publicIP = NetworkStatusFromHistory.publicIP(history)
            status.ddns = NetworkStatusFromHistory.ddns(history)
            if let contacts = try? history.outsideContacts(), !contacts.isEmpty {
                status.outsideContacts = ListenerContactStatus.remembered(contacts)
            }
        }
        return status
    }
}
