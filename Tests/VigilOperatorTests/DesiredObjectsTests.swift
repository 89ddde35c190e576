import Foundation
import Testing
import VigilKube
@testable import VigilOperator

@Suite struct DesiredObjectsTests {
    static func objects(_ spec: MySQLClusterSpec = MySQLClusterSpec(
        sites: [.init(name: "a", instances: 2), .init(name: "b", role: "dr-only")], dns: .init(hostname: "db.example.com")),
                        addressing: OperatorOptions.Addressing = .dns) throws -> DesiredObjects {
        let plan = try ClusterPlan.resolve(cluster: "shop", namespace: "prod", spec: spec).get()
        let owner = OwnerReference(apiVersion: MySQLCluster.apiVersion, kind: MySQLCluster.kind, name: "shop", uid: "u-1",
                                   controller: true, blockOwnerDeletion: true)
        return DesiredObjects(plan: plan, secrets: .generate(), owner: owner, options: OperatorOptions(addressing: addressing))
    }

    @Test func oneDeploymentAndClaimPerInstanceOwnedByTheCluster() throws {
        let objects = try Self.objects()
        let deployments = try objects.deployments()
        #expect(deployments.map(\.name) == ["shop-a-0", "shop-a-1", "shop-b-0"])
        #expect(objects.claims().map(\.name) == ["data-shop-a-0", "data-shop-a-1", "data-shop-b-0"])
        for d in deployments {
            #expect(d.spec?.replicas == 1)
            #expect(d.spec?.strategy?.type == "Recreate")
            #expect(d.metadata.ownerReferences?.first?.uid == "u-1")
            #expect(d.spec?.template?.spec?.containers.map(\.name) == ["mysql", "agent"])
            #expect(d.spec?.template?.spec?.shareProcessNamespace == true)
            #expect(d.spec?.template?.metadata?.annotations?["vigil.dev/config-hash"]?.count == 16)
            // The selector never includes the role: Services follow role labels set on pods.
            #expect(d.spec?.selector?.matchLabels?.keys.sorted() == ["vigil.dev/cluster", "vigil.dev/instance"])
        }
        let ports = deployments[0].spec?.template?.spec?.containers.flatMap { $0.ports ?? [] }.map(\.containerPort).sorted()
        #expect(ports == [3306, 5001, 8080, 9187])
    }

    @Test func servicesSelectByRoleAndHealth() throws {
        let services = try Self.objects().services()
        #expect(services.map(\.name) == ["shop-primary", "shop-replicas", "shop-headless"])
        #expect(services[0].spec?.selector == ["vigil.dev/cluster": "shop", "vigil.dev/role": "primary"])
        #expect(services[1].spec?.selector == ["vigil.dev/cluster": "shop", "vigil.dev/role": "replica", "vigil.dev/healthy": "yes"])
        #expect(services[2].spec?.clusterIP == "None")
    }

    @Test func secretsStayOutOfPodSpecsAndConfigMaps() throws {
        let objects = try Self.objects()
        let deployments = try JSONEncoder().encode(try objects.deployments())
        let configMap = try JSONEncoder().encode(try objects.configMap())
        for password in objects.secrets.passwords.values + [objects.secrets.agentToken] {
            #expect(!String(decoding: deployments, as: UTF8.self).contains(password))
            #expect(!String(decoding: configMap, as: UTF8.self).contains(password))
        }
        let agent = try objects.agentSecret()
        let config = try JSONDecoder().decode(VigilAgentConfigProbe.self, from: agent.data!["agent-shop-a-0.json"]!)
        #expect(config.token == objects.secrets.agentToken)
        #expect(config.controller == "http://vigil-operator.vigil-system.svc:8082/clusters/prod/shop")
        #expect(config.peers.map(\.sidecar) == ["http://shop-a-1.shop-headless.prod.svc:8080", "http://shop-b-0.shop-headless.prod.svc:8080"])
        #expect(String(decoding: agent.data!["init.sql"]!, as: UTF8.self).contains("'vigil_admin'@'%'"))
    }

    @Test func podIPAddressingListsOnlyKnownPeers() throws {
        let objects = try Self.objects(addressing: .podIP)
        let instance = objects.plan.instances[0]
        #expect(objects.agentConfig(instance, addresses: [:]).peers.isEmpty)
        #expect(objects.agentConfig(instance, addresses: ["shop-a-1": "127.0.0.7"]).peers.map(\.sidecar) == ["http://127.0.0.7:8080"])
    }

    @Test func configChangesChangeTheHash() throws {
        let semisync = try Self.objects()
        let async = try Self.objects(MySQLClusterSpec(mode: "async", sites: [.init(name: "a", instances: 2), .init(name: "b", role: "dr-only")]))
        #expect(try semisync.configHash(semisync.plan.instances[0]) != async.configHash(async.plan.instances[0]))
        #expect(try semisync.serverConfig(semisync.plan.instances[0]).contains("server_id"))
    }

    @Test func dnsRecordOnlyWhenAHostnameIsSet() throws {
        let record = try Self.objects().dnsEndpoint(primaryAddress: "10.0.0.5")
        #expect(record?.spec?.endpoints?.first?.targets == ["10.0.0.5"])
        #expect(record?.spec?.endpoints?.first?.recordTTL == 30)
        #expect(try Self.objects(MySQLClusterSpec(sites: [.init(name: "a", instances: 2)])).dnsEndpoint(primaryAddress: "x") == nil)
    }

    @Test func manifestsRenderEveryDocument() throws {
        let yaml = try Manifests.yaml(image: "example/vigil:test")
        for kind in ["Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role",
                     "RoleBinding", "Service", "Deployment"] {
            #expect(yaml.contains("kind: \(kind)\n"), "missing \(kind)")
        }
        #expect(yaml.contains("image: example/vigil:test"))
        #expect(!yaml.contains("pods/exec"))
    }
}

/// The fields of an agent configuration these tests read.
struct VigilAgentConfigProbe: Decodable {
    struct Peer: Decodable { var name: String; var sidecar: String }
    var token: String
    var controller: String
    var peers: [Peer]
}
