import InternetAddress
@testable import PortMapping
import Testing

@Suite("UPnP parsing: SSDP, root description, SOAP")
struct UPnPParsingTests {
    static let gateway = IPAddress(192, 168, 77, 1)

    @Test func mSearchIsWellFormed() {
        let text = String(decoding: SSDP.mSearch(), as: UTF8.self)
        #expect(text == "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nUSER-AGENT: homeport UPnP/1.1\r\n\r\n")
    }

    @Test func parsesMiniupnpdSSDPAnswer() throws {
        let response = try SSDP.parseResponse(bytes(PortMappingFixtures.ssdpResponse))
        #expect(response.location == "http://192.168.77.1:43207/rootDesc.xml")
        #expect(response.searchTarget == SSDP.internetGatewayDevice)
        #expect(response.server?.contains("MiniUPnPd/2.3.1") == true)
        // Header names are case-insensitive; bare LF line ends are accepted.
        let lower = try SSDP.parseResponse(bytes("HTTP/1.1 200 OK\nlocation: http://192.168.77.1:5000/d.xml\nst: x\n\n"))
        #expect(lower.location == "http://192.168.77.1:5000/d.xml")
    }

    @Test func rejectsBrokenSSDPAnswers() {
        #expect(malformedReason { try SSDP.parseResponse(bytes("HTTP/1.1 200 OK\r\nST: x\r\n\r\n")) }?.contains("no LOCATION") == true)
        #expect(malformedReason { try SSDP.parseResponse(bytes("NOTIFY * HTTP/1.1\r\nLOCATION: http://192.168.77.1/\r\n\r\n")) }?.contains("status line") == true)
        #expect(malformedReason { try SSDP.parseResponse(bytes("HTTP/1.1 404 Not Found\r\nLOCATION: http://192.168.77.1/\r\n\r\n")) } != nil)
        #expect(malformedReason { try SSDP.parseResponse([]) } != nil)
        #expect(malformedReason { try SSDP.parseResponse([UInt8](repeating: 0x41, count: 9000)) }?.contains("over 8192") == true)
        #expect(malformedReason { try SSDP.parseResponse([0xFF, 0xFE, 0x00, 0x0A, 0x0D]) } != nil)
    }

    @Test func miniupnpdDescriptionYieldsWANIPConnection2() throws {
        let description = try RootDescription.parse(bytes(PortMappingFixtures.miniupnpdRootDesc))
        #expect(description.bestService == .init(serviceType: "urn:schemas-upnp-org:service:WANIPConnection:2", controlURL: "/ctl/IPConn"))
        #expect(description.friendlyName == "Debian router")
        #expect(description.urlBase == nil)
        let location = try RouterURL("http://192.168.77.1:43207/rootDesc.xml", gateway: Self.gateway)
        let control = try RouterURL(description.bestService?.controlURL ?? "", relativeTo: location, gateway: Self.gateway)
        #expect(control.description == "http://192.168.77.1:43207/ctl/IPConn")
    }

    @Test func pppDescriptionYieldsWANPPPConnection() throws {
        let description = try RootDescription.parse(bytes(PortMappingFixtures.pppRootDesc))
        #expect(description.bestService == .init(serviceType: "urn:schemas-upnp-org:service:WANPPPConnection:1", controlURL: "/ctl/PPPConn"))
    }

    @Test func urlBaseIsUsedForRelativeControlURLs() throws {
        let description = try RootDescription.parse(bytes(PortMappingFixtures.urlBaseRootDesc))
        #expect(description.bestService?.serviceType == "urn:schemas-upnp-org:service:WANIPConnection:1")
        let base = try RouterURL(description.urlBase ?? "", gateway: Self.gateway)
        let control = try RouterURL(description.bestService?.controlURL ?? "", relativeTo: base, gateway: Self.gateway)
        #expect(control.description == "http://192.168.77.1:5000/base/ctl/IPConn")
    }

    @Test func controlURLOnAnotherHostIsRejected() {
        let location = try? RouterURL("http://192.168.77.1:43207/rootDesc.xml", gateway: Self.gateway)
        #expect(malformedReason { try RouterURL("http://192.168.77.66:43207/ctl/IPConn", relativeTo: location, gateway: Self.gateway) }?.contains("not the gateway") == true)
        #expect(malformedReason { try RouterURL("http://evil.example/ctl", gateway: Self.gateway) }?.contains("IPv4") == true)
        #expect(malformedReason { try RouterURL("https://192.168.77.1/ctl", gateway: Self.gateway) }?.contains("not http") == true)
        #expect(malformedReason { try RouterURL("//192.168.77.9/ctl", relativeTo: location, gateway: Self.gateway) }?.contains("not the gateway") == true)
        #expect(malformedReason { try RouterURL("", gateway: Self.gateway) } != nil)
        #expect((try? RouterURL("http://192.168.77.1/a?b=c", gateway: Self.gateway))?.target == "/a?b=c")
    }

