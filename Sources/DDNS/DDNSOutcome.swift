import History

/// The provider-facing side of `DDNSOutcome`: the names a provider file may use, and which of
/// several answers to one request counts.
extension DDNSOutcome {
    /// The answer a provider file names (`outcome = "retry_later"`); nil for any other word,
    /// `skipped` and `would_update` included, which no provider can answer.
    public init?(providerAnswer text: String) {
        let outcome = DDNSOutcome(text: text)
        guard outcome.isAnswer else { return nil }
        self = outcome
    }

    /// The names a provider file may use, for error messages.
    public static var answerNames: [String] { answers.map(\.text) }

    /// Orders answers so that a request touching several records reports its worst one.
    var severity: Int {
        switch self {
        case .updated: return 0
        case .nochange: return 1
        case .error: return 2
        case .retryLater: return 3
        case .hostError: return 4
        case .authError: return 5
        case .abuseStop: return 6
        case .skipped, .wouldUpdate, .unrecognized: return 2
        }
    }
}
