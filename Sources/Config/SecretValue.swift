#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A credential: inline in the config, or a reference to an environment variable (`env:NAME`)
/// or a file (`file:PATH`, first line, trailing newline dropped). Its description never shows
/// the value, so it can be logged, printed and stored safely.
public enum SecretValue: Sendable, Equatable, CustomStringConvertible {
    case inline(String)
    case environment(String)
    case file(String)

    public init(parsing text: String) {
        if text.hasPrefix("env:"), text.count > 4 {
            self = .environment(String(text.dropFirst(4)))
        } else if text.hasPrefix("file:"), text.count > 5 {
            self = .file(String(text.dropFirst(5)))
        } else {
            self = .inline(text)
        }
    }

    public var isInline: Bool {
        if case .inline = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .inline: return "<redacted>"
        case .environment(let name): return "env:\(name)"
        case .file(let path): return "file:\(path)"
        }
    }

    public struct ResolveError: Error, CustomStringConvertible {
        /// Whether another process may succeed where this one failed: an environment variable
        /// or a file permission belongs to the process (the daemon's environment and user may
        /// differ from a shell's), while a file that does not exist or is empty is missing for
        /// every process on this machine.
        public enum Scope: Sendable {
            case thisProcess, everywhere
        }

        public let description: String
        public let scope: Scope

        init(_ description: String, scope: Scope) {
            self.description = description
            self.scope = scope
        }
    }

    /// The secret's value. Errors name the variable or file, never the value.
    public func resolve(environment: [String: String]) throws(ResolveError) -> String {
        switch self {
        case .inline(let value):
            return value
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw ResolveError("environment variable \(name) is not set (referenced as env:\(name))", scope: .thisProcess)
            }
            return value
        case .file(let path):
            guard let file = fopen(path, "r") else {
                let code = errno
                // A relative path depends on the working directory, which the daemon's may not share.
                if (code == ENOENT || code == ENOTDIR) && path.hasPrefix("/") {
                    throw ResolveError("secret file \(path) does not exist (referenced as file:\(path)); create it with the secret on its first line, or correct the path",
                                       scope: .everywhere)
                }
                throw ResolveError("cannot read secret file \(path): \(String(cString: strerror(code)))", scope: .thisProcess)
            }
            defer { fclose(file) }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = fread(&chunk, 1, chunk.count, file)
                if count <= 0 { break }
                bytes.append(contentsOf: chunk[0..<count])
                if bytes.count > 65536 { break }
            }
            var text = String(decoding: bytes, as: UTF8.self)
            if let newline = text.firstIndex(where: { $0 == "\n" || $0 == "\r\n" }) {
                text = String(text[..<newline])
            }
            guard !text.isEmpty else {
                throw ResolveError("secret file \(path) is empty; put the secret on its first line", scope: .everywhere)
            }
            return text
        }
    }
}
