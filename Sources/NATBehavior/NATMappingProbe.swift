import DNSWire
import InternetAddress
import NIOCore
import NIOPosix

/// Asks two or more STUN servers, from one local UDP port, where they see that port come from,
/// and judges from the answers whether the NAT maps the port the same way for every
/// destination (`NATMappingVerdict`).
public struct NATMappingProbe: Sendable {
    /// Addresses of `name` in `family`, in preference order.
    public typealias Resolver = @Sendable (_ name: String, _ family: IPFamily) async throws -> [IPAddress]

    /// The family of the socket, and so of the servers asked.
    public var family: IPFamily
    /// The first retransmission timeout, doubled after each request (RFC 8489 section 6.2.1:
    /// 500 ms, at most 7 requests); the probe's deadline usually ends the series sooner.
    public var initialRetransmission: Duration
    /// How long a server's host name may take to resolve (before the deadline starts).
    public var resolutionTimeout: Duration
    public var resolver: Resolver
    public var group: any EventLoopGroup

    /// RFC 8489 section 6.2.1's Rc.
    static let maxRequests = 7

    public init(family: IPFamily = .ipv4, initialRetransmission: Duration = .milliseconds(500),
                resolutionTimeout: Duration = .seconds(2), resolver: @escaping Resolver = NATMappingProbe.systemResolver,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.family = family
        self.initialRetransmission = initialRetransmission
        self.resolutionTimeout = resolutionTimeout
        self.resolver = resolver
        self.group = group
    }

    /// The system's name servers (resolv.conf), asked over DNS.
    public static let systemResolver: Resolver = { name, family in
        try await DNSLookup.addresses(of: name, family: family)
    }

    /// Resolves `servers`, sends each a Binding request from one new local UDP port (with
    /// retransmissions) and waits until every one answered or `timeout` passed. Never throws:
    /// every problem is a fact in the report.
    public func probe(servers: [STUNServer], timeout: Duration = .seconds(3)) async -> NATMappingReport {
        let destinations = await resolve(servers)
        var results = zip(servers, destinations).map { server, destination in
            switch destination {
            case .success(let endpoint): STUNServerResult(server: server, destination: endpoint, outcome: .failed(.noAnswer(requests: 0, within: timeout)))
            case .failure(let failure): STUNServerResult(server: server, destination: nil, outcome: .failed(failure))
            }
        }
        var targets: [STUNExchange.Target] = []
        for (index, destination) in destinations.enumerated() {
            guard case .success(let endpoint) = destination else { continue }
            do {
                targets.append(.init(index: index, destination: endpoint, remote: try SocketAddress(endpoint), id: .random()))
            } catch {
                results[index].outcome = .failed(.socket("cannot address \(endpoint): \(error)"))
            }
        }
        var localPort: Int?
        var dropped = DroppedDatagrams()
        if !targets.isEmpty {
            let exchange = STUNExchange(targets: targets)
            switch await run(exchange, timeout: timeout) {
            case .success(let port):
                localPort = port
                for (index, outcome) in exchange.outcomes(timeout: timeout) { results[index].outcome = outcome }
            case .failure(let failure):
                for target in targets { results[target.index].outcome = .failed(failure) }
            }
            dropped = exchange.dropped
        }
        let verdict = NATMappingVerdict.from(results.compactMap(\.mapping), asked: servers.count)
        return NATMappingReport(family: family, localPort: localPort, results: results, verdict: verdict, dropped: dropped)
    }

    // MARK: The exchange

