import Foundation
import Testing

/// Provider answers that carry the token in pieces: cut by the excerpt's size limit, or
/// broken over lines or padded by the server. No piece may reach the history database.
@Suite(.serialized) struct DDNSSplitSecretTests {
    static let token = DDNSUpdateCommandTests.token
    /// Long enough to be recognisable, short enough to be only part of the token.
    static let firstPart = String(DDNSUpdateCommandTests.token.prefix(10))
    static let lastPart = String(DDNSUpdateCommandTests.token.suffix(13))

    static let answers: [(name: String, body: String)] = [
        // The token starts 10 bytes before byte 4096, where answers used to be cut.
        ("straddling the 4096-byte cut", "KO" + String(repeating: " ", count: 4096 - 10 - 2) + token),
        ("split by a newline", "KO token=" + token.prefix(15) + "\n" + token.dropFirst(15)),
        ("split by CRLF and a tab", "KO\r\n" + token.prefix(8) + "\r\n\t" + token.dropFirst(8).prefix(9) + " " + token.dropFirst(17)),
    ]

    @Test(arguments: 0..<answers.count)
    func noPieceOfTheTokenReachesTheHistory(_ index: Int) async throws {
        let answer = Self.answers[index]
        let setup = try await DDNSUpdateCommandTests.Setup()
        defer { setup.dir.remove() }
        setup.server.script([.init(status: 200, body: answer.body)])
        let output = try await setup.update(["--ip4", "203.0.113.7"])
        #expect(try setup.outcomes(output) == ["auth_error"], "\(answer.name): \(output.stdout)\(output.stderr)")
        #expect(setup.server.requests.count == 1)
        let database = setup.databaseBytes()
        #expect(!database.isEmpty)
        for piece in [Self.token, Self.firstPart, Self.lastPart] {
            #expect(database.range(of: Data(piece.utf8)) == nil, "\(answer.name): '\(piece)' is in the history database")
            #expect(!output.stdout.contains(piece) && !output.stderr.contains(piece), "\(answer.name): '\(piece)' was printed")
        }
        await setup.server.stop()
    }
}
