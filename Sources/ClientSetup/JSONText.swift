/// JSON string literals for the server-config string, whose field order matters to reproduce
/// upstream's strings (JSONEncoder does not promise an order). Only what RFC 8259 section 7
/// says must be escaped is: the quotation mark, the reverse solidus (both with a backslash)
/// and the control characters U+0000–U+001F (as \u00XX).
enum JSONText {
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            if scalar == "\"" || scalar == "\\" {
                out += "\\\(scalar)"
            } else if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u00" + (hex.count == 1 ? "0" : "") + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