    @Test func badDescriptionsAreRejectedWithAReason() {
        #expect(malformedReason { try RootDescription.parse(bytes("<root><device>")) }?.contains("not well-formed") == true)
        #expect(malformedReason { try RootDescription.parse(bytes("not xml at all")) }?.contains("not well-formed") == true)
        #expect(malformedReason { try RootDescription.parse(bytes("<html><body>router login</body></html>")) }?.contains("<html>") == true)
        let noWAN = PortMappingFixtures.miniupnpdRootDesc.replacingOccurrences(of: "WANIPConnection", with: "WANFooConnection")
        #expect(malformedReason { try RootDescription.parse(bytes(noWAN)) }?.contains("no WANIPConnection") == true)
        let deep = String(repeating: "<a>", count: 5000) + String(repeating: "</a>", count: 5000)
        #expect(malformedReason { try RootDescription.parse(bytes(deep)) }?.contains("nested deeper") == true)
        let wide = "<root>" + String(repeating: "<x/>", count: 5000) + "</root>"
        #expect(malformedReason { try RootDescription.parse(bytes(wide)) }?.contains("more than") == true)
        // An external entity is not fetched or expanded.
        let entity = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><root><device><friendlyName>&e;</friendlyName></device></root>"
        #expect(malformedReason { try RootDescription.parse(bytes(entity)) } != nil)
    }

    @Test func soapEnvelopeCarriesArgumentsInOrderAndEscaped() {
        let body = SOAP.envelope(action: "AddPortMapping", serviceType: "urn:schemas-upnp-org:service:WANIPConnection:1",
                                 arguments: [("NewExternalPort", "21116"), ("NewPortMappingDescription", "a<b&\"c\"")])
        #expect(body.contains("<u:AddPortMapping xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:1\"><NewExternalPort>21116</NewExternalPort><NewPortMappingDescription>a&lt;b&amp;&quot;c&quot;</NewPortMappingDescription></u:AddPortMapping>"))
        #expect(SOAP.soapActionHeader(action: "GetExternalIPAddress", serviceType: "urn:x:1") == "\"urn:x:1#GetExternalIPAddress\"")
    }

    @Test func soapResponsesAndFaults() throws {
        let ip = try SOAP.parseResponse(action: "GetExternalIPAddress", status: 200, body: bytes(PortMappingFixtures.externalIPResponse))
        #expect(ip["NewExternalIPAddress"] == "11.22.33.45")
        let empty = try SOAP.parseResponse(action: "GetExternalIPAddress", status: 200, body: bytes(PortMappingFixtures.emptyExternalIPResponse))
        #expect(empty["NewExternalIPAddress"] == "")
        let entry = try SOAP.parseResponse(action: "GetGenericPortMappingEntry", status: 200, body: bytes(PortMappingFixtures.genericEntryResponse))
        #expect(UPnPClient.entry(from: entry) == UPnPMappingEntry(remoteHost: "", externalPort: 21116, proto: .tcp, internalPort: 21116,
                                                                  internalClient: "192.168.77.2", enabled: true, description: "homeport", leaseDuration: 118))
        for (code, text) in [(501, "ActionFailed"), (606, "Action not authorized"), (713, "SpecifiedArrayIndexInvalid"),
                             (718, "ConflictInMappingEntry"), (725, "OnlyPermanentLeasesSupported")] {
            #expect(throws: PortMappingError.upnpFault(code: code, description: text)) {
                try SOAP.parseResponse(action: "AddPortMapping", status: 500, body: bytes(PortMappingFixtures.fault(code, text)))
            }
        }
    }

    @Test func brokenSOAPAnswersAreRejected() {
        #expect(malformedReason { try SOAP.parseResponse(action: "GetExternalIPAddress", status: 200, body: bytes(PortMappingFixtures.genericEntryResponse)) }?.contains("expected <GetExternalIPAddressResponse>") == true)
        #expect(malformedReason { try SOAP.parseResponse(action: "GetExternalIPAddress", status: 200, body: bytes("<s:Envelope")) }?.contains("not well-formed") == true)
        #expect(malformedReason { try SOAP.parseResponse(action: "GetExternalIPAddress", status: 200, body: bytes("<html/>")) }?.contains("not a SOAP envelope") == true)
        let noCode = PortMappingFixtures.fault(501, "x").replacingOccurrences(of: "<errorCode>501</errorCode>", with: "<errorCode>five</errorCode>")
        #expect(malformedReason { try SOAP.parseResponse(action: "AddPortMapping", status: 500, body: bytes(noCode)) }?.contains("errorCode") == true)
        #expect(throws: PortMappingError.http("AddPortMapping failed with HTTP 500 and no readable fault")) {
            try SOAP.parseResponse(action: "AddPortMapping", status: 500, body: bytes("Internal error"))
        }
    }
}
