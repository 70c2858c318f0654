enum ServiceDefinitionParser {
    /// The service, or nil when it lacks a valid name or command; every problem found is
    /// recorded in the reader's problems either way.
    static func parse(_ reader: TableReader) -> ServiceDefinition? {
        reader.reportUnknownKeys(ServiceDefinition.validKeys)
        let valid = ServiceDefinition.validKeys
        // A missing key that the unknown-key problem already suggests is not reported twice.
        var name = reader.isMisspelled("name", valid: valid) ? nil
            : reader.attempt { () throws(ConfigError) in try reader.requiredString("name", example: "\"web\"") }
        if let given = name {
            if !isValidName(given) {
                reader.report("name", "service name '\(given)' may use only letters, digits, '-', '_' and '.', and must start with a letter or digit")
                name = nil
            } else if ServiceDefinition.reservedNames.contains(given) {
                reader.report("name", "'\(given)' is the name of a built-in service; configure it in [\(given)] instead, or pick another name")
                name = nil
            }
        }
        let command = reader.isMisspelled("command", valid: valid) ? nil
            : reader.attempt { () throws(ConfigError) in try parseCommand(reader) }
        var service = ServiceDefinition(name: name ?? "", command: command ?? [])
        service.line = reader.lines.line(ofSection: reader.section)
        service.enabled = reader.bool("enabled", or: true)
        if let dir = reader.attempt({ () throws(ConfigError) in try reader.string("working_dir") }) {
            if dir.hasPrefix("/") {
                service.workingDirectory = dir
            } else {
                reader.report("working_dir", "'working_dir' in \(reader.title) must be an absolute path, not \"\(dir)\"")
            }
        }
        service.restart = reader.attempt { () throws(ConfigError) in try reader.oneOf("restart", RestartPolicy.self) } ?? .always
        if let health = reader.attempt({ () throws(ConfigError) in try reader.string("health") }) {
            service.health = reader.attempt { () throws(ConfigError) in try parseHealth(health, reader) } ?? .none
        }
        service.healthInterval = reader.duration("health_interval", min: .seconds(1), max: .seconds(3600), or: service.healthInterval)
        service.stopTimeout = reader.duration("stop_timeout", max: .seconds(600), or: service.stopTimeout)
        if let env = reader.attempt({ () throws(ConfigError) in try reader.subtable("env", title: "env = { NAME = \"value\" }") }) {
            for key in env.keys.sorted() {
                guard let value = env[key]?.string else {
                    reader.report("env", "env.\(key) in \(reader.title) must be a string")
                    continue
                }
                service.environment[key] = value
            }
        }
        guard name != nil, command != nil else { return nil }
        return service
    }

    private static func parseCommand(_ reader: TableReader) throws(ConfigError) -> [String] {
        let example = "command = [\"/usr/bin/python3\", \"-m\", \"http.server\", \"8080\"]"
        let words: [String]
        if let text = try? reader.string("command") {
            do {
                words = try ShellWords.split(text)
            } catch {
                throw reader.error("command", "'command' in \(reader.title) has an unclosed quote or a trailing backslash")
            }
        } else if let array = try reader.stringArray("command") {
            words = array
        } else {
            throw reader.error(nil, "\(reader.title) needs 'command', for example \(example)")
        }
        guard let program = words.first, !program.isEmpty else {
            throw reader.error("command", "'command' in \(reader.title) is empty; for example \(example)")
        }
        return words
    }

    private static func parseHealth(_ text: String, _ reader: TableReader) throws(ConfigError) -> HealthCheckSetting {
        if text == "none" { return .none }
        if text.hasPrefix("tcp:"), let port = Int(text.dropFirst(4)), (1...65535).contains(port) {
            return .tcp(port: port)
        }
        throw reader.error("health", "'health' in \(reader.title) must be \"none\" or \"tcp:PORT\" (a port from 1 to 65535 on this machine), not \"\(text)\"")
    }

    private static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIIAlphanumeric else { return false }
        return name.count <= 64 && name.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || "-_.".unicodeScalars.contains($0) }
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}
