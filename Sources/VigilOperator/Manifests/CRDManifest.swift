import VigilKube

/// The `MySQLCluster` CustomResourceDefinition: OpenAPI v3 validation (what can be checked
/// statically is rejected by the API server; the rest is reported in a condition), printer
/// columns, the status subresource. Defaults are written into the schema, so `kubectl
/// explain` shows them.
enum CRDManifest {
    static var definition: JSONValue {
        [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": ["name": "mysqlclusters.vigil.dev", "labels": ["app.kubernetes.io/name": "vigil"]],
            "spec": [
                "group": "vigil.dev",
                "scope": "Namespaced",
                "names": ["kind": "MySQLCluster", "listKind": "MySQLClusterList", "plural": "mysqlclusters",
                          "singular": "mysqlcluster", "shortNames": ["mysql", "vmc"], "categories": ["vigil"]],
                "versions": [[
                    "name": "v1alpha1", "served": true, "storage": true,
                    "subresources": ["status": [:]],
                    "additionalPrinterColumns": [
                        ["name": "PRIMARY", "type": "string", "jsonPath": ".status.primary"],
                        ["name": "READY", "type": "string", "jsonPath": ".status.ready"],
                        ["name": "PHASE", "type": "string", "jsonPath": ".status.phase"],
                        ["name": "AGE", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
                    ],
                    "schema": ["openAPIV3Schema": Schema.object([
                        "apiVersion": Schema.string(),
                        "kind": Schema.string(),
                        "metadata": ["type": "object"],
                        "spec": spec,
                        "status": status,
                    ], required: ["spec"], description: "A replicated MySQL / MariaDB group kept writable by Vigil.")],
                ]],
            ],
        ]
    }

    static var spec: JSONValue {
        var spec = Schema.object([
            "topology": Schema.string("standalone: one instance; replication: a primary and replicas (raftGroup is reserved).",
                                      enum: ["standalone", "replication"], default: "replication"),
            "mode": Schema.string("semisync: lossless (AFTER_SYNC, no async fallback); async: a failover may lose acknowledged writes.",
                                  enum: ["semisync", "async"], default: "semisync"),
            "engine": Schema.object([
                "flavor": Schema.string(enum: ["mariadb", "mysql"], default: "mariadb"),
                "version": Schema.string("Informational; the image decides.", default: "10.11"),
                "image": Schema.string("Default mariadb:{version} or mysql:{version}."),
            ]),
            "sites": Schema.array(Schema.object([
                "name": Schema.string("A DNS label; part of every instance name.", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 12),
                "role": Schema.string(enum: ["primary-candidate", "dr-only", "read-only"], default: "primary-candidate"),
                "priority": Schema.integer("Lower is preferred for the primary.", minimum: 0, default: 0),
                "instances": Schema.integer("Instances in this site (default spec.instancesPerSite).", minimum: 1, maximum: 64),
                "placement": Schema.object([
                    "nodeSelector": Schema.stringMap(),
                    "tolerations": Schema.array(Schema.object([
                        "key": Schema.string(), "operator": Schema.string(enum: ["Exists", "Equal"]), "value": Schema.string(),
                        "effect": Schema.string(enum: ["NoSchedule", "PreferNoSchedule", "NoExecute"]),
                        "tolerationSeconds": Schema.integer(),
                    ])),
                ]),
                "storage": Schema.object([
                    "size": Schema.string("A quantity such as 10Gi.", pattern: "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$", default: "10Gi"),
                    "storageClassName": Schema.string(),
                ]),
            ], required: ["name"]), description: "Where instances run; names are unique.", minItems: 1, listMapKey: "name"),
            "instancesPerSite": Schema.integer(minimum: 1, maximum: 64, default: 1),
            "resources": Schema.object(["requests": Schema.stringMap(), "limits": Schema.stringMap()]),
            "failover": Schema.object([
                "probeIntervalSeconds": Schema.number(exclusiveMinimumZero: true, maximum: 60, default: 1),
                "failureThreshold": Schema.integer("Missed probes before an instance counts as down.", minimum: 1, default: 3),
                "recoveryThreshold": Schema.integer(minimum: 1, default: 2),
                "cooldownSeconds": Schema.integer("No automatic failover this long after one.", minimum: 0, default: 300),
                "drainTimeoutSeconds": Schema.integer(minimum: 0, default: 30),
                "maxLagWaitSeconds": Schema.integer(minimum: 0, default: 10),
                "allowDROnly": Schema.boolean("Promote a dr-only site when no candidate can take over.", default: false),
            ]),
            "agent": Schema.object([
                "leaseTimeoutSeconds": Schema.number("A primary that hears neither the operator nor a peer this long fences itself.",
                                                     exclusiveMinimumZero: true, default: 10),
                "image": Schema.string("The image holding vigil (default: the operator's)."),
            ]),
            "dns": Schema.object([
                "hostname": Schema.string("An A record (external-dns DNSEndpoint) that follows the primary."),
                "ttl": Schema.integer(minimum: 1, default: 30),
            ]),
            "taints": Schema.object([
                "enabled": Schema.boolean("Taint a failed site's nodes vigil.dev/db-readonly-{cluster}=true:NoExecute.", default: true),
            ]),
            "switchover": Schema.object([
                "to": Schema.string("An instance name, or any."),
                "requestID": Schema.string("Change it to ask again."),
            ], required: ["to"]),
        ], required: ["sites"])
        if case .object(var fields) = spec {
            fields["x-kubernetes-validations"] = [
                ["rule": "self.sites.exists(s, !has(s.role) || s.role == 'primary-candidate')",
                 "message": "at least one site must have role primary-candidate"],
                ["rule": "!has(self.topology) || self.topology != 'standalone' || self.sites.size() == 1",
                 "message": "topology standalone runs exactly one site with one instance"],
            ]
            spec = .object(fields)
        }
        return spec
    }

    static var status: JSONValue {
        Schema.object([
            "phase": Schema.string(),
            "conditions": Schema.array(Schema.object([
                "type": Schema.string(), "status": Schema.string(enum: ["True", "False", "Unknown"]),
                "reason": Schema.string(), "message": Schema.string(),
                "lastTransitionTime": ["type": "string", "format": "date-time"], "observedGeneration": Schema.integer(),
            ], required: ["type", "status"]), listMapKey: "type"),
            "primary": Schema.string(),
            "ready": Schema.string(),
            "instances": Schema.array(Schema.object([
                "name": Schema.string(), "site": Schema.string(), "role": Schema.string(), "healthy": Schema.boolean(),
                "gtid": Schema.string(), "lagSeconds": Schema.number(), "podIP": Schema.string(), "node": Schema.string(),
            ], required: ["name"])),
            "lastFailover": Schema.object([
                "from": Schema.string(), "to": Schema.string(), "reason": Schema.string(), "startedAt": Schema.string(),
                "durationMs": Schema.integer(),
            ]),
            "cooldownUntil": Schema.string(),
            "observedGeneration": Schema.integer(),
            "initialized": Schema.boolean(),
            "switchover": Schema.object([
                "requestID": Schema.string(), "to": Schema.string(), "state": Schema.string(), "message": Schema.string(),
            ]),
            "controller": Schema.preserved("The decision core's status, stored before every action (term, primary, cooldown, quarantine)."),
        ])
    }
}
