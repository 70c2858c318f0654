/// One independent check: it runs in parallel with the others and is cut off at its deadline
/// (a step never waits for another). `run` returns its findings; a step that cannot finish in
/// time is reported as `unknown` with the deadline it missed.
public struct CheckStep: Sendable {
    public var id: String
    public var topic: CheckTopic
    /// What the step looks at, for the line printed when it times out.
    public var title: String
    public var deadline: Duration
    public var run: @Sendable () async -> [CheckFinding]

    public init(id: String, topic: CheckTopic, title: String, deadline: Duration, run: @escaping @Sendable () async -> [CheckFinding]) {
        self.id = id
        self.topic = topic
        self.title = title
        self.deadline = deadline
        self.run = run
    }
}
