/// The parts of a UPnP device description that port mapping needs.
public struct RootDescription: Sendable, Equatable {
    public struct Service: Sendable, Equatable {
        public var serviceType: String
        public var controlURL: String
    }

    public var urlBase: String?
    public var friendlyName: String?
    public var manufacturer: String?
    public var modelName: String?
    /// WAN connection services found, in document order.
    public var wanServices: [Service]

    /// Service types port mapping can use, best first.
    public static let preferredServiceTypes = [
        "urn:schemas-upnp-org:service:WANIPConnection:2",
        "urn:schemas-upnp-org:service:WANIPConnection:1",
        "urn:schemas-upnp-org:service:WANPPPConnection:1",
    ]

    /// Parses a root description (`rootDesc.xml`). Throws when it is not XML, not a device
    /// description, or offers no WAN connection service.
    public static func parse(_ data: [UInt8]) throws -> RootDescription {
        let root = try XMLElement.parse(data, what: "root description")
        guard root.name == "root", let device = root.child("device") else {
            throw PortMappingError.malformedResponse(.upnp, "root description has no <root><device> (root element is <\(root.name)>)")
        }
        var services: [Service] = []
        for service in root.descendants("service") {
            guard let type = service.value("serviceType"), let control = service.value("controlURL") else { continue }
            if preferredServiceTypes.contains(type) {
                services.append(Service(serviceType: type, controlURL: control))
            }
        }
        guard !services.isEmpty else {
            throw PortMappingError.malformedResponse(.upnp, "root description offers no WANIPConnection or WANPPPConnection service")
        }
        return RootDescription(urlBase: root.value("URLBase").flatMap { $0.isEmpty ? nil : $0 },
                               friendlyName: device.value("friendlyName"), manufacturer: device.value("manufacturer"),
                               modelName: device.value("modelName"), wanServices: services)
    }

    /// The best service: WANIPConnection:2, then :1, then WANPPPConnection:1.
    public var bestService: Service? {
        for type in Self.preferredServiceTypes {
            if let service = wanServices.first(where: { $0.serviceType == type }) { return service }
        }
        return nil
    }
}
