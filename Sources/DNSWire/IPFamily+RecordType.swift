import InternetAddress

extension IPFamily {
    /// The record type that holds addresses of this family.
    public var recordType: DNSRecordType { self == .ipv4 ? .a : .aaaa }
}
