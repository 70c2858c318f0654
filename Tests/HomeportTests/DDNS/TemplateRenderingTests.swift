import Config
@testable import DDNS
import Foundation
import Testing

@Suite("DDNS template rendering")
struct TemplateRenderingTests {
    @Test("percent-encoding depends on where the value goes")
    func encodingByPosition() {
        let value = "a b/c?d&e=f+g:h,i@j~k%"
        #expect(PercentEncoding.queryValue(value) == "a%20b%2Fc%3Fd%26e%3Df%2Bg%3Ah%2Ci%40j~k%25")
        #expect(PercentEncoding.formValue(value) == "a%20b%2Fc%3Fd%26e%3Df%2Bg%3Ah%2Ci%40j~k%25")
        #expect(PercentEncoding.pathSegment(value) == "a%20b%2Fc%3Fd%26e%3Df+g:h,i@j~k%25")
        #expect(PercentEncoding.queryValue("2001:db8::7") == "2001%3Adb8%3A%3A7")
        #expect(PercentEncoding.queryValue("grüße") == "gr%C3%BC%C3%9Fe")
        #expect(PercentEncoding.decode("a%20b+c", plusIsSpace: true) == "a b c")
    }

    @Test("placeholders, fallbacks, types and literal braces parse")
    func templateSyntax() throws {
        let template = try Template(parsing: "{{x}} {hostname}/{ipv6?preserve}/{ttl|number}")
        #expect(template.placeholders.map(\.name) == ["hostname", "ipv6", "ttl"])
        #expect(try template.render(["hostname": "h", "ttl": "60"]) == "{x} h/preserve/60")
        #expect(throws: Template.SyntaxError.self) { try Template(parsing: "{unclosed") }
        #expect(throws: Template.SyntaxError.self) { try Template(parsing: "{ttl|float}") }
        #expect(throws: Template.MissingValue.self) { try Template(parsing: "{zone}").render([:]) }
    }

    @Test("JSON bodies escape strings, type numbers and booleans, and drop absent fields")
    func jsonBody() throws {
        let node = TOMLNode.table(["content": .string("{ip}"), "ttl": .string("{ttl|number}"), "proxied": .string("{p|bool}"),
                                   "comment": .string("say \"{hostname}\"\n"), "optional": .string("{ipv6}"), "list": .array([.string("{ip}"), .int(3)])])
        let json = try #require(try RequestRenderer.json(node, ["ip": "203.0.113.7", "ttl": "300", "p": "true", "hostname": "a\\b"]))
        #expect(json.serialized == #"{"comment":"say \"a\\b\"\n","content":"203.0.113.7","list":["203.0.113.7",3],"proxied":true,"ttl":300}"#)
        #expect(throws: RequestRenderer.RenderError.self) { try RequestRenderer.json(.string("{ttl|number}"), ["ttl": "auto"]) }
    }

    @Test("JSON paths index, filter and capture")
    func jsonPaths() throws {
        let document = try #require(JSONValue.parse(Data(#"{"result":[{"id":"z1","name":"other.com"},{"id":7,"name":"Example.com"}],"ok":true}"#.utf8)))
        #expect(try JSONPath(parsing: "result[0].id").evaluate(document, values: [:])?.scalarText == "z1")
        #expect(try JSONPath(parsing: "result.1.id").evaluate(document, values: [:])?.scalarText == "7")
        #expect(try JSONPath(parsing: "result[name={zone}].id").evaluate(document, values: ["zone": "example.com"])?.scalarText == "7")
        #expect(try JSONPath(parsing: "result[name=nothing].id").evaluate(document, values: [:]) == nil)
        #expect(try JSONPath(parsing: "$.ok").evaluate(document, values: [:])?.scalarText == "true")
        #expect(try JSONPath(parsing: "result[5]").evaluate(document, values: [:]) == nil)
    }

    @Test("the server setting replaces scheme, host and port but keeps the API's path prefix")
    func serverOverride() throws {
        #expect(try ServerOverride.apply("http://127.0.0.1:8080", toBase: "https://api.cloudflare.com/client/v4") == "http://127.0.0.1:8080/client/v4")
        #expect(try ServerOverride.apply("dyn.example.net", toBase: nil) == "https://dyn.example.net")
        #expect(try ServerOverride.apply("https://dyn.example.net/custom", toBase: "https://x.example") == "https://dyn.example.net/custom")
        #expect(try ServerOverride.apply("http://127.0.0.1:9", toURL: "https://sync.afraid.org/u/TOKEN/?address=1") == "http://127.0.0.1:9/u/TOKEN/?address=1")
        #expect(throws: RequestRenderer.RenderError.self) { try ServerOverride.apply("ftp://x", toBase: nil) }
    }

    @Test("a rendered request encodes each part for its position and leaves out absent values")
    func renderedRequest() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        _ = directory.write("probe.toml", """
        display_name = "Probe"
        documentation = "https://example.com"
        families = ["ipv4", "ipv6"]
        base_url = "https://api.example.com/v1"
        [settings.token]
        required = true
        description = "t"
        [settings.zone]
        required = true
        description = "z"
        [[step]]
        method = "POST"
        path = "/zones/{zone}/records/{record_name_at}"
        query = { name = "{hostname}", v6 = "{ipv6}", keep = "{ipv6?preserve}" }
        headers = { X-Token = "{setting.token}" }
        form = { ip = "{ip}", note = "a b&c" }
        success = "updated"
        """)
        let catalog = ProviderCatalog.load(directories: [directory.path])
        #expect(catalog.errors == [])
        let provider = try #require(catalog.provider("probe"))
        let transport = RecordingTransport(reply: DDNSHTTPResponse(status: 200))
        let adapter = TemplateAdapter(provider: provider, environment: DDNSEnvironment(transport: transport, userAgent: "ua"))
        let result = await adapter.update(DDNSUpdateRequest(hostname: "a b.example.com", ipv4: "203.0.113.7",
                                                            settings: ["token": .secret(.inline("tok/en")), "zone": .plain("example.com")]))
        #expect(result.outcome == .updated)
        let sent = try #require(transport.requests.first)
        #expect(sent.url == "https://api.example.com/v1/zones/example.com/records/a%20b?keep=preserve&name=a%20b.example.com")
        #expect(sent.headers.contains { $0 == ("X-Token", "tok/en") })
        #expect(sent.headers.contains { $0 == ("User-Agent", "ua") })
        #expect(String(decoding: sent.body ?? Data(), as: UTF8.self) == "ip=203.0.113.7&note=a%20b%26c")
    }
}
