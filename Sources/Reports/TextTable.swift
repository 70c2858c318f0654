/// Left-aligned columns separated by two spaces; the last column is never padded.
/// Widths count visible characters (colour escapes take no column). A table wider than
/// `maxWidth` narrows its widest columns and wraps their cells at word boundaries, so every
/// line fits; the headers keep their width.
public struct TextTable {
    public var headers: [String]
    public var rows: [[String]] = []
    public var maxWidth: Int

    public init(headers: [String], maxWidth: Int = WordWrap.screenWidth) {
        self.headers = headers
        self.maxWidth = maxWidth
    }

    public mutating func add(_ row: [String]) {
        rows.append(row)
    }

    public func render() -> String {
        let widths = columnWidths()
        return ([headers] + rows).flatMap { row in
            let cells = row.enumerated().map { index, cell in
                index < widths.count ? WordWrap.lines(cell, width: widths[index]) : [cell]
            }
            let height = cells.map(\.count).max() ?? 1
            return (0..<height).map { line in
                cells.enumerated().map { index, lines in
                    let text = line < lines.count ? lines[line] : ""
                    return index == cells.count - 1 || index >= widths.count ? text : text.padding(to: widths[index])
                }.joined(separator: "  ").trimmingTrailingSpaces()
            }
        }.joined(separator: "\n")
    }

    /// Natural widths, then the widest column narrowed one column at a time until the table fits,
    /// none below its header or below `minimumCell` (when its content is wider than that).
    private func columnWidths() -> [Int] {
        let minimumCell = 10
        var widths = headers.map(\.visibleWidth)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.visibleWidth)
            }
        }
        let floors = widths.enumerated().map { index, width in max(headers[index].visibleWidth, min(width, minimumCell)) }
        let separators = 2 * max(0, widths.count - 1)
        while widths.reduce(separators, +) > maxWidth {
            guard let widest = widths.indices.filter({ widths[$0] > floors[$0] }).max(by: { widths[$0] < widths[$1] }) else { break }
            widths[widest] -= 1
        }
        return widths
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = Substring(self)
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
