import VigilKube

/// A tiny builder for OpenAPI v3 schemas (structural, as CRDs require).
enum Schema {
    static func object(_ properties: [String: JSONValue], required: [String] = [], description: String? = nil) -> JSONValue {
        var out: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { out["required"] = .array(required.map(JSONValue.string)) }
        if let description { out["description"] = .string(description) }
        return .object(out)
    }

    static func string(_ description: String? = nil, enum values: [String]? = nil, pattern: String? = nil,
                       maxLength: Int? = nil, default value: String? = nil) -> JSONValue {
        var out: [String: JSONValue] = ["type": "string"]
        if let description { out["description"] = .string(description) }
        if let values { out["enum"] = .array(values.map(JSONValue.string)) }
        if let pattern { out["pattern"] = .string(pattern) }
        if let maxLength { out["maxLength"] = .number(Double(maxLength)) }
        if let value { out["default"] = .string(value) }
        return .object(out)
    }

    static func integer(_ description: String? = nil, minimum: Int? = nil, maximum: Int? = nil, default value: Int? = nil) -> JSONValue {
        var out: [String: JSONValue] = ["type": "integer"]
        if let description { out["description"] = .string(description) }
        if let minimum { out["minimum"] = .number(Double(minimum)) }
        if let maximum { out["maximum"] = .number(Double(maximum)) }
        if let value { out["default"] = .number(Double(value)) }
        return .object(out)
    }

    static func number(_ description: String? = nil, exclusiveMinimumZero: Bool = false, maximum: Double? = nil,
                       default value: Double? = nil) -> JSONValue {
        var out: [String: JSONValue] = ["type": "number"]
        if let description { out["description"] = .string(description) }
        if exclusiveMinimumZero { out["minimum"] = 0; out["exclusiveMinimum"] = true }
        if let maximum { out["maximum"] = .number(maximum) }
        if let value { out["default"] = .number(value) }
        return .object(out)
    }

    static func boolean(_ description: String? = nil, default value: Bool? = nil) -> JSONValue {
        var out: [String: JSONValue] = ["type": "boolean"]
        if let description { out["description"] = .string(description) }
        if let value { out["default"] = .bool(value) }
        return .object(out)
    }

    static func array(_ items: JSONValue, description: String? = nil, minItems: Int? = nil, listMapKey: String? = nil) -> JSONValue {
        var out: [String: JSONValue] = ["type": "array", "items": items]
        if let description { out["description"] = .string(description) }
        if let minItems { out["minItems"] = .number(Double(minItems)) }
        if let listMapKey {
            out["x-kubernetes-list-type"] = "map"
            out["x-kubernetes-list-map-keys"] = .array([.string(listMapKey)])
        }
        return .object(out)
    }

    static func stringMap(_ description: String? = nil) -> JSONValue {
        var out: [String: JSONValue] = ["type": "object", "additionalProperties": ["type": "string"]]
        if let description { out["description"] = .string(description) }
        return .object(out)
    }

    /// Kept as is (the decision core's status, free-form parts).
    static func preserved(_ description: String) -> JSONValue {
        ["type": "object", "x-kubernetes-preserve-unknown-fields": true, "description": .string(description)]
    }
}
