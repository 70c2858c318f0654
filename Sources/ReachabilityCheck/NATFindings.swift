import NATBehavior

/// Whether RustDesk's direct connections can work through this NAT (STUN from one local port
/// to two servers): a mapping that varies by destination means every session goes through the
/// relay. A warning, not a failure: sessions still work, only slower.
public enum NATFindings {
    public static func finding(_ report: NATMappingReport) -> CheckFinding {
        let details = report.results.map { result -> String in
            switch result.outcome {
            case .mapped(let mapping): "\(result.server) saw \(mapping.mapped)"
            case .failed(let failure): "\(result.server): \(failure)"
            }
        }
        switch report.verdict {
        case .noNAT, .endpointIndependent:
            return CheckFinding(id: "nat.mapping", topic: .nat, outcome: .pass, title: report.summary, details: details)
        case .variesByDestination:
            return CheckFinding(id: "nat.mapping", topic: .nat, outcome: .warning, title: report.summary, details: details,
                                fixes: ["sessions still work through the relay; for direct ones, look for \"full-cone\" / \"endpoint-independent\" NAT or UPnP on the router"])
        case .unknown:
            return CheckFinding(id: "nat.mapping", topic: .nat, outcome: .unknown, title: report.summary, details: details)
        }
    }
}
