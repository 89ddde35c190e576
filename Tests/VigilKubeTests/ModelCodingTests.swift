import Foundation
import Testing
import VigilKube

@Suite("Models and coding")
struct ModelCodingTests {
    @Test func resourcesCarryTypeMetaAndIgnoreUnknownFields() throws {
        let pod = Pod(metadata: ObjectMeta(name: "db-0", namespace: "ns"),
                      spec: PodSpec(containers: [Container(name: "mysql", image: "mysql:8.4",
                                                           ports: [ContainerPort(containerPort: 3306)])]))
        let json = try KubeCodec.json(resource: pod)
        #expect(json["apiVersion"] == "v1")
        #expect(json["kind"] == "Pod")
        #expect(json[path: ["spec", "containers"]]?.arrayValue?.first?["image"] == "mysql:8.4")
        // nil fields are omitted, not written as null.
        #expect(json[path: ["spec", "nodeName"]] == nil)

        let wire = #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","managedFields":[{"x":1}],"#
            + #""creationTimestamp":"2024-05-01T10:00:00Z"},"spec":{"replicas":3,"futureField":{"a":1},"#
            + #""strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":1}}}}"#
        let deployment = try KubeCodec.decode(Deployment.self, from: Data(wire.utf8))
        #expect(deployment.spec?.replicas == 3)
        #expect(deployment.spec?.strategy?.rollingUpdate?.maxUnavailable == .string("25%"))
        #expect(deployment.spec?.strategy?.rollingUpdate?.maxSurge == .int(1))
        #expect(deployment.metadata.creationTimestamp == Date(timeIntervalSince1970: 1_714_557_600))
        #expect(Deployment.objectPath(name: "d", namespace: "ns") == "/apis/apps/v1/namespaces/ns/deployments/d")
        #expect(Node.objectPath(name: "n1", namespace: "ignored", subresource: .status) == "/api/v1/nodes/n1/status")
        #expect(Pod.collectionPath(namespace: nil) == "/api/v1/pods")
    }

    @Test func secretDataIsBase64OnTheWire() throws {
        let secret = Secret(metadata: ObjectMeta(name: "s"), data: ["password": Data("hunter2".utf8)],
                            stringData: ["user": "root"])
        let json = try KubeCodec.json(resource: secret)
        #expect(json[path: ["data", "password"]] == .string(Data("hunter2".utf8).base64EncodedString()))
        #expect(json[path: ["stringData", "user"]] == "root")
        let back = try KubeCodec.decode(Secret.self, from: json)
        #expect(back.data?["password"] == Data("hunter2".utf8))
    }

    @Test func timesFollowRFC3339() throws {
        let date = Date(timeIntervalSince1970: 1_714_557_600.123456)
        #expect(RFC3339.format(date) == "2024-05-01T10:00:00Z")
        #expect(RFC3339.format(date, fractionDigits: 6) == "2024-05-01T10:00:00.123456Z")
        #expect(RFC3339.parse("2024-05-01T12:00:00+02:00") == Date(timeIntervalSince1970: 1_714_557_600))
        #expect(RFC3339.parse("1969-12-31T23:59:59Z") == Date(timeIntervalSince1970: -1))
        #expect(RFC3339.parse("2024-02-29T00:00:00.5Z") == Date(timeIntervalSince1970: 1_709_164_800.5))
        #expect(RFC3339.parse("2024-05-01 10:00") == nil)
        #expect(RFC3339.parse("2024-13-01T10:00:00Z") == nil)

        let lease = Lease(metadata: ObjectMeta(name: "l"),
                          spec: LeaseSpec(holderIdentity: "db-0", leaseDurationSeconds: 10,
                                          renewTime: MicroTime(date)))
        let json = try KubeCodec.json(resource: lease)
        #expect(json[path: ["spec", "renewTime"]] == "2024-05-01T10:00:00.123456Z")
        let back = try KubeCodec.decode(Lease.self, from: json)
        #expect(abs(back.spec!.renewTime!.date.timeIntervalSince(date)) < 0.000_001)
    }

    @Test func intOrStringAndJSONValueRoundTrip() throws {
        let pdb = PodDisruptionBudget(metadata: ObjectMeta(name: "p"),
                                      spec: PDBSpec(minAvailable: 2, selector: LabelSelector(matchLabels: ["a": "b"])))
        let json = try KubeCodec.json(resource: pdb)
        #expect(json[path: ["spec", "minAvailable"]] == 2)
        #expect(json["apiVersion"] == "policy/v1")
        let value: JSONValue = ["a": [1, 2.5, "x", true, nil], "b": ["c": false]]
        let text = String(decoding: try KubeCodec.encode(value), as: UTF8.self)
        #expect(text == #"{"a":[1,2.5,"x",true,null],"b":{"c":false}}"#)
        #expect(try KubeCodec.decode(JSONValue.self, from: Data(text.utf8)) == value)
    }

    @Test func mergePatchFollowsRFC7386() {
        let target: JSONValue = ["a": "b", "c": ["d": "e", "f": "g"], "list": [1, 2]]
        let patch: JSONValue = ["a": "z", "c": ["f": nil], "list": [3], "new": ["x": 1]]
        #expect(target.mergePatched(with: patch) == ["a": "z", "c": ["d": "e"], "list": [3], "new": ["x": 1]])
        // RFC 7386 appendix examples.
        let examples: [(JSONValue, JSONValue, JSONValue)] = [
            (["a": "b"], ["a": "c"], ["a": "c"]),
            (["a": ["b": "c"]], ["a": ["b": "d", "c": nil]], ["a": ["b": "d"]]),
            (["a": "foo"], "bar", "bar"),
            (["e": nil], ["a": 1], ["e": nil, "a": 1]),
            ([1, 2], ["a": "b", "c": nil], ["a": "b"]),
        ]
        for (original, patch, result) in examples {
            #expect(original.mergePatched(with: patch) == result)
        }
    }

    @Test func errorsDescribeStatus() {
        let error = KubeError(status: Status(message: "pods \"x\" not found", reason: "NotFound", code: 404),
                              request: "GET /api/v1/namespaces/default/pods/x")
        #expect(error.isNotFound)
        #expect(error.description
                == "Kubernetes API: NotFound (HTTP 404): pods \"x\" not found [GET /api/v1/namespaces/default/pods/x]")
        #expect(KubeError(status: Status(reason: "AlreadyExists", code: 409)).kind == .alreadyExists)
        #expect(KubeError(status: Status(reason: "Conflict", code: 409)).kind == .conflict)
        #expect(KubeError(status: Status(reason: "Expired", code: 410)).isGone)
    }
}
