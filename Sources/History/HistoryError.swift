/// A history database problem, worded for the user.
public struct HistoryError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
