#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import Supervisor

@main
enum Entry {
    static func main() async {
        // A supervised child passes through here on its way to exec (see ChildExec).
        ChildExec.runIfRequested()
        // Line-buffer stdout so output reaches a pipe (journald, a test) as it happens.
        setvbuf(stdout, nil, _IOLBF, 0)
        await HomeportCommand.main()
    }
}
