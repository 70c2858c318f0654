import Foundation

/// Bytes from spaced hex such as "7c 52 00"; "31…39" style abbreviations are expanded by callers.
func wireHex(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }
    precondition(digits.count % 2 == 0, "odd hex digit count in test data")
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        guard let byte = UInt8(digits[index..<next], radix: 16) else {
            preconditionFailure("bad hex in test data: \(digits[index..<next])")
        }
        bytes.append(byte)
        index = next
    }
    return bytes
}

/// Lowercase hex without spaces, for readable failure messages.
func wireHexString(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

/// SplitMix64: a tiny seeded generator so randomized tests replay identically.
struct WireTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}

/// Runs `body` on a thread with a 512 MiB stack and waits for it, so deep recursion in code
/// under test overflows that stack only in a genuinely unbounded case, not because the test
/// runner's default thread is small.
func onLargeStack<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
    let box = WireLargeStackBox<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.value = body()
        done.signal()
    }
    thread.stackSize = 512 << 20
    thread.start()
    done.wait()
    guard let value = box.value else { preconditionFailure("large-stack worker produced no value") }
    return value
}

/// Hands a value from the large-stack worker to the waiting test. Written once by the worker
/// before it signals the semaphore, read only after the wait, hence unchecked.
final class WireLargeStackBox<T: Sendable>: @unchecked Sendable {
    var value: T?
}
