import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Whether this machine can run the lab: root (network namespaces) and the real daemons and
/// tools. CI runs as root with them installed, so there the lab suites really run; setting
/// HOMEPORT_LAB_REQUIRED=1 turns a would-be skip into a failure, so a CI image that lost a
/// package cannot pass silently.
enum LabRequirements {
    static let programs = ["ip", "nft", "miniupnpd", "nginx", "socat", "nc", "upnpc", "natpmpc", "ss", "sysctl", "timeout", "perl", "named", "dig", "stund"]

    static let missing: [String] = {
        var missing: [String] = []
        if geteuid() != 0 { missing.append("root (network namespaces)") }
        missing += programs.filter { LabTools.find($0) == nil }
        return missing
    }()

    static var required: Bool { ProcessInfo.processInfo.environment["HOMEPORT_LAB_REQUIRED"] == "1" }

    /// For `.enabled(if:)`.
    static var canRun: Bool { missing.isEmpty || required }

    static var skipMessage: String {
        "home-network lab skipped: needs " + missing.joined(separator: ", ")
            + " (apt: iproute2 nftables miniupnpd miniupnpc natpmpc nginx socat netcat-openbsd procps perl-base bind9 bind9-dnsutils stun-server)"
    }
}
