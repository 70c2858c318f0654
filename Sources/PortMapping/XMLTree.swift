import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A small element tree read from router XML, with namespace prefixes dropped from names.
///
/// Depth and element count are bounded so a hostile document cannot exhaust the stack or memory
/// (the byte size is bounded earlier, by the HTTP reader).
struct XMLElement: Sendable {
    var name: String
    var text: String = ""
    var children: [XMLElement] = []

    static let maxDepth = 32
    static let maxElements = 4096

    /// Parses `data`; throws `malformedResponse(.upnp, ...)` naming what was wrong.
    static func parse(_ data: [UInt8], what: String) throws -> XMLElement {
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(data))
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        let ok = parser.parse()
        if let limit = builder.limitError {
            throw PortMappingError.malformedResponse(.upnp, "\(what): \(limit)")
        }
        guard ok, let root = builder.root else {
            let line = parser.lineNumber
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "no root element"
            throw PortMappingError.malformedResponse(.upnp, "\(what) is not well-formed XML (line \(line)): \(reason)")
        }
        return root
    }

    /// The first direct child with this local name.
    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// Trimmed text of the first direct child with this local name.
    func value(_ name: String) -> String? { child(name)?.text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Every descendant (depth first, document order) with this local name.
    func descendants(_ name: String) -> [XMLElement] {
        var found: [XMLElement] = []
        var stack: [XMLElement] = [self]
        while let node = stack.popLast() {
            if node.name == name { found.append(node) }
            stack.append(contentsOf: node.children.reversed())
        }
        return found
    }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLElement] = []
    var root: XMLElement?
    var count = 0
    var limitError: String?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        count += 1
        if stack.count >= XMLElement.maxDepth {
            limitError = "elements nested deeper than \(XMLElement.maxDepth)"
            parser.abortParsing()
            return
        }
        if count > XMLElement.maxElements {
            limitError = "more than \(XMLElement.maxElements) elements"
            parser.abortParsing()
            return
        }
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        stack.append(XMLElement(name: local))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty, stack[stack.count - 1].text.utf8.count < 8192 else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard let done = stack.popLast() else { return }
        if stack.isEmpty {
            root = done
        } else {
            stack[stack.count - 1].children.append(done)
        }
    }

    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
        nil
    }
}
