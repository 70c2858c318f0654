@testable import PortMapping

/// The "what was wrong" text of a malformedResponse error, or nil when the body did not throw one.
func malformedReason(_ body: () throws -> Any) -> String? {
    do {
        _ = try body()
        return nil
    } catch PortMappingError.malformedResponse(_, let reason) {
        return reason
    } catch {
        return nil
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
