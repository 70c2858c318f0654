import CProcessControl
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Knows every process that belongs to a service, not only its process group, so that stopping
/// a service (or the daemon) stops helpers that left the group with setsid(2) or setpgid(2).
///
/// Linux only; elsewhere the process table reads empty and each service is its process group.
///
/// A scan of /proc (every second, and before each stop) attributes to a service: the members
/// of its process group, the descendants of anything attributed (by parent pid), and members of
/// a group or session that an attributed process created. Once seen, a process stays attributed
/// by pid and start time (proc(5) field 22), even after its parent dies and it is re-parented.
///
/// In the daemon (`recordPath` set) it also
/// - makes the daemon a child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER), so orphans of the
///   services are re-parented to the daemon instead of init: they stay findable and are reaped
///   here (waitpid(2) by pid, never -1, because swift-subprocess reaps the services' first
///   processes itself). An orphan re-parented before any scan saw it (a quick double fork) is
///   given to the service named by `HOMEPORT_SERVICE` in its environment; one that cleared
///   its environment belongs to no particular service and is stopped with the daemon;
/// - keeps a `ProcessRecord` in the state directory, and on start stops what the record names
///   that is still running (`Leftovers`), before any service starts.
///
/// Limits: after a `kill -9` of the daemon, a process started outside its service's group
/// since the last scan is not in the record. Without the subreaper (tests), a process that
/// left its service's group and was orphaned between two scans is missed. Not using cgroups
/// (cgroups(7)): the daemon does not assume a delegated cgroup subtree under systemd.
actor ProcessTracker {
    private let recordPath: String?
    private let logger: Logger
    private let selfPID = getpid()
    private let bootID = ProcessTable.bootID()
    private let adoptsOrphans: Bool

    /// Each running service's process group: the pid and start time of its first process.
    private var groups: [String: ProcessIdentity] = [:]
    /// Every process seen belonging to a service (empty name: an orphan of unknown service).
    private var members: [ProcessIdentity: Member] = [:]
    /// The services' first processes; swift-subprocess reaps them, so this never does.
    private var spawned: Set<Int32> = []
    /// Spawns under way: their pid is not yet in `spawned`, so no child may be reaped meanwhile.
    private var spawnsInFlight = 0
    private var lastRecorded: [ProcessRecord.Entry]?
    private var watcher: Task<Void, Never>?

    struct Member: Sendable {
        var service: String
        var entry: ProcessEntry
    }

    init(recordPath: String?, logger: Logger) {
        self.recordPath = recordPath
        self.logger = logger
        var adopts = false
        #if os(Linux)
        if recordPath != nil {
            adopts = homeport_set_child_subreaper() == 0
            if !adopts {
                logger.warning("cannot become a child subreaper (\(String(cString: strerror(errno)))); orphans of services are re-parented to init")
            }
        }
        #endif
        self.adoptsOrphans = adopts
    }

    // MARK: Life

    /// Stops what a previous run left behind (daemon only), then starts watching.
    func prepare(grace: Duration) async {
        if watcher != nil { return }
        await stopLeftovers(grace: grace)
        // A scan every second; between scans, exited orphans are reaped every 200 ms.
        watcher = Task { [weak self] in
            var tick = 0
            while !Task.isCancelled {
                guard let self else { return }
                await self.tick(tick)
                tick += 1
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// One step of the watcher; none once `stopEverything` ended it (a step already on its
    /// way must not write the record again after a clean stop removed it).
    private func tick(_ count: Int) {
        guard watcher != nil else { return }
        if count % 5 == 0 { refresh() } else { reapWaiting() }
    }

    /// Stops every process still attributed to any service, then stops watching. A clean stop
    /// leaves no record behind (nothing is left to find).
    func stopEverything(grace: Duration) async {
        refresh()
        let everyone = members.keys.filter(VerifiedSignal.isAlive)
        if !everyone.isEmpty {
            let names = everyone.compactMap { members[$0] }.map { Leftover(process: $0.entry, service: $0.service).description }
            logger.info("stopping \(everyone.count) remaining service process(es): \(names.joined(separator: ", "))")
        }
        let survivors = await ProcessStopper.stop(everyone, grace: grace)
        reapAdopted(ProcessTable.scan())
        watcher?.cancel()
        watcher = nil
        if !survivors.isEmpty {
            logger.error("could not stop \(survivors.map { "pid \($0.pid)" }.joined(separator: ", ")); the next start tries again")
            refresh()
        } else if let recordPath {
            ProcessRecord.remove(path: recordPath)
        }
    }

    // MARK: Spawns

    func spawnBegins() {
        spawnsInFlight += 1
    }

    func spawnFailed() {
        spawnsInFlight = max(0, spawnsInFlight - 1)
    }

    func started(service: String, pid: Int32) {
        spawnsInFlight = max(0, spawnsInFlight - 1)
        spawned.insert(pid)
        if let entry = ProcessTable.entry(pid) {
            groups[service] = entry.identity
            members[entry.identity] = Member(service: service, entry: entry)
        }
        refresh()
    }

    /// After the service's first process was reaped: SIGKILL everything else of the service
    /// (as its process group got before) and wait until none of it is left.
    func finish(service: String, pid: Int32, within timeout: Duration = .seconds(5)) async {
        spawned.remove(pid)
        let deadline = ContinuousClock.now + timeout
        var remaining = processes(of: service)
        while !remaining.isEmpty, ContinuousClock.now < deadline {
            for process in remaining { VerifiedSignal.send(SIGKILL, to: process) }
            try? await Task.sleep(for: .milliseconds(50))
            remaining = processes(of: service)
        }
        if !remaining.isEmpty {
            logger.warning("[\(service)] \(remaining.count) process(es) still there \(ServiceRunner.format(timeout)) after SIGKILL: \(remaining.map { "pid \($0.pid)" }.joined(separator: ", "))")
        }
        if groups[service]?.pid == pid { groups[service] = nil }
    }

    /// Signals every process of the service outside its process group `group` (the caller
    /// signals the group itself, all at once, with kill(2) on -group).
    func signal(_ signal: Int32, service: String, outsideGroup group: Int32) {
        for process in processes(of: service) where members[process]?.entry.pgid != group {
            VerifiedSignal.send(signal, to: process)
        }
    }

    /// The service's processes that are alive now (after a fresh scan).
    func processes(of service: String) -> [ProcessIdentity] {
        refresh()
        return members.filter { $0.value.service == service }.map(\.key)
    }

    // MARK: Scan

    /// One pass over /proc: attribute new processes, forget dead ones, reap adopted orphans,
    /// and rewrite the record if anything changed.
    func refresh() {
        let table = ProcessTable.scan()
        guard !table.isEmpty else { return }
        var owner: [Int32: String] = [:]
        var updated: [ProcessIdentity: Member] = [:]
        for (identity, member) in members {
            guard let now = table[identity.pid], now.startTicks == identity.startTicks, !now.isZombie else { continue }
            owner[identity.pid] = member.service
            updated[identity] = Member(service: member.service, entry: now)
        }
        let groupOwners = Dictionary(groups.map { ($0.value.pid, (service: $0.key, startTicks: $0.value.startTicks)) }, uniquingKeysWith: { first, _ in first })
        let alive = table.values.filter { !$0.isZombie && $0.pid != selfPID }
        let mayAdopt = adoptsOrphans && spawnsInFlight == 0
        for process in alive where owner[process.pid] == nil {
            if let group = groupOwners[process.pgid], process.startTicks >= group.startTicks {
                owner[process.pid] = group.service
            } else if mayAdopt, process.ppid == selfPID, !spawned.contains(process.pid) {
                owner[process.pid] = serviceNamed(inEnvironmentOf: process.pid)
            }
        }
        // Descendants, and members of groups and sessions that an attributed process created.
        var changed = true
        while changed {
            changed = false
            for process in alive where owner[process.pid] == nil {
                let service = (process.ppid != selfPID ? owner[process.ppid] : nil) ?? owner[process.pgid] ?? owner[process.sid]
                if let service {
                    owner[process.pid] = service
                    changed = true
                }
            }
        }
        for (pid, service) in owner {
            guard let entry = table[pid] else { continue }
            if updated[entry.identity] == nil { updated[entry.identity] = Member(service: service, entry: entry) }
        }
        members = updated
        reapAdopted(table)
        writeRecordIfChanged()
    }

    /// For an orphan whose parent died before a scan saw it: the service whose environment it
    /// inherited (`ServiceRunner` sets `HOMEPORT_SERVICE`), if that service is running; else
    /// empty (stopped with the daemon). Only ever asked about processes already known to be
    /// the daemon's descendants (re-parented to it), so it decides which service, never
    /// whether a process is homeport's.
    private func serviceNamed(inEnvironmentOf pid: Int32) -> String {
        guard let name = ProcessTable.environmentValue(ServiceRunner.serviceVariable, of: pid), groups[name] != nil else { return "" }
        return name
    }

    /// Reaps zombies re-parented to the daemon. Only pids that are not the services' first
    /// processes, and never while a spawn is under way (its pid is not known yet).
    private func reapAdopted(_ table: [Int32: ProcessEntry]) {
        guard adoptsOrphans, spawnsInFlight == 0 else { return }
        for process in table.values where process.ppid == selfPID && process.isZombie && !spawned.contains(process.pid) {
            var status: Int32 = 0
            _ = waitpid(process.pid, &status, WNOHANG)
        }
    }

    /// Reaps exited orphans without a scan: waitid(2) with WNOWAIT only looks at a waitable
    /// child, which is then reaped by pid unless it is a service's first process (left to
    /// swift-subprocess; the next scan reaps what waits behind it).
    private func reapWaiting() {
        #if canImport(Glibc)
        guard adoptsOrphans else { return }
        for _ in 0..<64 {
            guard spawnsInFlight == 0 else { return }
            var info = siginfo_t()
            guard waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return }
            let pid = info._sifields._sigchld.si_pid
            guard pid > 0, !spawned.contains(pid) else { return }
            var status: Int32 = 0
            _ = waitpid(pid, &status, WNOHANG)
        }
        #endif
    }

    private func writeRecordIfChanged() {
        guard let recordPath, let bootID else { return }
        let entries = members.values.map {
            ProcessRecord.Entry(service: $0.service, pid: $0.entry.pid, pgid: $0.entry.pgid, sid: $0.entry.sid, startTicks: $0.entry.startTicks)
        }.sorted { $0.pid < $1.pid }
        guard entries != lastRecorded else { return }
        let record = ProcessRecord(bootID: bootID, daemonPID: selfPID, writtenAtTicks: ProcessTable.nowTicks(), processes: entries)
        do {
            try record.write(path: recordPath)
            lastRecorded = entries
        } catch {
            logger.error("could not record the services' processes: \(error)")
        }
    }

    // MARK: Leftovers

    private func stopLeftovers(grace: Duration) async {
        guard let recordPath else { return }
        let record: ProcessRecord
        do {
            guard let found = try ProcessRecord.read(path: recordPath) else { return }
            record = found
        } catch {
            logger.warning("\(error)")
            return
        }
        var stopped: [Leftover] = []
        var survivors: [ProcessIdentity] = []
        // A second look catches processes the leftovers started while being stopped.
        for _ in 0..<3 {
            let table = ProcessTable.scan()
            let found = Leftovers.find(in: record, bootID: bootID, table: table, excluding: Leftovers.selfAndAncestors(table: table))
                .filter { found in !stopped.contains { $0.process.identity == found.process.identity } }
            if found.isEmpty { break }
            logger.notice("stopping \(found.count) process(es) left running by the previous homeport run (pid \(record.daemonPID)): \(found.map(\.description).joined(separator: ", "))")
            survivors = await ProcessStopper.stop(found.map(\.process.identity), grace: grace)
            stopped += found
        }
        if !stopped.isEmpty {
            logger.notice("stopped \(stopped.count - survivors.count) process(es) left by the previous run")
        }
        if !survivors.isEmpty {
            logger.error("could not stop \(survivors.map { "pid \($0.pid)" }.joined(separator: ", ")) left by the previous run")
        }
    }
}
