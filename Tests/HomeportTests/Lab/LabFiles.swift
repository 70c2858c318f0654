/// The configuration files the lab's daemons run with, all inside the lab's directory.
enum LabFiles {
    /// The home router's firewall: forwarding LAN→WAN, replies, and whatever miniupnpd opens;
    /// IPv4 masquerade on the WAN (an `inet` table masquerade would NAT IPv6 too) as `nat` says.
    /// The table and chain names are the ones the nftables build of miniupnpd writes into.
    static func routerRuleset(wan: String, lan: String, nat: NetLab.RouterNAT = .masquerade) -> String {
        let translation = switch nat {
        case .masquerade: "meta nfproto ipv4 oifname \"\(wan)\" masquerade"
        case .masqueradeRandomPorts: "meta nfproto ipv4 oifname \"\(wan)\" masquerade random,fully-random"
        case .none: ""
        }
        return """
        table inet filter {
            chain forward {
                type filter hook forward priority 0; policy drop;
                ct state established,related accept
                iifname "\(lan)" oifname "\(wan)" accept
                jump miniupnpd
            }
            chain miniupnpd {
            }
            chain prerouting {
                type nat hook prerouting priority -100; policy accept;
                jump prerouting_miniupnpd
            }
            chain postrouting {
                type nat hook postrouting priority 100; policy accept;
                jump postrouting_miniupnpd
                \(translation)
            }
            chain prerouting_miniupnpd {
            }
            chain postrouting_miniupnpd {
            }
        }

        """
    }

    /// A NAT in front of the home router (carrier NAT, the upstream router of a double NAT):
    /// everything leaving towards the internet takes its outside address; nothing comes in
    /// unless it belongs to a flow from inside.
    static func upstreamRuleset(outside: String, inside: String) -> String {
        """
        table ip upstream_nat {
            chain forward {
                type filter hook forward priority 0; policy drop;
                ct state established,related accept
                iifname "\(inside)" oifname "\(outside)" accept
            }
            chain postrouting {
                type nat hook postrouting priority 100; policy accept;
                oifname "\(outside)" masquerade
            }
        }

        """
    }

    /// A carrier NAT with endpoint-independent filtering for UDP (RFC 4787 section 5): a port
    /// that a datagram from `customer` left from (the masquerade keeps the port, there being one
    /// customer) stays open to every sender for two minutes. Inbound traffic to any other port,
    /// TCP included, is dropped as before.
    static func endpointIndependentUpstreamRuleset(outside: String, inside: String, customer: String) -> String {
        """
        table ip upstream_nat {
            set open_udp_ports {
                type inet_service
                flags timeout
            }
            chain forward {
                type filter hook forward priority 0; policy drop;
                ct state established,related accept
                ct status dnat accept
                iifname "\(inside)" oifname "\(outside)" meta l4proto udp update @open_udp_ports { udp sport timeout 120s }
                iifname "\(inside)" oifname "\(outside)" accept
            }
            chain prerouting {
                type nat hook prerouting priority -100; policy accept;
                iifname "\(outside)" udp dport @open_udp_ports dnat to \(customer)
            }
            chain postrouting {
                type nat hook postrouting priority 100; policy accept;
                oifname "\(outside)" masquerade
            }
        }

        """
    }

    /// `stunServer`: ask this STUN server (port 3478) for the external address and whether the
    /// NAT in front filters (`ext_perform_stun`).
    static func miniupnpdConfig(wan: String, lan: String, lanSubnet: String, httpPort: Int, uuid: String,
                                leaseFile: String, stunServer: String? = nil, secureMode: Bool = true) -> String {
        let stun = stunServer.map { "ext_perform_stun=yes\next_stun_host=\($0)\next_stun_port=3478\n" } ?? ""
        return """
        \(stun)ext_ifname=\(wan)
        listening_ip=\(lan)
        port=\(httpPort)
        enable_natpmp=yes
        enable_upnp=yes
        secure_mode=\(secureMode ? "yes" : "no")
        system_uptime=yes
        lease_file=\(leaseFile)
        uuid=\(uuid)
        allow 1024-65535 \(lanSubnet) 1024-65535
        deny 0-65535 0.0.0.0/0 0-65535

        """
    }

    /// An IP echo service: the body is the client's address as the server sees it.
    static func nginxConfig(directory: String, listen addresses: [String]) -> String {
        let listens = addresses.map { "        listen \($0):80;" }.joined(separator: "\n")
        return """
        daemon off;
        worker_processes 1;
        pid \(directory)/nginx.pid;
        error_log \(directory)/error.log;
        events { worker_connections 64; }
        http {
            access_log \(directory)/access.log;
            client_body_temp_path \(directory)/body;
            proxy_temp_path \(directory)/proxy;
            fastcgi_temp_path \(directory)/fastcgi;
            uwsgi_temp_path \(directory)/uwsgi;
            scgi_temp_path \(directory)/scgi;
            server {
        \(listens)
                location / {
                    default_type text/plain;
                    return 200 "$remote_addr\\n";
                }
            }
        }

        """
    }
}
