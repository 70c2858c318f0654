/// Splits a child's output into lines for the log. Lines longer than `limit` bytes are cut
/// and marked, and reading continues: a child must never block on a full pipe because of
/// what it printed.
struct OutputLines {
    let limit: Int
    private var pending: [UInt8] = []
    private var truncated = false

    init(limit: Int = 16 * 1024) {
        self.limit = limit
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (String) -> Void) {
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                flush(emit: emit)
            } else if pending.count < limit {
                pending.append(byte)
            } else {
                truncated = true
            }
        }
    }

    mutating func flush(emit: (String) -> Void) {
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        if !pending.isEmpty || truncated {
            emit(String(decoding: pending, as: UTF8.self) + (truncated ? " [line cut at \(limit) bytes]" : ""))
        }
        pending.removeAll(keepingCapacity: true)
        truncated = false
    }
}
