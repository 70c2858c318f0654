import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// `homeport probe serve`: the outside probe's HTTP server (Hummingbird), one route,
/// `POST /v1/check` (see `ProbeRequest` and `ProbeAnswer` for the JSON).
public struct ProbeServer: Sendable {
    public let settings: ProbeSettings
    let logger: Logger

    public init(settings: ProbeSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// Serves until the task is cancelled. `onListening` gets the bound port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let service = ProbeService(settings: settings, logger: logger)
        let router = Router(context: ProbeRequestContext.self)
        router.post("/v1/check") { request, context in
            await service.respond(to: request, context: context)
        }
        let deadline = TimeAmount.nanoseconds(Int64(settings.requestDeadline / .nanoseconds(1)))
        let idle = TimeAmount.nanoseconds(Int64(settings.idleTimeout / .nanoseconds(1)))
        let server = HTTPServerBuilder { responder in
            DeadlineHTTP1Channel(http1: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idle)), deadline: deadline)
        }
        let app = Application(
            router: router,
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(settings.listen.host, port: settings.listen.port),
                                                    serverName: "homeport-probe"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.run()
    }
}
