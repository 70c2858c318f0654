internal import CSodium

/// libsodium must be initialised once before use (it selects implementations and opens the
/// random source). Swift initialises a static `let` exactly once, thread-safely, on first use;
/// every function of this module touches it first.
public enum SodiumLibrary {
    /// Whether `sodium_init` succeeded (it returns 1 when already initialised, -1 on failure).
    public static let isReady: Bool = sodium_init() >= 0
}
