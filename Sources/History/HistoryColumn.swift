import GRDB
import InternetAddress

/// Addresses and families as the history's TEXT columns hold them: the canonical text form,
/// parsed back on reading. A row that does not parse is reported, never guessed at.
enum HistoryColumn {
    static func address(_ row: Row, _ column: String, table: String) throws -> IPAddress {
        let text: String = row[column] ?? ""
        guard let address = IPAddress(text) else {
            throw HistoryError("history table \(table), row \(label(row)): \(column) '\(text.prefix(60))' is not an IPv4 or IPv6 address")
        }
        return address
    }

    static func optionalAddress(_ row: Row, _ column: String, table: String) throws -> IPAddress? {
        (row[column] as String?) == nil ? nil : try address(row, column, table: table)
    }

    static func family(_ row: Row, _ column: String, table: String) throws -> IPFamily {
        let text: String = row[column] ?? ""
        guard let family = IPFamily(rawValue: text) else {
            throw HistoryError("history table \(table), row \(label(row)): \(column) '\(text.prefix(20))' is not ipv4 or ipv6")
        }
        return family
    }

    private static func label(_ row: Row) -> String {
        (row["id"] as Int64?).map(String.init) ?? (row["record_key"] as String?) ?? "?"
    }
}