    /// Opens the socket, sends and receives until every target has an outcome or `timeout`
    /// passed; the socket's port, or why there was no socket.
    private func run(_ exchange: STUNExchange, timeout: Duration) async -> Result<Int?, STUNFailure> {
        typealias Datagrams = NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
        let socket: Datagrams
        do {
            socket = try await DatagramBootstrap(group: group)
                .channelOption(.receivePacketInfo, value: true)
                .bind(host: family == .ipv4 ? "0.0.0.0" : "::", port: 0) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(SocketErrorsIgnored())
                        return try Datagrams(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            return .failure(.socket("cannot open a UDP socket: \(error)"))
        }
        let localPort = socket.channel.localAddress?.port
        let deadline = ContinuousClock.now + timeout
        // The receiving loop below ends when the channel closes: at the deadline at the latest.
        let closing = socket.channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { socket.channel.close(promise: nil) }
        try? await socket.executeThenClose { inbound, outbound in
            await withTaskCancellationHandler {
                await withTaskGroup(of: Void.self) { group in
                    for target in exchange.targets {
                        group.addTask { await self.transmit(target, exchange, outbound, deadline: deadline) }
                    }
                    do {
                        for try await envelope in inbound {
                            if exchange.take(envelope, localPort: localPort, at: .now) { break }
                        }
                    } catch {
                        // The stream ends at the deadline; whatever arrived is in `exchange`.
                    }
                    // Every server answered, or the deadline passed: nothing is left to send.
                    group.cancelAll()
                }
            } onCancel: {
                socket.channel.close(promise: nil)
            }
        }
        closing.cancel()
        return .success(localPort)
    }

    /// Sends `target` its request and retransmits it until it is answered, `maxRequests`
    /// were sent, or the next one would go after the deadline.
    private func transmit(_ target: STUNExchange.Target, _ exchange: STUNExchange,
                          _ outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>,
                          deadline: ContinuousClock.Instant) async {
        let request = STUNMessage.bindingRequest(target.id)
        var interval = initialRetransmission
        var next = ContinuousClock.now
        for _ in 0..<Self.maxRequests {
            guard !exchange.isAnswered(target.index), !Task.isCancelled else { return }
            exchange.willSend(target.index, at: .now)
            do {
                try await outbound.write(AddressedEnvelope(remoteAddress: target.remote, data: request))
                exchange.sent(target.index)
            } catch {
                exchange.sendFailed(target.index, "\(error)")
                return
            }
            next += interval
            interval *= 2
            guard next < deadline else { return }
            do {
                try await Task.sleep(until: next, clock: .continuous)
            } catch {
                return
            }
        }
    }

    // MARK: Resolution

    /// Each server's address and port, or why there is none; a server that resolves to the
    /// destination of an earlier one is not asked again.
    private func resolve(_ servers: [STUNServer]) async -> [Result<TransportEndpoint, STUNFailure>] {
        var results = await withTaskGroup(of: (Int, Result<TransportEndpoint, STUNFailure>).self) { group in
            for (index, server) in servers.enumerated() {
                group.addTask { (index, await self.resolve(server)) }
            }
            var results = [Result<TransportEndpoint, STUNFailure>](repeating: .failure(.noAddress(family)), count: servers.count)
            for await (index, result) in group { results[index] = result }
            return results
        }
        for index in results.indices {
            guard case .success(let endpoint) = results[index],
                  let earlier = results[..<index].firstIndex(where: { (try? $0.get()) == endpoint }) else { continue }
            results[index] = .failure(.sameDestination(as: servers[earlier]))
        }
        return results
    }

    private func resolve(_ server: STUNServer) async -> Result<TransportEndpoint, STUNFailure> {
        guard (1...65535).contains(server.port) else {
            return .failure(.resolutionFailed("port \(server.port) is not from 1 to 65535"))
        }
        if let literal = try? IPAddress(parsing: server.host) {
            guard literal.family == family else { return .failure(.wrongFamily(literal.family)) }
            return .success(TransportEndpoint(address: literal, port: server.port))
        }
        let (resolver, family, name) = (self.resolver, self.family, server.host)
        do {
            guard let addresses = try await Self.within(resolutionTimeout, { try await resolver(name, family) }) else {
                return .failure(.resolutionTimedOut(resolutionTimeout))
            }
            guard let address = addresses.first(where: { $0.family == family }) else { return .failure(.noAddress(family)) }
            return .success(TransportEndpoint(address: address, port: server.port))
        } catch {
            return .failure(.resolutionFailed("\(error)"))
        }
    }

    /// `body`'s result, or nil if it takes longer than `timeout` (it is then cancelled).
    static func within<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }
}
