import Foundation
import InternetAddress

/// Builds the HTTP request of one step: base URL (with the `server` override), path, query,
/// headers, authentication and body, each value encoded for where it goes.
enum RequestRenderer {
    struct RenderError: Error, CustomStringConvertible {
        let description: String
    }

    static func render(_ step: ProviderStep, provider: ProviderDefinition, family: IPFamily, values: [String: String],
                       server: String?, environment: DDNSEnvironment, redactor: inout SecretRedactor) throws(RenderError) -> DDNSHTTPRequest {
        for name in step.required where values[name] == nil {
            throw RenderError(description: "\(provider.displayName) needs {\(name)} in this request; without it the provider would change or delete a record")
        }
        var url: String
        if let urlText = step.url {
            let template = try parse(urlText)
            // A leading placeholder is a whole base URL (a per-record update URL); the rest are values.
            var out = ""
            for (position, part) in template.parts.enumerated() {
                switch part {
                case .literal(let text): out += text
                case .placeholder(let p):
                    guard let value = values[p.name] ?? p.fallback else { throw RenderError(description: "no value for {\(p.name)}") }
                    out += position == 0 ? value : PercentEncoding.queryValue(value)
                }
            }
            url = out
            if let server { url = try ServerOverride.apply(server, toURL: url) }
        } else {
            var base = (family == .ipv6 ? provider.baseURLIPv6 : nil) ?? provider.baseURL
            if let server { base = try ServerOverride.apply(server, toBase: base) }
            guard var base else { throw RenderError(description: "no server: set the 'server' setting to the update server's URL") }
            while base.hasSuffix("/") { base.removeLast() }
            let path = try parse(step.path ?? "/")
            url = base + (try fill(path, values, encode: PercentEncoding.pathSegment))
        }

        var queryItems: [String] = []
        for (name, template) in step.query {
            // The whole value is encoded, literal text included: it is data, not URL structure.
            guard let value = try optionalFill(template, values, encode: { $0 }).map(PercentEncoding.queryValue) else { continue }
            queryItems.append(PercentEncoding.queryValue(name) + "=" + value)
        }
        if !queryItems.isEmpty { url += (url.contains("?") ? "&" : "?") + queryItems.joined(separator: "&") }

        var headers: [(String, String)] = [("User-Agent", environment.userAgent)]
        for (name, template) in step.headers {
            guard let value = try optionalFill(template, values, encode: { $0 }) else { continue }
            guard !value.contains("\r"), !value.contains("\n") else { throw RenderError(description: "header \(name) would contain a line break") }
            if template.placeholders.contains(where: { $0.name.hasPrefix("setting.") }) { redactor.add(value) }
            headers.removeAll { $0.0.lowercased() == name.lowercased() }
            headers.append((name, value))
        }
        switch step.auth {
        case .basic(let user, let password)?:
            let pair = try fill(user, values, encode: { $0 }) + ":" + fill(password, values, encode: { $0 })
            let encoded = Data(pair.utf8).base64EncodedString()
            redactor.add(encoded)
            headers.append(("Authorization", "Basic " + encoded))
        case .bearer(let token)?:
            let value = try fill(token, values, encode: { $0 })
            redactor.add(value)
            headers.append(("Authorization", "Bearer " + value))
        case .tc3?, nil:
            break   // TC3 signs the finished request, below
        }

        var body: Data?
        switch step.body {
        case .form(let pairs)?:
            var items: [String] = []
            for (name, template) in pairs {
                guard let value = try optionalFill(template, values, encode: { $0 }).map(PercentEncoding.formValue) else { continue }
                items.append(PercentEncoding.formValue(name) + "=" + value)
            }
            body = Data(items.joined(separator: "&").utf8)
            setDefault(&headers, "Content-Type", "application/x-www-form-urlencoded")
        case .json(let node)?:
            let value = try json(node, values) ?? .null
            body = Data(value.serialized.utf8)
            setDefault(&headers, "Content-Type", "application/json")
            setDefault(&headers, "Accept", "application/json")
        case .raw(let template, let contentType)?:
            body = Data(try fill(template, values, encode: { $0 }).utf8)
            setDefault(&headers, "Content-Type", contentType)
        case nil:
            break
        }
        if case .tc3(let id, let key, let service)? = step.auth {
            let secretKey = try fill(key, values, encode: { $0 })
            redactor.add(secretKey)
            guard let components = URLComponents(string: url), let host = components.host else { throw RenderError(description: "the URL has no host") }
            let hostHeader = components.port.map { "\(host):\($0)" } ?? host
            let contentType = headers.first { $0.0.lowercased() == "content-type" }?.1 ?? ""
            let signer = TC3Signer(secretID: try fill(id, values, encode: { $0 }), secretKey: secretKey, service: service)
            let signed = signer.sign(method: step.method, path: components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath,
                                     query: components.percentEncodedQuery ?? "", contentType: contentType, host: hostHeader,
                                     body: Array(body ?? Data()), date: environment.now())
            headers.append(("X-TC-Timestamp", signed.timestamp))
            headers.append(("Authorization", signed.authorization))
        }
        return DDNSHTTPRequest(method: step.method, url: url, headers: headers, body: body, timeout: environment.timeout)
    }

