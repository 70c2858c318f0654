import Foundation

/// Where provider files are read from, in order (later directories override earlier ones by
/// file name): the shipped set, then the user's own `<config dir>/providers`.
public enum ProviderDirectories {
    /// The shipped directory: `$HOMEPORT_PROVIDERS_DIR`; else `share/homeport/providers` beside
    /// the executable's `bin` (an installed layout); else the source tree's `providers/`
    /// (found from this file's compile-time path, for developer builds and tests).
    public static func shipped(environment: [String: String] = ProcessInfo.processInfo.environment,
                               executablePath: String = CommandLine.arguments.first ?? "") -> String? {
        if let override = environment["HOMEPORT_PROVIDERS_DIR"], !override.isEmpty { return override }
        let executable = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            executable.appendingPathComponent("../share/homeport/providers").standardizedFileURL.path,
            executable.appendingPathComponent("providers").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("providers").path,
        ]
        return candidates.first { isDirectory($0) }
    }

    /// Every directory to load, shipped first, then `<configDirectory>/providers` when given.
    public static func standard(configDirectory: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                                executablePath: String = CommandLine.arguments.first ?? "") -> [String] {
        var directories: [String] = []
        if let shipped = shipped(environment: environment, executablePath: executablePath) { directories.append(shipped) }
        if let configDirectory { directories.append((configDirectory as NSString).appendingPathComponent("providers")) }
        return directories
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
