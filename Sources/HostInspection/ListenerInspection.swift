#if os(Linux)
import Foundation
#endif

/// Which built-in servers' ports are taken on this host, and by whom. Linux reads /proc
/// (`ListenerTable`); macOS asks lsof (`LsofListeners`, untested here: this project's tests
/// run on Linux only).
public enum ListenerInspection {
    /// One occupancy per port, in the order asked.
    public static func inspect(_ ports: [InspectedPort], own: OwnProcesses = OwnProcesses(),
                               runner: HostCommandRunner = HostCommandRunner()) async -> [(port: InspectedPort, occupancy: PortOccupancy)] {
        #if os(Linux)
        do {
            let table = try ListenerTable.read()
            return ports.map { ($0, table.occupancy(of: $0, own: own)) }
        } catch {
            return ports.map { ($0, .couldNotInspect(error.description)) }
        }
        #elseif os(macOS)
        var result: [(port: InspectedPort, occupancy: PortOccupancy)] = []
        for port in ports { result.append((port, await LsofListeners.occupancy(of: port, own: own, runner: runner))) }
        return result
        #else
        return ports.map { ($0, .couldNotInspect("listing listeners is implemented for Linux and macOS only")) }
        #endif
    }
}
