import Foundation
import Testing

/// The gate of the suites that need outside tools (named, miniupnpd, systemd-analyze, setpriv):
/// skipped without them, but run (and failing) when HOMEPORT_LAB_REQUIRED=1.
@Suite struct ToolRequirementTests {
    static let required = ["HOMEPORT_LAB_REQUIRED": "1", "PATH": "/nonexistent"]
    static let optional = ["PATH": "/nonexistent"]

    @Test func aProgramNotOnThePathIsMissingAndSkipsOnlyWhenNotRequired() throws {
        // "sh" exists on every machine, but not in this search path.
        let gate = ToolRequirement(programs: ["sh"], needsRoot: false, apt: "dash")
        #expect(gate.missing(environment: Self.optional, searchPath: ["/nonexistent"]) == ["sh"])
        #expect(!gate.shouldRun(environment: Self.optional, searchPath: ["/nonexistent"]))
        #expect(gate.shouldRun(environment: Self.required, searchPath: ["/nonexistent"]))
        #expect(gate.missing(environment: Self.optional, searchPath: ["/bin", "/usr/bin"]).isEmpty)
    }

    @Test func missingRootCountsAndRequiredRunsFailNamingWhatIsMissing() {
        let gate = ToolRequirement(programs: ["/nonexistent/named"], needsRoot: true, apt: "bind9")
        #expect(gate.missing(environment: Self.optional, isRoot: false) == ["root", "/nonexistent/named"])
        #expect(!gate.shouldRun(environment: Self.optional, isRoot: false))
        #expect(gate.shouldRun(environment: Self.required, isRoot: false))
        #expect(throws: TestFailure.self) { try gate.check(environment: Self.required, isRoot: false) }
    }

    /// Each real gate, with its tool hidden (as on a machine without it): skipped normally,
    /// run and failing in start()/check() when required.
    @Test(arguments: [("named", ToolRequirement.named), ("miniupnpd", ToolRequirement.miniupnpd),
                      ("systemd-analyze", ToolRequirement.systemdAnalyze), ("setpriv", ToolRequirement.setpriv)])
    func everyGatedSuiteFailsInsteadOfSkippingWhenRequired(_ tool: String, _ gate: ToolRequirement) {
        let hidden = ["HOMEPORT_TEST_HIDE_TOOLS": tool]
        #expect(!gate.shouldRun(environment: hidden, isRoot: true))
        #expect(gate.shouldRun(environment: hidden.merging(["HOMEPORT_LAB_REQUIRED": "1"]) { $1 }, isRoot: true))
        #expect(throws: TestFailure.self) { try gate.check(environment: hidden, isRoot: true) }
    }

    @Test func theSuitesUseTheseGates() {
        // The gates the suites name must be these (not a copy with its own test of the tools).
        let environment = ProcessInfo.processInfo.environment
        #expect(NamedServer.available == ToolRequirement.named.shouldRun(environment: environment))
        #expect(MiniupnpdLab.available == ToolRequirement.miniupnpd.shouldRun(environment: environment))
    }
}
