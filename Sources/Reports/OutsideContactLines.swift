import Foundation
import History
import StatusModel

/// The status section that shows, per listener of the built-in servers, the last contact from a
/// public address: traffic that proves the router forwards the port, without a probe.
enum OutsideContactLines {
    static func section(_ rows: [ListenerContactStatus], now: Date, style: Style) -> [String] {
        guard !rows.isEmpty else { return [] }
        var lines = [style.bold("Outside contact") + " (traffic from a public address proves the router forwards the port):"]
        for row in rows {
            let head = "  \(row.transport.label) \(row.port) (\(row.listener.title)): "
            guard let contact = row.lastOutsideContact else {
                lines.append(head + style.dim("no outside contact yet"))
                continue
            }
            // Always "ago": the contact happened, at the latest now.
            let ago = TimeText.span(now.timeIntervalSince(contact.at))
            lines.append(head + "last outside \(contact.kind.words) \(ago) ago from \(contact.source)")
        }
        return lines
    }
}
