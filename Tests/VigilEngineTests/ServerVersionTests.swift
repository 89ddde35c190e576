import Testing
import VigilCore
import VigilEngine

@Suite("Flavor detection from the server version")
struct ServerVersionTests {
    @Test("MariaDB versions", arguments: [
        ("10.11.6-MariaDB-0+deb12u1-log", 10, 11, 6),
        ("5.5.5-10.11.19-MariaDB-0+deb12u1", 10, 11, 19),
        ("11.4.2-MariaDB", 11, 4, 2),
        ("10.11.19-MariaDB-0+deb12u1-log", 10, 11, 19),
    ])
    func mariadb(text: String, major: Int, minor: Int, patch: Int) throws {
        let version = try ServerVersion.supported(text)
        #expect(version.flavor == .mariadb)
        #expect((version.major, version.minor, version.patch) == (major, minor, patch))
        #expect(version.text == text)
    }

    @Test("MySQL versions", arguments: [
        ("8.4.3", 8, 4, 3), ("9.1.0-commercial", 9, 1, 0), ("8.0.36-28", 8, 0, 36), ("8.4.0-log", 8, 4, 0),
    ])
    func mysql(text: String, major: Int, minor: Int, patch: Int) throws {
        let version = try ServerVersion.supported(text)
        #expect(version.flavor == .mysql)
        #expect((version.major, version.minor, version.patch) == (major, minor, patch))
    }

    @Test("old versions are refused with a typed error")
    func unsupported() {
        #expect(throws: VersionError.unsupported(version: "5.7.44-log", flavor: .mysql, minimum: "8.0.26")) {
            try ServerVersion.supported("5.7.44-log")
        }
        #expect(throws: VersionError.unsupported(version: "8.0.25", flavor: .mysql, minimum: "8.0.26")) {
            try ServerVersion.supported("8.0.25")
        }
        #expect(throws: VersionError.unsupported(version: "10.6.18-MariaDB", flavor: .mariadb, minimum: "10.11.0")) {
            try ServerVersion.supported("10.6.18-MariaDB")
        }
        #expect(throws: VersionError.unparseable("garbage")) { try ServerVersion.supported("garbage") }
        #expect(throws: VersionError.unparseable("")) { try ServerVersion.supported("") }
    }

    @Test("operations pick the dialect from the version")
    func dialectSelection() async throws {
        let session = FakeSession()
        let maria = try InstanceOperations(instance: "db-1", session: session, serverVersion: "10.11.6-MariaDB-log")
        #expect(maria.flavor == .mariadb)
        #expect(maria.dialect is MariaDBDialect)
        let mysql = try InstanceOperations(instance: "db-1", session: session, serverVersion: "8.4.3")
        #expect(mysql.dialect is MySQLDialect)
        do {
            _ = try InstanceOperations(instance: "db-9", session: session, serverVersion: "5.6.51")
            Issue.record("5.6 was accepted")
        } catch {
            #expect(error.instance == "db-9")
            #expect("\(error)".contains("MySQL 5.6.51 is not supported"))
        }
        await session.on("SELECT VERSION()", reply: .table(["VERSION()"], [["9.1.0"]]))
        let detected = try await InstanceOperations.detect(instance: "db-2", session: session)
        #expect(detected.flavor == .mysql)
    }
}
