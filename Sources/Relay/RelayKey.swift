import Foundation
import Paths
import RustDeskWire

/// The meaning of hbbr's `-k` (docs/rustdesk-protocol.md#key-option): which licence key RequestRelay must carry.
public enum RelayKey {
    /// nil: anyone may relay (the default, an empty key).
    public static func resolve(_ value: String, keyDirectory: String) throws -> String? {
        switch value {
        case "":
            return nil
        case "-", "_":
            // Give a rendezvous server starting at the same moment the chance to create the
            // pair first, as hbbr does.
            if !FileManager.default.fileExists(atPath: join(keyDirectory, StateLayout.FileName.serverSecretKey)) {
                Thread.sleep(forTimeInterval: 0.3)
            }
            return try KeyFiles.loadOrGenerate(directory: keyDirectory).publicKeyBase64
        default:
            if let data = Data(base64Encoded: value), data.count == 64 {
                return try ServerKeyPair(secretKey: Array(data)).publicKeyBase64
            }
            return value
        }
    }
}
