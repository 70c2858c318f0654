import Foundation
import Testing
@testable import RustDeskWire

@Suite struct RustDeskWireKeyFilesTests {
    private func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
    }

    private func contents(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func generatesBothFilesThenReloadsTheSameKey() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        #expect(KeyFiles.check(directory: directory.path) == .missing(path: directory.file("id_ed25519")))

        let pair = try KeyFiles.loadOrGenerate(directory: directory.path)
        let secret = try #require(contents(directory.file("id_ed25519")))
        let public_ = try #require(contents(directory.file("id_ed25519.pub")))
        #expect(secret.count == 88 && public_.count == 44)
        #expect(!secret.hasSuffix("\n") && !public_.hasSuffix("\n"))
        #expect(Data(base64Encoded: secret).map(Array.init) == pair.secretKey)
        #expect(Data(base64Encoded: public_).map(Array.init) == Array(pair.secretKey.suffix(32)))
        #expect(public_ == pair.publicKeyBase64 && !public_.contains("/"))
        #expect(mode(directory.file("id_ed25519")) == 0o600)
        #expect(mode(directory.file("id_ed25519.pub")) == 0o600)
        // No temporary files are left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["id_ed25519", "id_ed25519.pub"])

        // Started again without the .pub file: same key.
        try FileManager.default.removeItem(atPath: directory.file("id_ed25519.pub"))
        #expect(try KeyFiles.loadOrGenerate(directory: directory.path) == pair)
        #expect(try KeyFiles.load(directory: directory.path) == pair)
        #expect(KeyFiles.check(directory: directory.path) == .ok(publicKeyBase64: pair.publicKeyBase64))
    }

    @Test func surroundingWhitespaceIsTrimmed() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        _ = directory.write("id_ed25519", "  \(RustDeskWireKeyTests.secretBase64)\n")
        #expect(try KeyFiles.loadOrGenerate(directory: directory.path).publicKeyBase64 == RustDeskWireKeyTests.publicBase64)
    }

    @Test(arguments: [
        ("not base64 at all!", "is malformed: it is not base64 text."),
        (" \n", "is malformed: it is empty."),
        ("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "is malformed: it decodes to 32 bytes, but an ed25519 secret key is 64 bytes."),
        // The docs/rustdesk-protocol.md#signing test-vector key with its public half altered (the last base64 characters changed).
        ("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8DoQe/884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxAA==",
         "is corrupt: its public half (bytes 32–63) does not belong to its seed."),
    ])
    func unusableSecretKeyFileIsAnErrorSentence(text: String, expectedEnding: String) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.write("id_ed25519", text)
        let expected = "the server key file \(path) \(expectedEnding)"
        do {
            _ = try KeyFiles.loadOrGenerate(directory: directory.path)
            Issue.record("loaded an unusable key file")
        } catch {
            #expect(error.description == expected)
            #expect(!error.description.contains("AAECAwQF"))
        }
        guard case .invalid(let checked) = KeyFiles.check(directory: directory.path) else {
            Issue.record("check accepted an unusable key file")
            return
        }
        #expect(checked.description == expected)
        // The bad file is never replaced by a fresh key.
        #expect(contents(path) == text)
    }

    @Test func checkNoticesAPublicFileThatDoesNotMatch() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        _ = try KeyFiles.loadOrGenerate(directory: directory.path)
        let pubPath = directory.write("id_ed25519.pub", RustDeskWireKeyTests.publicBase64)
        #expect(KeyFiles.check(directory: directory.path) == .invalid(KeyFileError(path: pubPath, problem: .publicFileMismatch)))
    }

    @Test func missingDirectoryIsAWriteError() {
        #expect(throws: KeyFileError.self) {
            try KeyFiles.loadOrGenerate(directory: "/tmp/hp-does-not-exist-\(UUID().uuidString)")
        }
    }

    @Test func keyOptionFollowsTheHbbsTable() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let dash = try KeyOption.resolve("-", keyDirectory: directory.path)
        let filePub = try #require(contents(directory.file("id_ed25519.pub")))
        #expect(dash.licenceKey == filePub && dash.signer?.publicKeyBase64 == filePub)
        #expect(try KeyOption.resolve(keyDirectory: directory.path) == dash)
        #expect(try KeyOption.resolve("_", keyDirectory: directory.path) == dash)
        #expect(try KeyOption.resolve("", keyDirectory: directory.path) == KeyOption(licenceKey: nil, signer: dash.signer))

        let given = try KeyOption.resolve(RustDeskWireKeyTests.secretBase64, keyDirectory: directory.path)
        #expect(given.licenceKey == RustDeskWireKeyTests.publicBase64)
        #expect(given.signer == (try RustDeskWireKeyTests.vectorPair()))

        for verbatim in [RustDeskWireKeyTests.publicBase64, "some key", "-x"] {
            #expect(try KeyOption.resolve(verbatim, keyDirectory: directory.path) == KeyOption(licenceKey: verbatim, signer: nil))
        }
        // A 64-byte key whose halves do not belong together is refused, not used verbatim.
        var tampered = try RustDeskWireKeyTests.vectorPair().secretKey
        tampered[63] ^= 1
        #expect(throws: ServerKeyError.publicHalfMismatch) {
            try KeyOption.resolve(Data(tampered).base64EncodedString(), keyDirectory: directory.path)
        }
    }
}
