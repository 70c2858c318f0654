/// Where provider definitions come from, in order (a later set overrides an earlier one by
/// file name): the built-in set compiled into homeport, then the user's `<config dir>/providers`.
public enum ProviderSearchOrder {
    /// The sets to load: `.builtIn` (or, for someone editing provider files, the directory
    /// `$HOMEPORT_PROVIDERS_DIR` instead of it), then `<configDirectory>/providers` when given.
    public static func standard(configDirectory: String?, environment: [String: String]) -> [ProviderSet] {
        var sets: [ProviderSet] = [.builtIn]
        if let override = environment["HOMEPORT_PROVIDERS_DIR"], !override.isEmpty { sets = [.directory(override)] }
        if let configDirectory { sets.append(.directory(configDirectory.hasSuffix("/") ? configDirectory + "providers" : configDirectory + "/providers")) }
        return sets
    }
}

/// A set of provider files: the ones shipped in providers/ and compiled in, or a directory.
public enum ProviderSet: Sendable, Equatable, CustomStringConvertible {
    case builtIn
    case directory(String)

    public var description: String {
        switch self {
        case .builtIn: return "built-in"
        case .directory(let path): return path
        }
    }
}

/// Where one provider definition was read from, as `providers list` shows it.
public enum ProviderOrigin: Sendable, Equatable, CustomStringConvertible {
    case builtIn
    case file(String)

    public var description: String {
        switch self {
        case .builtIn: return "built-in"
        case .file(let path): return path
        }
    }
}
