enum ServiceDefinitionParser {
    static func parse(_ reader: TableReader) throws(ConfigError) -> ServiceDefinition {
        try reader.requireOnlyKeys(ServiceDefinition.validKeys)
        let name = try reader.requiredString("name", example: "\"web\"")
        guard isValidName(name) else {
            throw reader.error("name", "service name '\(name)' may use only letters, digits, '-', '_' and '.', and must start with a letter or digit")
        }
        guard !ServiceDefinition.reservedNames.contains(name) else {
            throw reader.error("name", "'\(name)' is the name of a built-in service; configure it in [\(name)] instead, or pick another name")
        }
        let command = try parseCommand(reader)
        var service = ServiceDefinition(name: name, command: command)
        service.line = reader.lines.line(ofSection: reader.section)
        service.enabled = try reader.bool("enabled") ?? true
        service.workingDirectory = try reader.string("working_dir")
        if let dir = service.workingDirectory, !dir.hasPrefix("/") {
            throw reader.error("working_dir", "'working_dir' in \(reader.title) must be an absolute path, not \"\(dir)\"")
        }
        service.restart = try reader.oneOf("restart", RestartPolicy.self) ?? .always
        if let health = try reader.string("health") {
            service.health = try parseHealth(health, reader)
        }
        if let interval = try reader.duration("health_interval", max: .seconds(3600)) {
            guard interval >= .seconds(1) else {
                throw reader.error("health_interval", "'health_interval' in \(reader.title) must be at least 1s")
            }
            service.healthInterval = interval
        }
        service.stopTimeout = try reader.duration("stop_timeout", max: .seconds(600)) ?? service.stopTimeout
        if let env = try reader.subtable("env", title: "env = { NAME = \"value\" }") {
            for key in env.keys {
                guard let value = env[key]?.string else {
                    throw reader.error("env", "env.\(key) in \(reader.title) must be a string")
                }
                service.environment[key] = value
            }
        }
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
