import Foundation
import SwiftProtobuf

/// The signed peer key hbbs puts into PunchHoleResponse.pk and RelayResponse.pk (docs/rustdesk-protocol.md#signing).
public enum IdPkSigning {
    /// `sign(serialize(IdPk{id, pk}))` in libsodium combined mode: 64-byte signature ‖ message.
    public static func signedIdPk(id: String, pk: [UInt8], with signer: ServerKeyPair) -> [UInt8] {
        signer.sign(serializedIdPk(id: id, pk: pk))
    }

    /// The IdPk bytes that are signed: field order, defaults omitted, as upstream serializes.
    public static func serializedIdPk(id: String, pk: [UInt8]) -> [UInt8] {
        var message = Hbb_IdPk()
        message.id = id
        message.pk = Data(pk)
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        // IdPk has no required fields, maps or Any, so serialization cannot fail; should it ever,
        // empty bytes make hbbs send an empty pk, which clients treat as "not signed".
        return (try? message.serializedBytes(options: options)) ?? []
    }
}
