extension QRCode {
    /// The symbol and its quiet zone as text, two module rows per line: each character is a
    /// space, "▀", "▄" or "█", drawing the light modules in the foreground colour, so one column
    /// per module and half as many lines as rows.
    ///
    /// With `colours`, every line sets white on black (SGR 97;40) and resets at its end, so the
    /// code has dark modules on light ground whatever the terminal's theme. Without, it takes
    /// the terminal's own colours and reads correctly only where text is lighter than the
    /// background (a dark theme).
    public func terminalLines(colours: Bool) -> [String] {
        let first = -Self.quietZone, end = size + Self.quietZone
        var lines: [String] = []
        for top in stride(from: first, to: end, by: 2) {
            var line = colours ? "\u{1B}[97;40m" : ""
            for column in first..<end {
                // The row below the last quiet-zone row is outside the symbol, so light.
                let upper = !isDark(row: top, column: column), lower = !isDark(row: top + 1, column: column)
                line += upper ? (lower ? "█" : "▀") : (lower ? "▄" : " ")
            }
            lines.append(colours ? line + "\u{1B}[0m" : line)
        }
        return lines
    }
}
