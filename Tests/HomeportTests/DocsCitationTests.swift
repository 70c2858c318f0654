import Foundation
import Testing

/// Comments give reasons that can be checked: they cite `docs/<page>.md#<anchor>`, an RFC section
/// ("RFC 6887 §11") or an upstream source file, never the section of a document that is not in
/// the repository (docs/README.md). These tests find every `docs/…` citation and every section sign in
/// the sources, tests, benchmarks and provider files, and fail on a missing page or heading, or
/// a section sign that does not follow "RFC <number>".
@Suite struct DocsCitationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Where citations may appear; the section-sign rule applies to the first four.
    static let codeRoots = ["Sources", "Tests", "Benchmarks", "providers"]
    static let textRoots = codeRoots + ["docs", "README.md"]
    static let extensions: Set<String> = ["swift", "proto", "toml", "md", "c", "h", "sh"]

    @Test func everyCitedPageAndAnchorExists() throws {
        var problems: [String] = []
        for file in try Self.files(under: Self.textRoots) {
            for (number, line) in try Self.lines(of: file) {
                for citation in DocCitation.all(in: line) {
                    if let problem = Self.check(citation) { problems.append("\(Self.relative(file)):\(number): \(problem)") }
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func sectionSignsOnlyFollowAnRFCNumber() throws {
        var problems: [String] = []
        for file in try Self.files(under: Self.codeRoots) {
            for (number, line) in try Self.lines(of: file) where !DocCitation.unsupportedSections(in: line).isEmpty {
                problems.append("\(Self.relative(file)):\(number): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(problems.isEmpty, "cite docs/<page>.md#<anchor>, an RFC section or an upstream file instead:\n\(problems.joined(separator: "\n"))")
    }

    /// Relative links between the pages (`[x](router-protocols.md#epoch)`) must resolve too.
    @Test func linksBetweenPagesResolve() throws {
        var problems: [String] = []
        let pages = try Self.files(under: ["docs"]) + [Self.repository.appendingPathComponent("providers/README.md").path]
        for page in pages where page.hasSuffix(".md") {
            let directory = URL(fileURLWithPath: page).deletingLastPathComponent()
            for (number, line) in try Self.lines(of: page) {
                for link in DocCitation.markdownLinks(in: line) {
                    let target = link.file.isEmpty ? page : directory.appendingPathComponent(link.file).standardized.path
                    guard FileManager.default.fileExists(atPath: target) else {
                        problems.append("\(Self.relative(page)):\(number): no file \(link.file)")
                        continue
                    }
                    if let anchor = link.anchor, target.hasSuffix(".md"), !(try DocCitation.anchors(ofMarkdown: target)).contains(anchor) {
                        problems.append("\(Self.relative(page)):\(number): \(link.file)#\(anchor) names no heading")
                    }
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// The scanner itself: what it must accept and what it must report (so the tests above
    /// cannot pass by finding nothing).
    @Test func scannerFindsCitationsAndBadSectionSigns() throws {
        let sign = "\u{A7}"
        let found = DocCitation.all(in: "// (docs/" + "rustdesk-protocol.md#relay-pairing, #relay-limits and #limits)")
        #expect(found == [DocCitation(file: "rustdesk-protocol.md", anchors: ["relay-pairing", "relay-limits", "limits"])])
        #expect(DocCitation.all(in: "see ../docs/" + "ddns-policy.md#outcomes.") == [DocCitation(file: "ddns-policy.md", anchors: ["outcomes"])])
        #expect(DocCitation.all(in: "# https://docs.example.com/docs/api.md#x") == [])
        #expect(Self.check(DocCitation(file: "rustdesk-protocol.md", anchors: ["register-pk"])) == nil)
        #expect(Self.check(DocCitation(file: "rustdesk-protocol.md", anchors: ["no-such-heading"])) != nil)
        #expect(Self.check(DocCitation(file: "no-such-page.md", anchors: [])) != nil)
        #expect(DocCitation.unsupportedSections(in: "/// (spec \(sign)5.2.4)").count == 1)
        #expect(DocCitation.unsupportedSections(in: "// MARK: UDP (\(sign)5.2, \(sign)5.11)").count == 2)
        #expect(DocCitation.unsupportedSections(in: "/// (RFC 6887 \(sign)11.1, RFC 2136 \(sign)2.4–2.5)").isEmpty)
        #expect(DocCitation.slug("Register PK") == "register-pk")
        #expect(DocCitation.slug("Router protocols: PCP, NAT-PMP and UPnP IGD") == "router-protocols-pcp-nat-pmp-and-upnp-igd")
    }

    // MARK: Helpers

    static func check(_ citation: DocCitation) -> String? {
        let path = repository.appendingPathComponent("docs").appendingPathComponent(citation.file).path
        guard FileManager.default.fileExists(atPath: path) else { return "docs/\(citation.file) does not exist" }
        guard let anchors = try? DocCitation.anchors(ofMarkdown: path) else { return "docs/\(citation.file) cannot be read" }
        let missing = citation.anchors.filter { !anchors.contains($0) }
        guard missing.isEmpty else {
            return "docs/\(citation.file) has no heading for " + missing.map { "#\($0)" }.joined(separator: ", ")
        }
        return nil
    }

    static func files(under roots: [String]) throws -> [String] {
        var result: [String] = []
        for root in roots {
            let path = repository.appendingPathComponent(root).path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            guard isDirectory.boolValue else {
                result.append(path)
                continue
            }
            let enumerator = FileManager.default.enumerator(atPath: path)
            while let name = enumerator?.nextObject() as? String {
                if extensions.contains((name as NSString).pathExtension) { result.append(path + "/" + name) }
            }
        }
        return result.sorted()
    }

    static func lines(of path: String) throws -> [(Int, String)] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { ($0.offset + 1, String($0.element)) }
    }

    static func relative(_ path: String) -> String {
        let base = repository.path + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }
}

/// One `docs/<file>.md` citation and its anchors (a page followed by `#x, #y and #z` names three anchors of that page).
struct DocCitation: Equatable {
    var file: String
    var anchors: [String]

    private static let fileCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
    private static let anchorCharacters = CharacterSet.lowercaseLetters.union(.decimalDigits).union(CharacterSet(charactersIn: "-_"))
    /// What may come right before `docs/`: the start of the text, a space, an opening bracket or
    /// quote, or `../` of a relative link. Not a URL's `example.com/docs/`.
    private static let boundaries: Set<Character> = [" ", "\t", "(", "[", "`", "\"", "'"]

    static func all(in line: String) -> [DocCitation] {
        var result: [DocCitation] = []
        var searchStart = line.startIndex
        while let found = line.range(of: "docs/", range: searchStart..<line.endIndex) {
            searchStart = found.upperBound
            let before = line[line.startIndex..<found.lowerBound]
            guard before.isEmpty || before.hasSuffix("../") || before.last.map(boundaries.contains) == true else { continue }
            let name = line[found.upperBound...].prefix { $0.unicodeScalars.allSatisfy(fileCharacters.contains) }
            guard name.hasSuffix(".md") else { continue }
            var rest = line[name.endIndex...]
            var anchors: [String] = []
            while rest.hasPrefix("#") {
                rest = rest.dropFirst()
                let anchor = rest.prefix { $0.unicodeScalars.allSatisfy(anchorCharacters.contains) }
                anchors.append(String(anchor))
                rest = rest[anchor.endIndex...]
                if rest.hasPrefix(", #") {
                    rest = rest.dropFirst(2)
                } else if rest.hasPrefix(" and #") {
                    rest = rest.dropFirst(5)
                }
            }
            result.append(DocCitation(file: String(name), anchors: anchors))
        }
        return result
    }

    /// Section signs not preceded by "RFC <number> ": each one cites a document outside the
    /// repository (or nothing).
    static func unsupportedSections(in line: String) -> [String.Index] {
        line.indices.filter { index in
            guard line[index] == "\u{A7}" else { return false }
            let words = line[line.startIndex..<index].split(separator: " ")
            guard line[line.startIndex..<index].hasSuffix(" "), words.count >= 2 else { return true }
            return !(words[words.count - 1].allSatisfy(\.isNumber) && words[words.count - 2].hasSuffix("RFC"))
        }
    }

    /// GitHub's heading anchor: lower case, spaces as hyphens, other punctuation dropped.
    static func slug(_ heading: String) -> String {
        String(heading.trimmingCharacters(in: .whitespaces).lowercased().compactMap { character -> Character? in
            if character == " " { return "-" }
            return character.isLetter || character.isNumber || character == "-" || character == "_" ? character : nil
        })
    }

    /// The anchors of a Markdown file's headings (outside code blocks); a repeated heading gets
    /// `-1`, `-2`, … as on GitHub.
    static func anchors(ofMarkdown path: String) throws -> Set<String> {
        var anchors: Set<String> = []
        var seen: [String: Int] = [:]
        var inCode = false
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            if line.hasPrefix("```") { inCode.toggle() }
            guard !inCode, line.hasPrefix("#") else { continue }
            let text = line.drop { $0 == "#" }
            guard text.hasPrefix(" ") else { continue }
            let base = slug(String(text))
            let count = seen[base, default: 0]
            seen[base] = count + 1
            anchors.insert(count == 0 ? base : "\(base)-\(count)")
        }
        return anchors
    }

    /// Relative Markdown links `[text](file.md#anchor)` and `[text](#anchor)`; web links are skipped.
    static func markdownLinks(in line: String) -> [(file: String, anchor: String?)] {
        var links: [(String, String?)] = []
        var searchStart = line.startIndex
        while let open = line.range(of: "](", range: searchStart..<line.endIndex) {
            guard let close = line[open.upperBound...].firstIndex(of: ")") else { break }
            searchStart = close
            let target = line[open.upperBound..<close]
            guard !target.contains("://"), !target.hasPrefix("mailto:"), !target.contains(" ") else { continue }
            let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            links.append((String(parts[0]), parts.count > 1 ? String(parts[1]) : nil))
        }
        return links
    }
}
