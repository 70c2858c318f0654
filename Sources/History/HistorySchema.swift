import GRDB

/// Migrations are append-only: a released migration is never edited, a change is a new one.
enum HistorySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE daemon_runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    started_at REAL NOT NULL,
                    last_heartbeat REAL NOT NULL,
                    stopped_at REAL,
                    pid INTEGER NOT NULL,
                    version TEXT NOT NULL,
                    heartbeat_interval REAL NOT NULL
                );
                CREATE INDEX daemon_runs_time ON daemon_runs(last_heartbeat);
                CREATE TABLE service_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    ts REAL NOT NULL,
                    run_id INTEGER REFERENCES daemon_runs(id) ON DELETE SET NULL,
                    service TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    pid INTEGER,
                    exit_code INTEGER,
                    signal INTEGER,
                    detail TEXT
                );
                CREATE INDEX service_events_service_time ON service_events(service, ts);
                CREATE INDEX service_events_time ON service_events(ts);
                CREATE TABLE ip_observations (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    ts REAL NOT NULL,
                    family TEXT NOT NULL,
                    address TEXT NOT NULL,
                    source TEXT NOT NULL
                );
                CREATE INDEX ip_observations_time ON ip_observations(family, ts);
                CREATE TABLE ddns_updates (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    ts REAL NOT NULL,
                    provider TEXT NOT NULL,
                    hostname TEXT NOT NULL,
                    address TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    message TEXT
                );
                CREATE INDEX ddns_updates_time ON ddns_updates(hostname, ts);
                """)
        }
        migrator.registerMigration("v2-relay-usage") { db in
            try db.execute(sql: """
                CREATE TABLE relay_usage (
                    day TEXT PRIMARY KEY NOT NULL,
                    sessions INTEGER NOT NULL,
                    bytes INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3-ddns-records") { db in
            // One row per DDNS record (provider account, hostname, family): what the policy
            // needs to decide whether and when to talk to the provider again.
            try db.execute(sql: """
                CREATE TABLE ddns_records (
                    record_key TEXT PRIMARY KEY NOT NULL,
                    provider TEXT NOT NULL,
                    hostname TEXT NOT NULL,
                    family TEXT NOT NULL,
                    config_fingerprint TEXT NOT NULL,
                    confirmed_address TEXT,
                    confirmed_at REAL,
                    last_attempt_at REAL,
                    last_outcome TEXT,
                    last_message TEXT,
                    next_attempt_at REAL,
                    failures INTEGER NOT NULL DEFAULT 0,
                    stopped INTEGER NOT NULL DEFAULT 0
                );
                ALTER TABLE ddns_updates ADD COLUMN family TEXT;
                """)
        }
        migrator.registerMigration("v4-outside-contacts") { db in
            // Per listener of the built-in servers, the last connection or datagram from a
            // public address (`OutsideContact`); `writes` counts the updates.
            try db.execute(sql: """
                CREATE TABLE outside_contacts (
                    listener TEXT PRIMARY KEY NOT NULL,
                    port INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    source TEXT NOT NULL,
                    ts REAL NOT NULL,
                    writes INTEGER NOT NULL
                );
                """)
        }
        return migrator
    }
}
