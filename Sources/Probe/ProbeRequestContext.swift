import Hummingbird
import NIOCore

/// Hummingbird's request context plus the TCP peer: the only address the probe ever tests.
struct ProbeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let peer: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        peer = source.channel.remoteAddress
    }
}
