import Foundation
import Testing
import VigilKube
import VigilKubelet
import VigilTestSupport

/// A pod shaped like the operator's (mariadb:10.11 + the vigil agent, PVC, emptyDir, a
/// ConfigMap my.cnf, a 0400 Secret with the agent config and init.sql) as real processes.
@Suite(.serialized, .enabled(if: MariaDBServer.isAvailable, "needs mariadbd"))
struct KubeletMariaDBTests {
    static let myCnf = """
        [mysqld]
        port = 3306
        datadir = /var/lib/mysql
        socket = /run/mysqld/mysqld.sock
        pid-file = /run/mysqld/mysqld.pid
        skip_name_resolve = ON
        init_file = /etc/vigil/secret/init.sql
        log_bin = binlog
        server_id = 1

        """

    static let initSQL = """
        CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'app-pw';
        GRANT ALL PRIVILEGES ON *.* TO 'app'@'%';
        CREATE USER IF NOT EXISTS 'vigil_admin'@'%' IDENTIFIED BY 'admin-pw';
        GRANT ALL PRIVILEGES ON *.* TO 'vigil_admin'@'%' WITH GRANT OPTION;

        """

    static func databaseDeployment(_ instance: String) -> Deployment {
        let mysql = Container(
            name: "mysql", image: "mariadb:10.11",
            args: ["--defaults-file=/etc/vigil/config/\(instance).cnf", "--bind-address=$(POD_IP)"],
            env: [EnvVar(name: "POD_IP", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "status.podIP"))),
                  EnvVar(name: "MARIADB_ROOT_PASSWORD", valueFrom: EnvVarSource(
                      secretKeyRef: KeySelector(name: "db-root", key: "password")))],
            ports: [ContainerPort(containerPort: 3306, name: "mysql")],
            volumeMounts: [VolumeMount(name: "data", mountPath: "/var/lib/mysql"),
                           VolumeMount(name: "run", mountPath: "/run/mysqld"),
                           VolumeMount(name: "config", mountPath: "/etc/vigil/config", readOnly: true),
                           VolumeMount(name: "secret", mountPath: "/etc/vigil/secret", readOnly: true)],
            readinessProbe: Probe(tcpSocket: TCPSocketAction(port: .int(3306)), periodSeconds: 2))
        return Fixtures.deployment(
            instance, containers: [mysql, Fixtures.agentContainer(instance: instance)],
            volumes: [Volume(name: "data", persistentVolumeClaim: PVCVolumeSource(claimName: "data-\(instance)")),
                      Volume(name: "run", emptyDir: EmptyDirVolumeSource()),
                      Volume(name: "config", configMap: ConfigMapVolumeSource(name: "db-config")),
                      Volume(name: "secret", secret: SecretVolumeSource(secretName: "db-secret", defaultMode: 0o400))])
    }

    func sql(_ host: String, _ statement: String) async throws -> String {
        let output = try await VigilBinary.runExecutable(
            try MariaDBServer.clientPath(),
            ["--no-defaults", "--protocol=TCP", "--host=\(host)", "--port=3306", "--user=app", "--password=app-pw",
             "--skip-ssl", "--batch", "--skip-column-names", "--connect-timeout=5", "--execute=\(statement)"])
        guard output.status == 0 else { throw SQLFailed(message: output.stderr) }
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct SQLFailed: Error { var message: String }

    @Test func mariadbPodAnswersOnItsIPSurvivesCrashesAndKeepsItsDataAndIP() async throws {
        try await KubeletHarness.with { h in
            _ = try await h.client.create(ConfigMap(metadata: ObjectMeta(name: "db-config", namespace: "default"),
                                                    data: ["db-0.cnf": Self.myCnf]))
            _ = try await h.client.create(Fixtures.secret("db-secret", instances: ["db-0"], extra: ["init.sql": Self.initSQL]))
            _ = try await h.client.create(Secret(metadata: ObjectMeta(name: "db-root", namespace: "default"),
                                                 data: ["password": Data("root-pw".utf8)]))
            _ = try await h.client.create(PersistentVolumeClaim(
                metadata: ObjectMeta(name: "data-db-0", namespace: "default"),
                spec: PVCSpec(accessModes: ["ReadWriteOnce"], resources: ResourceRequirements(requests: ["storage": "1Gi"]))))
            _ = try await h.client.create(Self.databaseDeployment("db-0"))

            let pod = try await h.readyPod(of: "db-0", timeout: .seconds(180))
            let ip = try #require(pod.status?.podIP)
            #expect(try await sql(ip, "SELECT @@port, @@bind_address") == "3306\t\(ip)")
            // The my.cnf's paths were rewritten to the pod's volumes.
            let datadir = try await sql(ip, "SELECT @@datadir")
            #expect(datadir.hasPrefix(h.kubelet.claimDirectory(claim: "data-db-0")))
            _ = try await sql(ip, "CREATE DATABASE t; CREATE TABLE t.x (i INT PRIMARY KEY); INSERT INTO t.x VALUES (42)")
            let claim = try await h.client.get(PersistentVolumeClaim.self, name: "data-db-0")
            #expect(claim.status?.phase == "Bound")

            // kill -9 mysqld: restarted (crash recovery on the same data), restartCount 1.
            let mysqld = try #require(h.kubelet.pid(pod: pod.name, container: "mysql"))
            #expect(h.kubelet.kill(pod: pod.name, container: "mysql", signal: SIGKILL))
            try await eventually("mysql restarted and ready", timeout: .seconds(120)) { () -> Bool? in
                let current = try await h.client.get(Pod.self, name: pod.name)
                let mysql = current.status?.containerStatuses?.first { $0.name == "mysql" }
                return mysql?.restartCount == 1 && mysql?.ready == true ? true : nil
            }
            #expect(h.kubelet.pid(pod: pod.name, container: "mysql") != mysqld)
            #expect(try await eventually("the row after the crash") { try? await sql(ip, "SELECT i FROM t.x") } == "42")

            // A new pod of the same instance: same IP, same data (the PVC outlives the pod).
            try await h.client.delete(Pod.self, name: pod.name)
            let replacement = try await eventually("db-0's new pod", timeout: .seconds(120)) { () -> Pod? in
                let next = try await h.readyPod(of: "db-0", timeout: .seconds(120))
                return next.name != pod.name ? next : nil
            }
            #expect(replacement.status?.podIP == ip)
            #expect(try await eventually("the row in the new pod") { try? await sql(ip, "SELECT i FROM t.x") } == "42")

            // Deleting the Deployment stops both processes.
            let pids = [h.kubelet.pid(pod: replacement.name, container: "mysql"),
                        h.kubelet.pid(pod: replacement.name, container: "agent")].compactMap { $0 }
            #expect(pids.count == 2)
            try await h.client.delete(Deployment.self, name: "db-0")
            try await eventually("processes gone", timeout: .seconds(30)) {
                pids.allSatisfy { !processExists($0) } ? true : nil
            }
        }
    }
}
