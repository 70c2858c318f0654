import Config
import Foundation
import History
import Logging
import Paths
import StatusModel

/// Copies the built-in servers' last outside contacts (kept in their memory, shown on their
/// admin sockets) into the history, so `homeport status` still shows them after a restart. It
/// asks the servers at the heartbeat interval and writes a listener's row only when its first
/// contact appears, its port changes, or the contact is a minute newer than the one written:
/// a flood of datagrams from outside costs at most one write per listener and minute.
actor OutsideContactWriter {
    /// The newest contact worth a write; the status shows minutes, so finer changes wait.
    static let resolution: TimeInterval = 60

    private let history: HistoryStore
    private let layout: StateLayout
    private let logger: Logger
    private var written: [BuiltinListener: OutsideContact] = [:]

    init(history: HistoryStore, stateDirectory: String, logger: Logger) {
        self.history = history
        self.layout = StateLayout(directory: stateDirectory)
        self.logger = logger
    }

    func run(current: CurrentConfig, every interval: Duration) async {
        for contact in (try? history.outsideContacts()) ?? [] { written[contact.listener] = contact }
        let pause = max(interval, .seconds(1))
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: pause)
            } catch {
                return
            }
            await write(Self.live(await Self.summaries(config: current.config, layout: layout)))
        }
    }

    private func write(_ contacts: [OutsideContact]) async {
        for contact in contacts where Self.worthWriting(contact, after: written[contact.listener]) {
            do {
                try await history.recordOutsideContact(contact)
                written[contact.listener] = contact
            } catch {
                logger.error("could not record the last outside contact in the history: \(error)")
            }
        }
    }

    static func worthWriting(_ contact: OutsideContact, after previous: OutsideContact?) -> Bool {
        guard let previous, previous.port == contact.port else { return true }
        return contact.at.timeIntervalSince(previous.at) >= resolution
    }

    /// The running servers' summaries, nil where a server is off or not answering.
    static func summaries(config: HomeportConfig, layout: StateLayout) async -> (RendezvousSummary?, RelaySummary?) {
        let rendezvous = config.rendezvous.enabled ? await ControlCommands.summary(RendezvousSummary.self, socket: layout.rendezvousAdminSocket) : nil
        let relay = config.relay.enabled ? await ControlCommands.summary(RelaySummary.self, socket: layout.relayAdminSocket) : nil
        return (rendezvous, relay)
    }

    static func live(_ summaries: (RendezvousSummary?, RelaySummary?)) -> [OutsideContact] {
        (summaries.0?.outsideContacts ?? []) + (summaries.1?.outsideContacts ?? [])
    }

    /// The status rows: one per listener of each enabled server, with the live contact or the
    /// one the history remembers; nil with both servers off.
    static func statusRows(config: HomeportConfig, rendezvous: RendezvousSummary?, relay: RelaySummary?,
                           history: HistoryStore) -> [ListenerContactStatus]? {
        var servers: [(BuiltinListener.Server, port: Int)] = []
        if config.rendezvous.enabled { servers.append((.rendezvous, rendezvous?.port ?? config.rendezvous.port)) }
        if config.relay.enabled { servers.append((.relay, relay?.port ?? config.relay.port)) }
        guard !servers.isEmpty else { return nil }
        return ListenerContactStatus.merge(servers: servers, live: live((rendezvous, relay)),
                                           remembered: (try? history.outsideContacts()) ?? [])
    }
}
