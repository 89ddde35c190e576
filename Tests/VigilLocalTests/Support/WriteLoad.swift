import Foundation
import VigilMySQL

/// A client writing numbered rows through the router as fast as it can, reconnecting after
/// errors, and remembering every insert the server acknowledged: after a failover each of
/// them must be on the new primary.
actor WriteLoad {
    let port: Int
    let password: String
    private(set) var acknowledged: [Int] = []
    private(set) var errors = 0
    private var next = 1
    private var stopped = false
    /// When each acknowledgement arrived (for "writes resumed after" checks).
    private(set) var lastAckAt: ContinuousClock.Instant?

    init(port: Int, password: String) {
        self.port = port
        self.password = password
    }

    func stop() { stopped = true }

    func count() -> Int { acknowledged.count }

    /// Runs until `stop()`; one statement at a time, like an application.
    func run() async {
        var connection: MySQLConnection?
        while !stopped {
            do {
                if connection == nil {
                    connection = try await MySQLConnection.connect(MySQLConfiguration(
                        endpoint: .tcp(host: "127.0.0.1", port: port), user: "app", password: password, database: "app",
                        tls: .disable, connectTimeout: .seconds(2), queryTimeout: .seconds(5)))
                }
                let id = next
                next += 1
                try await connection!.query("INSERT INTO load_t (id) VALUES (\(id))")
                acknowledged.append(id)
                lastAckAt = .now
            } catch {
                errors += 1
                if let c = connection { await c.close() }
                connection = nil
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        if let c = connection { await c.close() }
    }
}
