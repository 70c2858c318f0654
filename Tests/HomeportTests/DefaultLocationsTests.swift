import Testing
@testable import Paths

@Suite struct DefaultLocationsTests {
    @Test func linuxRootUsesEtcAndVarLib() {
        let locations = DefaultLocations.forLinux(isRoot: true, environment: ["HOME": "/root", "XDG_CONFIG_HOME": "/x"])
        #expect(locations == DefaultLocations(configFile: "/etc/homeport/homeport.toml", stateDirectory: "/var/lib/homeport"))
    }

    @Test func linuxUserFollowsXDG() {
        #expect(DefaultLocations.forLinux(isRoot: false, environment: ["HOME": "/home/ann"])
            == DefaultLocations(configFile: "/home/ann/.config/homeport/homeport.toml", stateDirectory: "/home/ann/.local/state/homeport"))
        #expect(DefaultLocations.forLinux(isRoot: false, environment: ["HOME": "/home/ann", "XDG_CONFIG_HOME": "/cfg", "XDG_STATE_HOME": "/st/"])
            == DefaultLocations(configFile: "/cfg/homeport/homeport.toml", stateDirectory: "/st/homeport"))
        #expect(DefaultLocations.forLinux(isRoot: false, environment: ["HOME": "/home/ann", "XDG_CONFIG_HOME": ""]).configFile
            == "/home/ann/.config/homeport/homeport.toml")
    }

    @Test func macOSUsesApplicationSupport() {
        #expect(DefaultLocations.forMacOS(isRoot: false, environment: ["HOME": "/Users/ann"])
            == DefaultLocations(configFile: "/Users/ann/Library/Application Support/homeport/homeport.toml", stateDirectory: "/Users/ann/Library/Application Support/homeport"))
        #expect(DefaultLocations.forMacOS(isRoot: true, environment: [:]).stateDirectory == "/Library/Application Support/homeport")
    }
}
