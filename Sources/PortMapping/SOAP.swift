import Foundation

/// UPnP control messages (SOAP 1.1) for WANIPConnection / WANPPPConnection.
public enum SOAP {
    /// Builds the envelope for `action` with arguments in the given order (order matters to some routers).
    public static func envelope(action: String, serviceType: String, arguments: [(String, String)]) -> String {
        var body = "<?xml version=\"1.0\"?>\r\n"
        body += "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">"
        body += "<s:Body><u:\(action) xmlns:u=\"\(escape(serviceType))\">"
        for (name, value) in arguments { body += "<\(name)>\(escape(value))</\(name)>" }
        body += "</u:\(action)></s:Body></s:Envelope>\r\n"
        return body
    }

    public static func soapActionHeader(action: String, serviceType: String) -> String {
        "\"\(serviceType)#\(action)\""
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Reads a control response: the output arguments of `<ActionResponse>` on success, or throws
    /// `upnpFault` for a `UPnPError` and `malformedResponse` for anything else.
    public static func parseResponse(action: String, status: Int, body: [UInt8]) throws -> [String: String] {
        let root: XMLElement
        do {
            root = try XMLElement.parse(body, what: "\(action) answer (HTTP \(status))")
        } catch {
            if status != 200 { throw PortMappingError.http("\(action) failed with HTTP \(status) and no readable fault") }
            throw error
        }
        guard root.name == "Envelope", let soapBody = root.child("Body") else {
            throw PortMappingError.malformedResponse(.upnp, "\(action) answer is not a SOAP envelope (root element <\(root.name)>)")
        }
        if let fault = soapBody.child("Fault") {
            if let upnpError = fault.descendants("UPnPError").first {
                guard let codeText = upnpError.value("errorCode"), let code = Int(codeText) else {
                    throw PortMappingError.malformedResponse(.upnp, "\(action) fault has no numeric errorCode")
                }
                throw PortMappingError.upnpFault(code: code, description: String((upnpError.value("errorDescription") ?? "").prefix(200)))
            }
            let faultString = fault.value("faultstring") ?? "no UPnPError detail"
            throw PortMappingError.malformedResponse(.upnp, "\(action) SOAP fault without UPnPError: \(faultString.prefix(200))")
        }
        guard status == 200 else {
            throw PortMappingError.http("\(action) failed with HTTP \(status)")
        }
        guard let response = soapBody.child("\(action)Response") else {
            let got = soapBody.children.first?.name ?? "nothing"
            throw PortMappingError.malformedResponse(.upnp, "\(action) answer holds <\(got)>, expected <\(action)Response>")
        }
        var out: [String: String] = [:]
        for argument in response.children {
            out[argument.name] = argument.text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return out
    }
}
