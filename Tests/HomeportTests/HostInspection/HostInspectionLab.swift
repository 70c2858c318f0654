import Foundation
import Synchronization
@testable import HostInspection

#if canImport(Glibc)
import Glibc
#endif

/// One network namespace for the host-inspection tests: programs started in it hold ports
/// (the real 21115–21119: the namespace is the test's own), nftables and iptables rulesets are
/// loaded into it, and the inspection tools run in it through the runner's prefix.
final class HostInspectionLab: Sendable {
    static let requirement = ToolRequirement(programs: ["/usr/sbin/ip", "/usr/sbin/nft", "/usr/bin/socat", "/usr/bin/setpriv"],
                                             needsRoot: true, apt: "iproute2 nftables socat util-linux")
    static let iptablesRequirement = ToolRequirement(programs: ["/usr/sbin/ip", "/usr/sbin/iptables", "/usr/sbin/iptables-save", "/usr/sbin/iptables-legacy"],
                                                     needsRoot: true, apt: "iptables")

    let namespace: String
    let dir = TemporaryDirectory()
    private let namespaces: NamespaceLab
    private let started = Mutex<[LabProcess]>([])

    private init(namespaces: NamespaceLab, namespace: String) {
        self.namespaces = namespaces
        self.namespace = namespace
    }

    /// Builds the namespace, runs `body`, and removes everything, whether `body` returns or throws.
    static func with<Result>(_ body: (HostInspectionLab) async throws -> Result) async throws -> Result {
        let namespaces = NamespaceLab()
        let name = try await namespaces.add("hi")
        let lab = HostInspectionLab(namespaces: namespaces, namespace: name)
        let result: Swift.Result<Result, any Error>
        do { result = .success(try await body(lab)) } catch { result = .failure(error) }
        await lab.tearDown()
        return try result.get()
    }

    /// The inspection tools as run inside the namespace.
    var runner: HostCommandRunner { HostCommandRunner(prefix: ["ip", "netns", "exec", namespace], timeout: .seconds(10)) }

    /// The same, as the unprivileged user nobody.
    var unprivilegedRunner: HostCommandRunner {
        HostCommandRunner(prefix: ["ip", "netns", "exec", namespace, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
                          timeout: .seconds(10))
    }

    /// Starts a long-running program in the namespace and waits until `port` is bound there.
    func start(_ name: String, _ arguments: [String], holding port: InspectedPort) async throws -> LabProcess {
        let process = try await LabProcess.start(name: name, namespace: namespace, arguments, logPath: dir.file("\(name).log"))
        started.withLock { $0.append(process) }
        let bound = await eventually(timeout: .seconds(5), every: .milliseconds(20)) {
            guard let table = try? ListenerTable.read(networkNamespaceOf: process.pid) else { return false }
            return table.occupancy(of: port) != .free
        }
        guard bound else { throw TestFailure("\(name) did not bind \(port): \(process.log)") }
        return process
    }

    /// `nft -f` of a ruleset, after flushing what was loaded before.
    func loadNFTables(_ ruleset: String) async throws {
        let file = dir.file("ruleset-\(UUID().uuidString).nft")
        try ("flush ruleset\n" + ruleset).write(toFile: file, atomically: true, encoding: .utf8)
        try await mustRun(["nft", "-f", file])
    }

    /// Runs a command in the namespace; a failure throws with its output.
    @discardableResult
    func mustRun(_ arguments: [String]) async throws -> String {
        let output = try await Programs.run("/usr/sbin/ip", ["netns", "exec", namespace] + arguments)
        guard output.exitCode == 0 else { throw TestFailure("\(arguments.joined(separator: " ")) failed: \(output.stderr)\(output.stdout)") }
        return output.stdout
    }

    private func tearDown() async {
        for process in started.withLock({ $0 }) { await process.stop() }
        await namespaces.remove()
        dir.remove()
    }
}
