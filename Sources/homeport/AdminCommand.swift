import ArgumentParser
import ControlSocket
import Foundation
import Paths

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Admin functions of the running ID server or relay (what hbbs's and hbbr's loopback consoles offered).",
        discussion: """
        ID server commands: status; relay-servers [host:port,…] (show or replace); always-use-relay [Y|N]; ip-blocker (the registration limiter's table); config-update [serial [host,…]] (show or set the announced rendezvous servers; serial 0 to 2147483647). With --relay: status; usage; blacklist, blocklist [ip]; blacklist-add, blocklist-add ip|ip…; blacklist-remove, blocklist-remove ip|ip…|all; single-bandwidth, total-bandwidth, limit-speed [Mb/s]; downgrade-threshold [x]; downgrade-start-check [seconds]. Answers are JSON.
        """
    )

    @Flag(name: .long, help: "Talk to the relay instead of the ID server (status, usage, blacklist[-add|-remove], blocklist[-add|-remove], single-bandwidth, total-bandwidth, limit-speed, downgrade-threshold, downgrade-start-check).")
    var relay = false

    @Argument(help: "The command and its arguments.")
    var words: [String] = ["status"]

    @OptionGroup var locations: LocationOptions

    func run() async throws {
        let directory = try locations.stateDirectoryOrExit()
        let layout = StateLayout(directory: directory)
        let socket = relay ? layout.relayAdminSocket : layout.rendezvousAdminSocket
        if let denied = PathAccess.deniedReason(path: socket, need: R_OK | W_OK) {
            Terminal.error(denied)
            throw ExitCode.failure
        }
        let reply: [UInt8]
        do {
            reply = try await ControlClient.request(socketPath: socket, command: words.joined(separator: " "))
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        // A refused command (unknown, or a value out of range) is an error, not an answer: the
        // server's sentence names what is valid.
        if let refusal = try? JSONDecoder().decode(AdminRefusal.self, from: Data(reply)) {
            Terminal.error(refusal.error)
            throw ExitCode.failure
        }
        print(String(decoding: reply, as: UTF8.self))
    }
}

/// An admin answer that is `{"error": "…"}`.
private struct AdminRefusal: Decodable {
    let error: String
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
