import Foundation
import Paths
import PortMapping

/// The mappings `homeport portmap add` made, in the state directory (mode 0600), so a later
/// `portmap remove` can delete them with the protocol and PCP nonce they were made with.
struct PortmapLeaseFile {
    let path: String

    func load() -> [PortMappingLease] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        // The same date strategy as save(): with the default decoder the file never loaded, so
        // each add overwrote the earlier ones and remove never found a PCP nonce.
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode([PortMappingLease].self, from: data)) ?? []
    }

    func save(_ leases: [PortMappingLease]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(leases)
        let directory = (path as NSString).deletingLastPathComponent
        for warning in try PrivateFiles.prepareDirectory(directory) { Terminal.warning(warning) }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw PrivateFiles.Failure(description: "cannot write \(temporary): \(PrivateFiles.lastError())")
        }
        guard rename(temporary, path) == 0 else {
            throw PrivateFiles.Failure(description: "cannot replace \(path): \(PrivateFiles.lastError())")
        }
    }

    func adding(_ lease: PortMappingLease) throws {
        var leases = load().filter { !($0.proto == lease.proto && $0.internalPort == lease.internalPort) }
        leases.append(lease)
        try save(leases)
    }

    func removing(proto: TransportProtocol, internalPort: UInt16) throws {
        try save(load().filter { !($0.proto == proto && $0.internalPort == internalPort) })
    }
}
