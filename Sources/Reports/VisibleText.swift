/// What a terminal shows of a string: colour escapes (ECMA-48 CSI sequences, `ESC [ … m`)
/// take no column, so widths, padding and wrapping count only the visible characters.
extension String {
    /// Columns the string takes on a terminal (one per character, escapes excluded).
    public var visibleWidth: Int {
        withoutEscapes.count
    }

    /// The string without colour escapes.
    public var withoutEscapes: String {
        var plain = ""
        var inEscape = false
        for character in self {
            if inEscape {
                // A CSI sequence ends with a byte in 0x40–0x7E; `[` right after ESC is its introducer.
                if character != "[", let ascii = character.asciiValue, (0x40...0x7E).contains(ascii) { inEscape = false }
            } else if character == "\u{1B}" {
                inEscape = true
            } else {
                plain.append(character)
            }
        }
        return plain
    }

    /// Pads with spaces to `width` visible columns.
    func padding(to width: Int) -> String {
        let visible = visibleWidth
        return visible >= width ? self : self + String(repeating: " ", count: width - visible)
    }
}
