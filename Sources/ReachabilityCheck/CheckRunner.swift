import Foundation
import Synchronization

/// Runs every step at once and collects what each found by its deadline. The whole run takes
/// as long as the slowest deadline, never longer: a step still busy then is cancelled, left to
/// end on its own, and reported as not finished (`check` must never hang, offline or not, even
/// on a step that does not notice cancellation).
public enum CheckRunner {
    public static func run(_ steps: [CheckStep]) async -> [CheckFinding] {
        await withTaskGroup(of: (Int, [CheckFinding]).self) { group in
            for (index, step) in steps.enumerated() {
                group.addTask { (index, await bounded(step)) }
            }
            var results: [Int: [CheckFinding]] = [:]
            for await (index, findings) in group { results[index] = findings }
            let ordered = steps.indices.flatMap { results[$0] ?? [] }
            // Stable: by topic, then in the order the steps produced them.
            let rank = Dictionary(uniqueKeysWithValues: CheckTopic.allCases.enumerated().map { ($1, $0) })
            return ordered.enumerated().sorted { a, b in
                let (ra, rb) = (rank[a.element.topic] ?? 0, rank[b.element.topic] ?? 0)
                return ra != rb ? ra < rb : a.offset < b.offset
            }.map(\.element)
        }
    }

    /// The step's findings, or one `unknown` finding when it did not finish by its deadline.
    static func bounded(_ step: CheckStep) async -> [CheckFinding] {
        let timedOut = [CheckFinding(id: step.id, topic: step.topic, outcome: .unknown, title: step.title,
                                     details: ["did not finish within \(seconds(step.deadline)) s"])]
        return await withCheckedContinuation { continuation in
            let answer = FirstAnswer(continuation)
            let work = Task { answer.give(await step.run()) }
            Task {
                try? await Task.sleep(for: step.deadline)
                work.cancel()
                answer.give(timedOut)
            }
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// Resumes a continuation with the first value given; later ones are dropped.
final class FirstAnswer: Sendable {
    private let continuation: Mutex<CheckedContinuation<[CheckFinding], Never>?>

    init(_ continuation: CheckedContinuation<[CheckFinding], Never>) {
        self.continuation = Mutex(continuation)
    }

    func give(_ findings: [CheckFinding]) {
        let waiting = continuation.withLock { value -> CheckedContinuation<[CheckFinding], Never>? in
            defer { value = nil }
            return value
        }
        waiting?.resume(returning: findings)
    }
}
