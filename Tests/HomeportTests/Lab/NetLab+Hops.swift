import Foundation

/// Which device answers at a given hop from the home.
///
/// miniupnpd 2.3.1 reports the same empty external address behind a carrier NAT and behind a
/// second home router, so the router cannot tell those apart; the second hop can: its ICMP
/// "time exceeded" comes from 100.64.0.0/10 at a carrier and from private space at an upstream
/// router. (Unprivileged, the same is available from a UDP socket with IP_RECVERR, as
/// tracepath does; the lab, being root, reads a raw ICMP socket.) No traceroute ships in the CI
/// image, so this is a few lines of Perl (perl-base is essential in Debian).
extension NetLab {
    static let hopScript = #"""
    use strict; use Socket;
    my ($target, $ttl) = @ARGV;
    socket(my $icmp, PF_INET, SOCK_RAW, 1) or die "raw ICMP socket: $!";
    socket(my $udp, PF_INET, SOCK_DGRAM, 17) or die "UDP socket: $!";
    # IPPROTO_IP = 0, IP_TTL = 2
    setsockopt($udp, 0, 2, pack("i", $ttl)) or die "IP_TTL: $!";
    send($udp, "homeport-lab-hop", 0, sockaddr_in(33434, inet_aton($target))) or die "send: $!";
    my $end = time + 3;
    while (time < $end) {
        my $rin = ''; vec($rin, fileno($icmp), 1) = 1;
        select(my $rout = $rin, undef, undef, 1) or next;
        my $from = recv($icmp, my $packet, 1500, 0);
        my $headerLength = (ord(substr($packet, 0, 1)) & 15) * 4;
        next unless ord(substr($packet, $headerLength, 1)) == 11;   # time exceeded
        my (undef, $address) = sockaddr_in($from);
        print inet_ntoa($address), "\n";
        exit 0;
    }
    exit 1;
    """#

    /// The address that sends "time exceeded" for a datagram from the home to `target` with
    /// this TTL; nil when none does within 3 s.
    func hopAddress(ttl: Int, towards target: String = NetLabAddressPlan.echoAddresses[0]) async throws -> String? {
        let script = dir.file("hop.pl")
        if !FileManager.default.fileExists(atPath: script) { _ = dir.write("hop.pl", Self.hopScript) }
        let output = try await exec(.home, ["perl", script, target, String(ttl)], timeout: 10)
        guard output.exitCode == 0 else { return nil }
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
