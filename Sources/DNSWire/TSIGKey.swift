import Foundation
import Sodium

/// A TSIG HMAC algorithm homeport can sign with.
public enum TSIGAlgorithm: String, Sendable, Hashable, CaseIterable {
    case hmacSHA256 = "hmac-sha256"
    case hmacSHA512 = "hmac-sha512"
    /// Still in RFC 8945 and accepted by BIND; prefer hmac-sha256 for new keys.
    case hmacSHA1 = "hmac-sha1"

    /// Accepts the names BIND and the RFCs use, with or without a trailing dot, any case.
    public init?(name: String) {
        var lowered = name.lowercased()
        if lowered.hasSuffix(".") { lowered.removeLast() }
        self.init(rawValue: lowered)
    }

    /// The algorithm name as it appears in the TSIG record.
    public var dnsName: DNSName { DNSName(uncheckedLabels: [Array(rawValue.utf8)]) }

    public var macLength: Int {
        switch self {
        case .hmacSHA256: return 32
        case .hmacSHA512: return 64
        case .hmacSHA1: return 20
        }
    }

    func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        switch self {
        case .hmacSHA256: return HMAC.sha256(key: key, message: message)
        case .hmacSHA512: return HMAC.sha512(key: key, message: message)
        case .hmacSHA1: return HMAC.sha1(key: key, message: message)
        }
    }
}

/// Why a TSIG key could not be built. Never contains the secret.
public enum TSIGKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidName(String, reason: String)
    case unsupportedAlgorithm(String)
    case invalidSecret(reason: String)
    case keyFile(line: Int, reason: String)

    public var description: String {
        switch self {
        case .invalidName(let name, let reason):
            return "TSIG key name '\(name)' is not a valid DNS name: \(reason)"
        case .unsupportedAlgorithm(let name):
            return "TSIG algorithm '\(name)' is not supported; use one of: \(TSIGAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))"
        case .invalidSecret(let reason):
            return "TSIG secret is invalid: \(reason) (expected the Base64 text tsig-keygen prints)"
        case .keyFile(let line, let reason):
            return "TSIG key file line \(line): \(reason)"
        }
    }
}

/// A TSIG key: name, algorithm and the decoded shared secret. The secret is never printed.
public struct TSIGKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let name: DNSName
    public let algorithm: TSIGAlgorithm
    let secret: [UInt8]

    /// - Parameters:
    ///   - name: the key name as the server knows it (`homeport-key` or `homeport-key.`).
    ///   - algorithm: `hmac-sha256` or `hmac-sha512`.
    ///   - secret: the Base64 secret.
    public init(name: String, algorithm: String = "hmac-sha256", secret: String) throws {
        let parsedName: DNSName
        do { parsedName = try DNSName(name) } catch let error as DNSWireError {
            throw TSIGKeyError.invalidName(name, reason: "\(error)")
        }
        guard !parsedName.isRoot else { throw TSIGKeyError.invalidName(name, reason: "empty") }
        guard let parsedAlgorithm = TSIGAlgorithm(name: algorithm) else { throw TSIGKeyError.unsupportedAlgorithm(algorithm) }
        let trimmed = secret.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: trimmed) else { throw TSIGKeyError.invalidSecret(reason: "not Base64") }
        guard !data.isEmpty else { throw TSIGKeyError.invalidSecret(reason: "empty") }
        self.init(name: parsedName, algorithm: parsedAlgorithm, secretBytes: Array(data))
    }

    public init(name: DNSName, algorithm: TSIGAlgorithm, secretBytes: [UInt8]) {
        self.name = name
        self.algorithm = algorithm
        self.secret = secretBytes
    }

    /// Reads the first `key "name" { algorithm …; secret "…"; };` statement of a BIND key file
    /// (as `tsig-keygen` and `ddns-confgen` write).
    public static func parseBindKeyFile(_ text: String) throws -> TSIGKey {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var name: String?
        var nameLine = 0
        var algorithm: String?
        var secret: String?
        for (index, rawLine) in lines.enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            if name == nil, let range = line.range(of: "key ") {
                let rest = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
                let quoted = rest.hasPrefix("\"") ? rest.dropFirst().prefix { $0 != "\"" } : rest.prefix { !$0.isWhitespace && $0 != "{" }
                name = String(quoted)
                nameLine = index + 1
            }
            if let range = line.range(of: "algorithm ") {
                algorithm = line[range.upperBound...].prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces)
            }
            if let range = line.range(of: "secret ") {
                secret = String(line[range.upperBound...].prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces)
                    .trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
            }
        }
        guard let name, !name.isEmpty else { throw TSIGKeyError.keyFile(line: 1, reason: "no `key \"name\" {` statement") }
        guard let algorithm else { throw TSIGKeyError.keyFile(line: nameLine, reason: "key has no `algorithm …;`") }
        guard let secret else { throw TSIGKeyError.keyFile(line: nameLine, reason: "key has no `secret \"…\";`") }
        return try TSIGKey(name: name, algorithm: algorithm, secret: secret)
    }

    public var description: String { "TSIG key \(name) (\(algorithm.rawValue), secret hidden)" }
    public var debugDescription: String { description }
    /// Keeps the secret out of `dump` and debugger output too.
    public var customMirror: Mirror { Mirror(self, children: ["name": name, "algorithm": algorithm]) }
}
