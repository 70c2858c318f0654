import InternetAddress
import Logging
import NIOCore

/// A UPnP IGD found on the gateway: where its WAN connection service is controlled.
public struct UPnPDevice: Sendable, Equatable {
    public var location: RouterURL
    public var controlURL: RouterURL
    public var serviceType: String
    public var friendlyName: String?
    public var server: String?
}

/// One UPnP port mapping as GetGenericPortMappingEntry reports it.
public struct UPnPMappingEntry: Sendable, Equatable {
    public var remoteHost: String
    public var externalPort: UInt16
    public var proto: TransportProtocol
    public var internalPort: UInt16
    public var internalClient: String
    public var enabled: Bool
    public var description: String
    public var leaseDuration: UInt32
}

/// UPnP IGD client: SSDP discovery restricted to the gateway, then SOAP control.
public struct UPnPClient: Sendable {
    public var gateway: IPAddress
    public var localAddress: IPAddress
    public var ssdpPort: Int
    /// How long to wait for SSDP answers.
    public var discoveryTimeout: Duration
    public var httpTimeout: Duration
    var logger: Logger

    public init(gateway: IPAddress, localAddress: IPAddress, ssdpPort: Int = SSDP.port,
                discoveryTimeout: Duration = .milliseconds(1500), httpTimeout: Duration = .seconds(3), logger: Logger) {
        self.gateway = gateway
        self.localAddress = localAddress
        self.ssdpPort = ssdpPort
        self.discoveryTimeout = discoveryTimeout
        self.httpTimeout = httpTimeout
        self.logger = logger
    }

    /// Sends M-SEARCH by multicast from the LAN address and by unicast to the gateway, and returns
    /// the first answer from the gateway whose LOCATION is on the gateway. Answers from other hosts
    /// are logged and ignored.
    public func discoverLocation() async throws -> (SSDP.Response, RouterURL) {
        let socket = try await UDPSocket.bind(host: localAddress.description, port: 0)
        await socket.setMulticastInterface(localAddress, ttl: 2)
        let gateway = self.gateway, ssdpPort = self.ssdpPort, logger = self.logger, timeout = discoveryTimeout
        let lastError = LockedBox<PortMappingError?>(nil)
        defer { Task { await socket.close() } }
        return try await withThrowingTaskGroup(of: (SSDP.Response, RouterURL)?.self) { group in
            group.addTask {
                for await envelope in socket.datagrams {
                    guard envelope.remoteAddress.ipv4 == gateway else {
                        logger.warning("upnp: ignored SSDP answer from \(envelope.remoteAddress): not the gateway \(gateway)")
                        lastError.withLock { $0 = .malformedResponse(.upnp, "SSDP answer from \(envelope.remoteAddress), not the gateway") }
                        continue
                    }
                    do {
                        let response = try SSDP.parseResponse(Array(envelope.data.readableBytesView))
                        let url = try RouterURL(response.location, gateway: gateway)
                        return (response, url)
                    } catch let error as PortMappingError {
                        logger.warning("upnp: ignored SSDP answer from \(envelope.remoteAddress): \(error)")
                        lastError.withLock { $0 = error }
                    }
                }
                return nil
            }
            group.addTask {
                let deadline = ContinuousClock.now + timeout
                let unicast = try SocketAddress(ipAddress: gateway.description, port: ssdpPort)
                let multicast = try SocketAddress(ipAddress: SSDP.multicastAddress.description, port: ssdpPort)
                var delay = Duration.milliseconds(250)
                while ContinuousClock.now < deadline {
                    // A failed multicast send (no multicast route) must not stop the unicast one.
                    try? await socket.send(SSDP.mSearch(), to: multicast)
                    try? await socket.send(SSDP.mSearch(host: "\(gateway):\(ssdpPort)"), to: unicast)
                    try await Task.sleep(for: min(delay, deadline - ContinuousClock.now))
                    delay *= 2
                }
                return nil
            }
            defer { group.cancelAll() }
            if let first = try await group.next(), let found = first { return found }
            if let error = lastError.value { throw error }
            throw PortMappingError.timeout(.upnp, "no SSDP answer from the gateway \(gateway) within \(timeout)")
        }
    }

    /// Fetches and reads the root description at `location`.
    public func describe(location: RouterURL, server: String? = nil) async throws -> UPnPDevice {
        do {
            return try await fetchDescription(location: location, server: server)
        } catch {
            logger.warning("upnp: rejected the root description at \(location): \(error)")
            throw error
        }
    }

    private func fetchDescription(location: RouterURL, server: String?) async throws -> UPnPDevice {
        let response = try await RouterHTTP.request(method: .GET, url: location, timeout: httpTimeout)
        guard response.status == 200 else {
            throw PortMappingError.http("root description \(location) answered HTTP \(response.status)")
        }
        let description = try RootDescription.parse(response.body)
        guard let service = description.bestService else {
            throw PortMappingError.malformedResponse(.upnp, "no usable WAN connection service")
        }
        let base = try description.urlBase.map { try RouterURL($0, gateway: gateway) } ?? location
        let control = try RouterURL(service.controlURL, relativeTo: base, gateway: gateway)
        return UPnPDevice(location: location, controlURL: control, serviceType: service.serviceType,
                          friendlyName: description.friendlyName, server: server)
    }

    /// Discovery plus description.
    public func discover() async throws -> UPnPDevice {
        let (response, location) = try await discoverLocation()
        return try await describe(location: location, server: response.server)
    }