    /// Adds a header unless the provider file set it already.
    private static func setDefault(_ headers: inout [(String, String)], _ name: String, _ value: String) {
        if !headers.contains(where: { $0.0.lowercased() == name.lowercased() }) { headers.append((name, value)) }
    }

    private static func parse(_ text: String) throws(RenderError) -> Template {
        do { return try Template(parsing: text) } catch { throw RenderError(description: error.description) }
    }

    private static func fill(_ template: Template, _ values: [String: String], encode: (String) -> String) throws(RenderError) -> String {
        do { return try template.render(values, encode: encode) } catch { throw RenderError(description: error.description) }
    }

    /// Nil when the template is a single placeholder with no value: the field is left out.
    private static func optionalFill(_ template: Template, _ values: [String: String], encode: (String) -> String) throws(RenderError) -> String? {
        if let only = template.singlePlaceholder, values[only.name] == nil, only.fallback == nil { return nil }
        return try fill(template, values, encode: encode)
    }

    /// A JSON body from its TOML form; strings are templates, `{x|number}`/`{x|bool}` give typed values.
    static func json(_ node: TOMLNode, _ values: [String: String]) throws(RenderError) -> JSONValue? {
        switch node {
        case .string(let text):
            let template = try parse(text)
            if let only = template.singlePlaceholder {
                guard let value = values[only.name] ?? only.fallback else { return nil }
                switch only.type {
                case .text: return .string(value)
                case .number:
                    if let int = Int(value) { return .int(int) }
                    if let double = Double(value) { return .double(double) }
                    throw RenderError(description: "{\(only.name)} must be a number, not \"\(value)\"")
                case .bool:
                    switch value.lowercased() {
                    case "true", "yes", "1": return .bool(true)
                    case "false", "no", "0": return .bool(false)
                    default: throw RenderError(description: "{\(only.name)} must be true or false, not \"\(value)\"")
                    }
                }
            }
            return .string(try fill(template, values, encode: { $0 }))
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .bool(let b): return .bool(b)
        case .array(let items):
            var out: [JSONValue] = []
            for item in items { if let value = try json(item, values) { out.append(value) } }
            return .array(out)
        case .table(let members):
            var out: [String: JSONValue] = [:]
            for (key, item) in members { if let value = try json(item, values) { out[key] = value } }
            return .object(out)
        }
    }
}

/// The `server` setting replaces the scheme, host and port of a provider's default URL
/// (like ddclient's `server=`); a server given with its own path replaces the path prefix too.
enum ServerOverride {
    static func apply(_ server: String, toBase base: String?) throws(RequestRenderer.RenderError) -> String {
        let serverComponents = try components(server)
        if !serverComponents.path.isEmpty && serverComponents.path != "/" { return normalized(server) }
        guard let base, var baseComponents = URLComponents(string: base) else { return normalized(server) }
        baseComponents.scheme = serverComponents.scheme
        baseComponents.host = serverComponents.host
        baseComponents.port = serverComponents.port
        return baseComponents.string ?? normalized(server)
    }

    static func apply(_ server: String, toURL url: String) throws(RequestRenderer.RenderError) -> String {
        let serverComponents = try components(server)
        guard var target = URLComponents(string: url) else { throw RequestRenderer.RenderError(description: "the URL is not valid") }
        target.scheme = serverComponents.scheme
        target.host = serverComponents.host
        target.port = serverComponents.port
        guard let result = target.string else { throw RequestRenderer.RenderError(description: "the URL is not valid") }
        return result
    }

    private static func normalized(_ server: String) -> String {
        server.contains("://") ? server : "https://" + server
    }

    private static func components(_ server: String) throws(RequestRenderer.RenderError) -> URLComponents {
        guard let parsed = URLComponents(string: normalized(server)), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", parsed.host?.isEmpty == false else {
            throw RequestRenderer.RenderError(description: "server \"\(server)\" is not a valid URL; write https://host[:port]")
        }
        return parsed
    }
}
