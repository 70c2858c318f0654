/// The launchd job for `homeport run` (macOS). `launch/dev.homeport.plist` in the repository
/// is this rendering with the default paths of a LaunchDaemon; a test parses it.
public enum LaunchdPlist {
    public static let label = "dev.homeport"
    public static let fileName = "dev.homeport.plist"

    /// LaunchDaemons run at boot as root; LaunchAgents run when the user logs in.
    public static func defaultDirectory(isRoot: Bool, home: String) -> String {
        isRoot ? "/Library/LaunchDaemons" : home + "/Library/LaunchAgents"
    }

    public static func render(_ parameters: ServiceFileParameters) -> String {
        let arguments = parameters.runArguments.map { "        <string>\(escape($0))</string>" }.joined(separator: "\n")
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
        <!-- homeport: public IP, DDNS and a self-hosted RustDesk server for a home network.
             Install with `homeport service install` (as root for a LaunchDaemon). -->
        <plist version="1.0">
        <dict>
            <key>Label</key>
            <string>\(label)</string>
            <key>ProgramArguments</key>
            <array>
        \(arguments)
            </array>
            <key>RunAtLoad</key>
            <true/>
            <key>KeepAlive</key>
            <true/>
            <key>ThrottleInterval</key>
            <integer>5</integer>
            <key>ExitTimeOut</key>
            <integer>90</integer>
            <key>ProcessType</key>
            <string>Standard</string>
            <key>StandardOutPath</key>
            <string>\(escape(parameters.logDirectory + "/homeport.log"))</string>
            <key>StandardErrorPath</key>
            <string>\(escape(parameters.logDirectory + "/homeport.log"))</string>
        </dict>
        </plist>

        """
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