    /// Runs one SOAP action and returns its output arguments.
    public func call(_ device: UPnPDevice, action: String, arguments: [(String, String)] = []) async throws -> [String: String] {
        let body = SOAP.envelope(action: action, serviceType: device.serviceType, arguments: arguments)
        let response: RouterHTTPResponse
        do {
            response = try await RouterHTTP.request(
                method: .POST, url: device.controlURL,
                headers: [("Content-Type", "text/xml; charset=\"utf-8\""),
                          ("SOAPAction", SOAP.soapActionHeader(action: action, serviceType: device.serviceType))],
                body: Array(body.utf8), timeout: httpTimeout)
        } catch {
            logger.warning("upnp: \(action) to \(device.controlURL) failed: \(error)")
            throw error
        }
        do {
            return try SOAP.parseResponse(action: action, status: response.status, body: response.body)
        } catch let error as PortMappingError where !error.isRefusal {
            logger.warning("upnp: rejected the \(action) answer from \(device.controlURL): \(error)")
            throw error
        }
    }

    /// The WAN address the router reports. "" is a real answer: miniupnpd says so when its WAN
    /// address is private or CGNAT (it sits behind another NAT).
    public func externalIPAddress(_ device: UPnPDevice) async throws -> String {
        let out = try await call(device, action: "GetExternalIPAddress")
        guard let value = out["NewExternalIPAddress"] else {
            throw PortMappingError.malformedResponse(.upnp, "GetExternalIPAddress answer has no NewExternalIPAddress")
        }
        guard value.isEmpty || IPAddress(value, family: .ipv4) != nil else {
            throw PortMappingError.malformedResponse(.upnp, "NewExternalIPAddress \"\(value.prefix(64))\" is not an IPv4 address")
        }
        return value
    }

    /// (NewConnectionStatus, NewLastConnectionError, NewUptime).
    public func statusInfo(_ device: UPnPDevice) async throws -> (status: String, lastError: String, uptime: UInt32?) {
        let out = try await call(device, action: "GetStatusInfo")
        return (out["NewConnectionStatus"] ?? "", out["NewLastConnectionError"] ?? "", out["NewUptime"].flatMap { UInt32($0) })
    }

    /// AddPortMapping; on 725 (OnlyPermanentLeasesSupported) retries with lease 0. Returns the lease used.
    @discardableResult
    public func addPortMapping(_ device: UPnPDevice, proto: TransportProtocol, externalPort: UInt16, internalPort: UInt16,
                               internalClient: IPAddress, description: String, lease: UInt32) async throws -> UInt32 {
        func add(_ lease: UInt32) async throws {
            _ = try await call(device, action: "AddPortMapping", arguments: [
                ("NewRemoteHost", ""),
                ("NewExternalPort", String(externalPort)),
                ("NewProtocol", proto.upnpName),
                ("NewInternalPort", String(internalPort)),
                ("NewInternalClient", internalClient.description),
                ("NewEnabled", "1"),
                ("NewPortMappingDescription", description),
                ("NewLeaseDuration", String(lease)),
            ])
        }
        do {
            try await add(lease)
            return lease
        } catch PortMappingError.upnpFault(let code, _) where code == UPnPErrorCode.onlyPermanentLeasesSupported && lease != 0 {
            logger.info("upnp: router supports only permanent leases (725); mapping \(proto.rawValue) \(externalPort) with lease 0")
            try await add(0)
            return 0
        }
    }

    public func deletePortMapping(_ device: UPnPDevice, proto: TransportProtocol, externalPort: UInt16) async throws {
        _ = try await call(device, action: "DeletePortMapping", arguments: [
            ("NewRemoteHost", ""),
            ("NewExternalPort", String(externalPort)),
            ("NewProtocol", proto.upnpName),
        ])
    }

    /// All entries, by index until 713 (SpecifiedArrayIndexInvalid) or, after the first entry, any
    /// other UPnP error (some routers end their table with 714 or 501; another error for index 0
    /// means the router does not list, and is thrown); at most `limit`, and no new request after
    /// `deadline`, so a huge or slow table returns what was read by then.
    public func listPortMappings(_ device: UPnPDevice, limit: Int = 512,
                                 deadline: ContinuousClock.Instant? = nil) async throws -> [UPnPMappingEntry] {
        var entries: [UPnPMappingEntry] = []
        for index in 0..<limit {
            if let deadline, ContinuousClock.now >= deadline {
                logger.warning("upnp: stopped listing the port mappings after \(index) entries: out of time")
                break
            }
            let out: [String: String]
            do {
                out = try await call(device, action: "GetGenericPortMappingEntry", arguments: [("NewPortMappingIndex", String(index))])
            } catch PortMappingError.upnpFault(let code, let text) {
                if code != UPnPErrorCode.specifiedArrayIndexInvalid {
                    if index == 0 { throw PortMappingError.upnpFault(code: code, description: text) }
                    logger.info("upnp: GetGenericPortMappingEntry \(index) answered UPnP error \(code); taking it as the end of the table")
                }
                break
            }
            guard let entry = Self.entry(from: out) else {
                logger.warning("upnp: skipped malformed GetGenericPortMappingEntry \(index) answer")
                continue
            }
            entries.append(entry)
        }
        return entries
    }

    static func entry(from out: [String: String]) -> UPnPMappingEntry? {
        guard let external = out["NewExternalPort"].flatMap({ UInt16($0) }),
              let protoText = out["NewProtocol"]?.lowercased(), let proto = TransportProtocol(rawValue: protoText),
              let internalPort = out["NewInternalPort"].flatMap({ UInt16($0) }) else { return nil }
        return UPnPMappingEntry(remoteHost: out["NewRemoteHost"] ?? "", externalPort: external, proto: proto,
                                internalPort: internalPort, internalClient: out["NewInternalClient"] ?? "",
                                enabled: out["NewEnabled"] != "0", description: out["NewPortMappingDescription"] ?? "",
                                leaseDuration: out["NewLeaseDuration"].flatMap { UInt32($0) } ?? 0)
    }
}
