/// Bytes captured on loopback from BIND 9 tools against a `named` serving `home.test`
/// (a UDP relay printed each datagram): `dig old.home.test A +norec +noedns +nocookie`,
/// `dig home.test SOA …`, and `nsupdate -y hmac-sha256:homeport-key.:<secret>` replacing
/// host.home.test A with 198.51.100.7.
enum DNSFixtures {
    static let queryA = dnsBytes("34e300200001000000000000036f6c6404686f6d6504746573740000010001")
    static let responseA = dnsBytes("34e384000001000100010001036f6c6404686f6d6504746573740000010001c00c000100010000012c0004c0000201c010000200010000012c0005026e73c010c03b000100010000012c00047f000001")
    static let responseSOA = dnsBytes("36908400000100010001000104686f6d6504746573740000060001c00c000600010000012c0021026e73c00c0561646d696ec00c0000000100000e1000000258000151800000003cc00c000200010000012c0002c027c027000100010000012c00047f000001")
    static let nsupdateRequest = dnsBytes("a5bd2800000100000002000104686f6d650474657374000006000104686f7374c00c000100ff000000000000c01b000100010000003c0004c63364070c686f6d65706f72742d6b65790000fa00ff00000000003d0b686d61632d7368613235360000006b06e8a8012c00208045c15ba4bf4f71c2225dad478c459edca6edcc4f3ee6aa2b4ed3ddd912faf2a5bd00000000")
    static let namedUpdateResponse = dnsBytes("a5bda800000100000000000104686f6d65047465737400000600010c686f6d65706f72742d6b65790000fa00ff00000000003d0b686d61632d7368613235360000006b06e8a8012c0020fdd65469eabb9c8fa1df4e8fdb3f74b265f015c0a4d34dad605d7b3296d98bf8a5bd00000000")
    /// The secret nsupdate and named shared in that capture.
    static let secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ="
    static let timeSigned: UInt64 = 0x6b06e8a8
    /// Where the TSIG record starts in `nsupdateRequest` (header 12, zone 15, updates 16 + 17 with compression).
    static let nsupdateTSIGOffset = 60
}

/// Hex text (spaces allowed) to bytes; a test-only helper, so bad fixtures trap loudly.
func dnsBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.filter { !$0.isWhitespace })
    precondition(digits.count % 2 == 0, "odd hex fixture")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}
