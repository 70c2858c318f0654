/// Programs known to take the built-in servers' ports, each with the way out.
public enum KnownProgram: String, Sendable, Hashable, Codable {
    /// homeport itself (the caller says which pids and executable are its own).
    case homeport
    /// RustDesk's own ID/rendezvous server.
    case hbbs
    /// RustDesk's own relay server.
    case hbbr
    /// The RustDesk client, whose direct-IP access listens on 21118 by default.
    case rustdeskClient = "rustdesk"
    /// Docker's userland proxy: a container publishes the port.
    case dockerProxy = "docker-proxy"
    case other

    /// Recognises a program by the file names of its executable and of its first argument,
    /// and by its kernel name (/proc/PID/comm, at most 15 characters).
    static func recognise(executable: String?, arguments: [String], kernelName: String?) -> KnownProgram {
        let names = [executable, arguments.first, kernelName].compactMap { $0 }.map { fileName($0).lowercased() }
        for name in names {
            switch name {
            case "hbbs": return .hbbs
            case "hbbr": return .hbbr
            case "rustdesk": return .rustdeskClient
            case "docker-proxy": return .dockerProxy
            default: continue
            }
        }
        return .other
    }

    /// What to do when this program holds `port`. nil for homeport (nothing to do) and for
    /// programs not known here.
    func resolution(for port: InspectedPort) -> String? {
        switch self {
        case .homeport, .other:
            nil
        case .hbbs, .hbbr:
            "a RustDesk server (\(rawValue)) still runs: stop it before homeport takes over its ports — "
                + "`systemctl stop` its unit, or in Docker `docker ps` to find its container and `docker stop NAME`"
        case .rustdeskClient:
            "the RustDesk client's direct-IP listener: turn off Settings → Security → \"Enable direct IP access\" "
                + "or give it another port there, or run the client on another machine"
        case .dockerProxy:
            "a Docker container publishes \(port): `docker ps --filter publish=\(port)` names it; `docker stop NAME`, "
                + "or publish another port in its -p/ports setting"
        }
    }

    private static func fileName(_ path: String) -> Substring {
        path.split(separator: "/").last ?? Substring(path)
    }
}
