/// The probe's token check. The comparison takes the same time whatever the first wrong byte,
/// so the token cannot be guessed byte by byte from answer times.
enum TokenCheck {
    /// Whether an `Authorization` header value is `Bearer <expected>`.
    static func accepts(authorization: String?, expected: String) -> Bool {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        return constantTimeEqual(Array(authorization.utf8.dropFirst(7)), Array(expected.utf8))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            let left = index < a.count ? a[index] : 0
            let right = index < b.count ? b[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
