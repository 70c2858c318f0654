/// Decides whether a received message answers our query: same ID, QR set, and the same question
/// (case-insensitive). An error answer may omit the question (some servers do for FORMERR).
struct DNSResponseMatcher: Sendable {
    let id: UInt16
    let question: DNSQuestion?

    func matches(_ message: DNSMessage) -> Bool {
        guard message.isResponse, message.id == id else { return false }
        guard let question else { return true }
        if message.questions.isEmpty { return message.headerResponseCode != 0 }
        return message.questions.count == 1 && message.questions[0] == question
    }
}
