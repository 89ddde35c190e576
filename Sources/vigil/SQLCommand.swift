import ArgumentParser
import Foundation
import NIOCore
import VigilMySQL

/// `vigil sql`: a small client for humans and scripts, on Vigil's own wire client.
struct SQLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run SQL against a MySQL / MariaDB server and print the rows.",
        discussion: "The password is read from --password-file (or the VIGIL_SQL_PASSWORD environment variable), never from the command line.")

    @Option(help: "Server host (TCP).") var host: String?
    @Option(help: "Server port (TCP).") var port: Int = 3306
    @Option(help: "Unix socket path (instead of --host/--port).") var socket: String?
    @Option(help: "User name.") var user: String = "root"
    @Option(help: "File whose first line is the password.") var passwordFile: String?
    @Option(help: "Default database.") var database: String?
    @Option(name: .customShort("e"), help: "SQL to run (several statements separated by ';' are allowed).") var execute: String
    @Option(help: "TLS mode: disable, prefer, require, verify-ca, verify-full.") var tls: String = "prefer"
    @Option(help: "CA certificate (PEM) for verify-ca / verify-full.") var tlsCA: String?
    @Option(help: "Connect timeout in seconds.") var connectTimeout: Double = 10
    @Option(help: "Query timeout in seconds (0: none).") var timeout: Double = 0
    @Flag(help: "Print results as JSON.") var json = false

    func validate() throws {
        if socket == nil && host == nil { throw ValidationError("give --host (and --port) or --socket") }
        if socket != nil && host != nil { throw ValidationError("give either --host or --socket, not both") }
        if MySQLTLSMode(name: tls) == nil { throw ValidationError("unknown --tls mode '\(tls)'") }
        if !(1...65535).contains(port) { throw ValidationError("--port must be 1…65535") }
    }

    func run() async throws {
        let password: String
        do {
            password = try readPassword()
        } catch {
            FileHandle.standardError.write(Data("vigil sql: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let endpoint: MySQLConfiguration.Endpoint = socket.map { .unixSocket(path: $0) } ?? .tcp(host: host!, port: port)
        let config = MySQLConfiguration(
            endpoint: endpoint, user: user, password: password, database: database,
            tls: MySQLTLSMode(name: tls, caFile: tlsCA)!,
            connectTimeout: .milliseconds(Int64(connectTimeout * 1000)),
            queryTimeout: timeout > 0 ? .milliseconds(Int64(timeout * 1000)) : nil)
        do {
            let conn = try await MySQLConnection.connect(config)
            let results: [MySQLResult]
            do {
                results = try await conn.queryAll(execute)
            } catch {
                await conn.close()
                throw error
            }
            await conn.close()
            print(json ? ResultPrinter.json(results) : ResultPrinter.table(results), terminator: "")
        } catch let error as MySQLError {
            FileHandle.standardError.write(Data("vigil sql: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func readPassword() throws -> String {
        if let passwordFile {
            guard let text = FileManager.default.contents(atPath: passwordFile) else {
                throw ValidationError("cannot read password file \(passwordFile)")
            }
            return String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .first.map(String.init) ?? ""
        }
        return ProcessInfo.processInfo.environment["VIGIL_SQL_PASSWORD"] ?? ""
    }
}
