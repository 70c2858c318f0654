import Testing
@testable import Supervisor

/// Which processes a previous run's record makes leftovers: identity by pid and start time,
/// never by name.
struct LeftoversTests {
    static let boot = "31890f3d-4d85-4b6f-8e9a-b158fb96ff05"

    static func process(_ pid: Int32, ppid: Int32 = 1, pgid: Int32, sid: Int32, start: UInt64, command: String = "sleep") -> ProcessEntry {
        ProcessEntry(pid: pid, ppid: ppid, pgid: pgid, sid: sid, isZombie: false, startTicks: start, command: command)
    }

    /// Service group 100 (created by the recorded shell 100, now dead), a member 101, a setsid
    /// helper 102 in session 102, all recorded at tick 5000; the daemon's session is 50.
    static let record = ProcessRecord(bootID: boot, daemonPID: 60, writtenAtTicks: 5000, processes: [
        .init(service: "web", pid: 100, pgid: 100, sid: 50, startTicks: 1000),
        .init(service: "web", pid: 101, pgid: 100, sid: 50, startTicks: 1001),
        .init(service: "web", pid: 102, pgid: 102, sid: 102, startTicks: 1002),
    ])

    @Test func recordedProcessesAndLaterMembersOfTheirGroupsAreLeftovers() {
        let table: [Int32: ProcessEntry] = [
            101: Self.process(101, pgid: 100, sid: 50, start: 1001),
            102: Self.process(102, pgid: 102, sid: 102, start: 1002),
            // Born after the record, in the recorded group and in the setsid helper's session.
            103: Self.process(103, ppid: 101, pgid: 100, sid: 50, start: 9000),
            104: Self.process(104, ppid: 102, pgid: 104, sid: 102, start: 9001),
            // The daemon's session holds other programs: never matched by session.
            200: Self.process(200, pgid: 200, sid: 50, start: 1500, command: "bash"),
        ]
        let found = Leftovers.find(in: Self.record, bootID: Self.boot, table: table, excluding: [])
        #expect(found.map(\.process.pid) == [101, 102, 103, 104])
        #expect(found.allSatisfy { $0.service == "web" })
    }

    @Test func aReusedPidIsNotALeftover() {
        // Same pids and groups, other start times: other processes.
        let table: [Int32: ProcessEntry] = [
            101: Self.process(101, pgid: 100, sid: 50, start: 7001, command: "sleep"),
            102: Self.process(102, pgid: 102, sid: 102, start: 7002, command: "sleep"),
        ]
        #expect(Leftovers.find(in: Self.record, bootID: Self.boot, table: table, excluding: []).isEmpty)
    }

    @Test func anotherBootOrTheDaemonItselfIsNeverMatched() {
        let table: [Int32: ProcessEntry] = [101: Self.process(101, pgid: 100, sid: 50, start: 1001)]
        #expect(Leftovers.find(in: Self.record, bootID: "another-boot", table: table, excluding: []).isEmpty)
        #expect(Leftovers.find(in: Self.record, bootID: nil, table: table, excluding: []).isEmpty)
        #expect(Leftovers.find(in: Self.record, bootID: Self.boot, table: table, excluding: [101]).isEmpty)
    }

    @Test func statLinesWithSpacesAndParenthesesInTheNameParse() throws {
        let line = "4242 (my (odd) name) S 1 4240 4239 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 267681 2260992 200 18446744073709551615\n"
        let entry = try #require(ProcessTable.parse(pid: 4242, stat: line))
        #expect(entry == ProcessEntry(pid: 4242, ppid: 1, pgid: 4240, sid: 4239, isZombie: false, startTicks: 267681, command: "my (odd) name"))
    }
}

/// The record a killed run leaves is read back on the next start: a missing one means a clean
/// stop; a corrupt one must be reported, not taken for "nothing was left behind".
struct ProcessRecordFileTests {
    @Test func aMissingRecordIsNoneAndACorruptOneIsAnError() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("service-processes.json")
        #expect(try ProcessRecord.read(path: path) == nil)
        try LeftoversTests.record.write(path: path)
        #expect(try ProcessRecord.read(path: path)?.processes.count == 3)
        _ = dir.write("service-processes.json", "{\"boot_id\": \"x\", \"processes\": [")
        #expect(throws: ProcessRecord.RecordError.self) { try ProcessRecord.read(path: path) }
    }
}
