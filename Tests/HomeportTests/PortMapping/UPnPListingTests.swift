import Foundation
import InternetAddress
@testable import PortMapping
import Testing

/// GetGenericPortMappingEntry against a scripted router on loopback: the listing ends at the
/// first error after an entry, and an error for index 0 is the router refusing to list.
@Suite struct UPnPListingTests {
    static let gateway = IPAddress(127, 0, 0, 2)
    static let local = IPAddress(127, 0, 0, 1)

    /// A router whose table holds one entry and answers `endCode` for index 1 (`firstCode`, when set, for index 0).
    static func router(endCode: Int, firstCode: Int? = nil) async throws -> ScriptedHTTPServer {
        try await ScriptedHTTPServer(host: "127.0.0.2") { request in
            if !request.body.contains("GetGenericPortMappingEntry") {
                return ScriptedHTTPServer.response(body: PortMappingFixtures.miniupnpdRootDesc)
            }
            if request.body.contains("<NewPortMappingIndex>0<") {
                if let firstCode { return ScriptedHTTPServer.response(status: "500 Internal Server Error", body: PortMappingFixtures.fault(firstCode, "x")) }
                return ScriptedHTTPServer.response(body: PortMappingFixtures.genericEntryResponse)
            }
            return ScriptedHTTPServer.response(status: "500 Internal Server Error", body: PortMappingFixtures.fault(endCode, "end"))
        }
    }

    static func list(_ http: ScriptedHTTPServer) async throws -> [UPnPMappingEntry] {
        let client = UPnPClient(gateway: gateway, localAddress: local, logger: LogCapture().logger())
        let device = try await client.describe(location: try RouterURL("http://127.0.0.2:\(http.port)/rootDesc.xml", gateway: gateway))
        return try await client.listPortMappings(device, limit: 256, deadline: .now + .seconds(5))
    }

    /// Failed before: any error other than 713/714 (here 501 ActionFailed) threw away the entries read.
    @Test func anyErrorAfterAnEntryEndsTheTable() async throws {
        for code in [713, 714, 501] {
            let http = try await Self.router(endCode: code)
            defer { Task { await http.close() } }
            let entries = try await Self.list(http)
            #expect(entries.count == 1, "end code \(code)")
            let forward = try #require(entries.first.flatMap(RouterForward.init))
            #expect(forward == RouterForward(externalPort: 21116, proto: .tcp, internalClient: IPAddress(192, 168, 77, 2), internalPort: 21116,
                                             enabled: true, description: "homeport", leaseSeconds: 118))
        }
    }

    @Test func anErrorForTheFirstIndexIsARefusalToList() async throws {
        let http = try await Self.router(endCode: 713, firstCode: 401)
        defer { Task { await http.close() } }
        await #expect(throws: PortMappingError.self) { try await Self.list(http) }
        let empty = try await Self.router(endCode: 713, firstCode: 713)
        defer { Task { await empty.close() } }
        #expect(try await Self.list(empty).isEmpty)
    }

    @Test func existingForwardsNeedsUPnP() async throws {
        let mapper = PortMapper(gateway: GatewayInfo(gateway: Self.gateway, localAddress: Self.local, interfaceName: "lo"),
                                configuration: .init(protocols: [.natpmp, .pcp]), logger: LogCapture().logger())
        await #expect(throws: PortMappingError.self) { try await mapper.existingForwards() }
    }
}
