// DNSWire: filled in by its issue; this file keeps the module buildable.
enum DNSWireModule {}
