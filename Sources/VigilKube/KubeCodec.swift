import Foundation

/// JSON coding as the API server expects it: RFC 3339 `Date`s (whole seconds, `metav1.Time`),
/// `apiVersion`/`kind` written from the resource type, unknown fields ignored on decode.
public enum KubeCodec {
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        encoder.dataEncodingStrategy = .base64
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "not an RFC 3339 time: \(text)"))
            }
            return date
        }
        decoder.dataDecodingStrategy = .base64
        return decoder
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        try makeEncoder().encode(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try makeDecoder().decode(type, from: data)
    }

    /// A value as a JSON tree (dates and data encoded the Kubernetes way).
    public static func json<T: Encodable>(_ value: T) throws -> JSONValue {
        try decode(JSONValue.self, from: encode(value))
    }

    /// A resource as a JSON tree with `apiVersion` and `kind` set from its type.
    public static func json<T: KubeResource>(resource: T) throws -> JSONValue {
        var tree = try json(resource)
        tree["apiVersion"] = .string(T.apiVersion)
        tree["kind"] = .string(T.kind)
        return tree
    }

    /// A resource's wire form: its JSON with `apiVersion` and `kind`.
    public static func encode<T: KubeResource>(resource: T) throws -> Data {
        try encode(json(resource: resource))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try decode(type, from: encode(value))
    }
}
