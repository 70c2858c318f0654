import Hummingbird

/// A request the probe will not check, with the HTTP status and a sentence saying what to change.
struct ProbeRefusal: Error {
    var status: HTTPResponse.Status
    var message: String
    var retryAfterSeconds: Int?

    init(_ status: HTTPResponse.Status, _ message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }
}
