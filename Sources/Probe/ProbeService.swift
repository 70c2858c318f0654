import Foundation
import Hummingbird
import InternetAddress
import Logging
import NIOCore
import Synchronization

/// What `POST /v1/check` does: token, rate limit, body, request, concurrency, then the checks,
/// always on the TCP peer's address. Headers such as X-Forwarded-For or Forwarded are never read:
/// the probe is reached directly, and believing them would let anyone aim it at a third address.
final class ProbeService: Sendable {
    let settings: ProbeSettings
    let logger: Logger
    private let limiter: ClientRateLimiter
    private let inFlight = Mutex(0)

    init(settings: ProbeSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        limiter = ClientRateLimiter(perMinute: settings.requestsPerMinute)
    }

    func respond(to request: Request, context: ProbeRequestContext) async -> Response {
        do {
            let answer = try await check(request, context: context)
            return Self.json(.ok, answer)
        } catch {
            logger.info("probe: refused a request", metadata: ["status": "\(error.status.code)", "reason": "\(error.message)"])
            var response = Self.json(error.status, ProbeErrorBody(error: error.message))
            if let seconds = error.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
            return response
        }
    }

    private func check(_ request: Request, context: ProbeRequestContext) async throws(ProbeRefusal) -> ProbeAnswer {
        guard let address = context.peer?.internetAddress else {
            throw ProbeRefusal(.internalServerError, "the probe could not tell which address the request came from")
        }
        if let wait = limiter.admit(address) {
            let seconds = max(1, Int((Double(wait / .milliseconds(1)) / 1000).rounded(.up)))
            throw ProbeRefusal(.tooManyRequests, "too many requests from \(address); this probe allows \(settings.requestsPerMinute) a minute per client, try again in \(seconds) s",
                               retryAfterSeconds: seconds)
        }
        // No WWW-Authenticate on the 401: a bearer token has no challenge to answer, and
        // Foundation's URLSession on Linux hangs on a 401 that carries one (swift-corelibs-foundation #5456).
        if let token = settings.token, !TokenCheck.accepts(authorization: request.headers[.authorization], expected: token) {
            throw ProbeRefusal(.unauthorized, request.headers[.authorization] == nil
                ? "this probe needs a token: send 'Authorization: Bearer <token>' with the token from its token file"
                : "the token is wrong: send 'Authorization: Bearer <token>' with the token from the probe's token file")
        }
        let body = try await readBody(request)
        let probeRequest = try ProbeRequestDecoding.decode(body)
        try takeSlot()
        defer { inFlight.withLock { $0 -= 1 } }
        let results = await PortChecks.run(probeRequest.ports, on: address, timeout: settings.portTimeout)
        logger.info("probe: checked", metadata: [
            "client": "\(address)",
            "results": "\(results.map { "\($0.transport.rawValue)/\($0.port) \($0.result.rawValue)" }.joined(separator: ", "))",
        ])
        return ProbeAnswer(address: address, results: results,
                           ignoredFields: probeRequest.ignoredFields.isEmpty ? nil : probeRequest.ignoredFields)
    }

    private func readBody(_ request: Request) async throws(ProbeRefusal) -> [UInt8] {
        let limit = settings.maximumBodyBytes
        let tooLarge = ProbeRefusal(.contentTooLarge, "the body is larger than \(limit) bytes; a check request for \(ProbeSettings.maximumPorts) ports needs under 1 KiB")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw tooLarge
        }
    }

    private func takeSlot() throws(ProbeRefusal) {
        let maximum = settings.maximumConcurrentRequests
        let taken = inFlight.withLock { count in
            guard count < maximum else { return false }
            count += 1
            return true
        }
        guard taken else {
            throw ProbeRefusal(.serviceUnavailable, "the probe is checking \(maximum) requests already; try again in a few seconds", retryAfterSeconds: 5)
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"the answer could not be encoded"}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
