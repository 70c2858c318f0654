import ControlSocket
import Foundation
import NIOCore
import NIOPosix
import Testing

@Suite struct ControlSocketTests {
    @Test func answersCommandsOnAPrivateSocket() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("c.sock")
        let server = try await ControlServer.bind(path: path)
        let task = Task {
            try await server.serve { command, arguments in
                Array("{\"command\":\"\(command)\",\"arguments\":\(arguments.count)}".utf8)
            }
        }

        let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let reply = try await ControlClient.request(socketPath: path, command: "status now please")
        #expect(String(decoding: reply, as: UTF8.self) == #"{"command":"status","arguments":2}"#)

        // Many concurrent clients are each answered.
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 {
                group.addTask { String(decoding: try await ControlClient.request(socketPath: path, command: "ping"), as: UTF8.self) }
            }
            for try await answer in group { #expect(answer.contains("ping")) }
        }

        task.cancel()
        _ = try? await task.value
        #expect(!FileManager.default.fileExists(atPath: path), "the socket file is removed on shutdown")
        await #expect(throws: ControlClient.Failure.self) {
            _ = try await ControlClient.request(socketPath: path, command: "status")
        }
    }

    @Test func aSocketPathThatCannotBeBoundIsOneSentence() async throws {
        do {
            _ = try await ControlServer.bind(path: "/nonexistent/dir/homeport.sock")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("Cannot create the control socket /nonexistent/dir/homeport.sock: "))
        }
        do {
            _ = try await ControlServer.bind(path: "/tmp/" + String(repeating: "x", count: 120))
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("too long for a Unix socket"))
        }
    }

    @Test func aStaleSocketFileMeansNotRunning() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("stale.sock")
        // A socket file with no listener, as a killed daemon leaves behind.
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(unixDomainSocketPath: path).get()
        try await channel.close()
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        do {
            _ = try await ControlClient.request(socketPath: path, command: "status")
            Issue.record("expected notRunning")
        } catch {
            guard case .notRunning = error else {
                Issue.record("expected notRunning, got \(error)")
                return
            }
        }
    }

    @Test func anEndlessLineIsCutOff() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("c.sock")
        let server = try await ControlServer.bind(path: path)
        let task = Task { try await server.serve { _, _ in Array("ok".utf8) } }
        defer { task.cancel() }
        let reply = try? await ControlClient.request(socketPath: path, command: String(repeating: "x", count: 100_000))
        #expect(reply == nil || reply == [], "a 100 kB request line must not be served")
        // The server still serves others.
        #expect(try await ControlClient.request(socketPath: path, command: "ping") == Array("ok".utf8))
    }
}
