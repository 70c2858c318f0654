/// Fitting text into a terminal's columns: wrapped at spaces, a word longer than the line
/// broken, a one-colour string (as `Style` paints it) repainted on every line.
public enum WordWrap {
    /// The width every report fits in, so output reads on an ordinary terminal and in mail.
    public static let screenWidth = 100

    /// `text` as lines of at most `width` visible columns; continuation lines start with `indent`.
    public static func lines(_ text: String, width: Int = screenWidth, indent: String = "") -> [String] {
        guard text.visibleWidth > width else { return [text] }
        let (plain, paint) = Painted.split(text)
        var lines: [String] = []
        var current = ""
        var currentWidth = 0
        let room = { (isFirst: Bool) in max(1, width - (isFirst ? 0 : indent.count)) }
        for word in plain.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            var word = word
            while true {
                let limit = room(lines.isEmpty)
                let needed = currentWidth == 0 ? word.count : currentWidth + 1 + word.count
                if needed <= limit {
                    current += (currentWidth == 0 ? "" : " ") + word
                    currentWidth = needed
                    break
                }
                if currentWidth > 0 {
                    lines.append(current)
                    current = ""
                    currentWidth = 0
                    continue
                }
                // A single word wider than the line (a path, a URL): broken where the line ends.
                lines.append(String(word.prefix(limit)))
                word = String(word.dropFirst(limit))
                if word.isEmpty { break }
            }
        }
        if currentWidth > 0 || lines.isEmpty { lines.append(current) }
        return lines.enumerated().map { index, line in (index == 0 ? "" : indent) + paint.apply(line) }
    }

    /// `text` cut to at most `width` visible columns at a word boundary, ending in "…" when cut.
    public static func elide(_ text: String, width: Int) -> String {
        guard text.visibleWidth > width, width > 1 else { return text }
        let (plain, paint) = Painted.split(text)
        let cut = plain.prefix(width - 1)
        let endsAWord = plain.dropFirst(width - 1).first == " "
        let atWord = endsAWord ? cut : cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut
        let kept = (atWord.count >= (width - 1) / 2 ? atWord : cut).trimmingTrailingPunctuation()
        return paint.apply(kept + "…")
    }

    /// Every line of `text` fitted to `width`: longer lines wrap with a hanging indent of their
    /// own leading spaces plus two.
    public static func fit(_ text: String, width: Int = screenWidth) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { line -> [String] in
            let line = String(line)
            guard line.visibleWidth > width else { return [line] }
            let leading = String(line.prefix { $0 == " " })
            return lines(String(line.dropFirst(leading.count)), width: width - leading.count, indent: "  ").map { leading + $0 }
        }.joined(separator: "\n")
    }
}

/// A string painted in one colour from end to end (`ESC[…m text ESC[0m`), split so its text can
/// be cut and each piece painted again. Anything else is treated as plain text.
struct Painted {
    var prefix = ""
    var suffix = ""

    static func split(_ text: String) -> (String, Painted) {
        let reset = "\u{1B}[0m"
        guard text.hasPrefix("\u{1B}["), text.hasSuffix(reset), let end = text.firstIndex(of: "m") else {
            return (text.withoutEscapes, Painted())
        }
        let prefix = String(text[...end])
        let inner = String(text[text.index(after: end)..<text.index(text.endIndex, offsetBy: -reset.count)])
        guard !inner.contains("\u{1B}") else { return (text.withoutEscapes, Painted()) }
        return (inner, Painted(prefix: prefix, suffix: reset))
    }

    func apply(_ text: String) -> String {
        prefix.isEmpty || text.isEmpty ? text : prefix + text + suffix
    }
}

extension Substring {
    fileprivate func trimmingTrailingPunctuation() -> String {
        var text = self
        while let last = text.last, last == " " || last == "," || last == ";" || last == ":" { text = text.dropLast() }
        return String(text)
    }
}
